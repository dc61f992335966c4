"""Exports a torchvision classifier to ONNX as a PyTorch user would, with random weights (no download).

    python3 torchvision_export.py NAME SIZE MODE OUT.onnx [OPSET]

MODE "folded": eval mode as the exporter's default treats it (batch normalisations folded into convolutions);
"kept": the network in eval mode but exported with TrainingMode.PRESERVE, which skips the folding, so each batch
normalisation stays an (inference) BatchNormalization node. Prints the
operators the file uses. Needs python3-torchvision (Debian: torch 1.13, torchvision 0.14).
"""
import collections
import sys

import onnx
import torch
import torchvision


def main():
    name, size, mode, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    opset = int(sys.argv[5]) if len(sys.argv) > 5 else 13
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None, num_classes=10).eval()
    # Random but not trivial statistics, so that a batch normalisation read wrongly shows in the outputs.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    torch.onnx.export(model, torch.rand(1, 3, size, size), out, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                      training=torch.onnx.TrainingMode.EVAL if mode == "folded" else torch.onnx.TrainingMode.PRESERVE)
    graph = onnx.load(out).graph
    print(dict(collections.Counter(node.op_type for node in graph.node)))


if __name__ == "__main__":
    main()
