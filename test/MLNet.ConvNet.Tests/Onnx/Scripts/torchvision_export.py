"""Exports a torchvision classifier to ONNX as a PyTorch user would, with random weights (no download).

    python3 torchvision_export.py NAME SIZE MODE OUT.onnx [OPSET]

NAME is a torchvision classifier (resnet18, mobilenet_v2, ...), 10 classes of 3-channel images, or one of the small
family networks below built from torchvision's own blocks (family_residual, family_depthwise_se, family_concat,
family_shuffle, family_layernorm): 1-channel images, 5 classes, a few thousand weights, for tests that train them.

MODE "folded": eval mode as the exporter's default treats it (batch normalisations folded into convolutions);
"kept": the network in eval mode but exported with TrainingMode.PRESERVE, which skips the folding, so each batch
normalisation stays an (inference) BatchNormalization node; "features": folded, with the classifier replaced by an
identity, so the file puts out the pooled features (the same weights as "folded"). Prints the
operators the file uses. Needs python3-torchvision (Debian: torch 1.13, torchvision 0.14).
"""
import collections
import sys

import onnx
import torch
import torchvision


def family(name):
    """A small network of torchvision's blocks of one family, for 1-channel images and 5 classes."""
    from torch import nn
    from torchvision.models import convnext, densenet, resnet, shufflenetv2, squeezenet
    from torchvision.ops import SqueezeExcitation
    from torchvision.ops.misc import Conv2dNormActivation

    def head(channels):
        return [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 5)]

    if name == "family_residual":
        down = nn.Sequential(nn.Conv2d(16, 24, 1, stride=2, bias=False), nn.BatchNorm2d(24))
        layers = [Conv2dNormActivation(1, 16, 3), resnet.BasicBlock(16, 16), resnet.BasicBlock(16, 24, stride=2, downsample=down), *head(24)]
    elif name == "family_depthwise_se":
        layers = [Conv2dNormActivation(1, 16, 3, activation_layer=nn.Hardswish),
                  Conv2dNormActivation(16, 16, 3, groups=16, activation_layer=nn.ReLU6),
                  SqueezeExcitation(16, 8, scale_activation=nn.Hardsigmoid),
                  Conv2dNormActivation(16, 24, 1, activation_layer=nn.SiLU),
                  Conv2dNormActivation(24, 24, 3, stride=2, groups=24, dilation=1, activation_layer=nn.SiLU),
                  SqueezeExcitation(24, 8, activation=nn.SiLU),
                  *head(24)]
    elif name == "family_concat":
        layers = [Conv2dNormActivation(1, 16, 3), nn.MaxPool2d(3, 2, ceil_mode=True), squeezenet.Fire(16, 8, 12, 12),
                  densenet._DenseBlock(2, 24, 2, 8, 0.0), densenet._Transition(40, 16), *head(16)]
    elif name == "family_shuffle":
        layers = [Conv2dNormActivation(1, 16, 3), shufflenetv2.InvertedResidual(16, 32, 2), shufflenetv2.InvertedResidual(32, 32, 1), *head(32)]
    elif name == "family_layernorm":
        norm = convnext.LayerNorm2d
        layers = [nn.Conv2d(1, 16, 4, stride=4), norm(16), convnext.CNBlock(16, 0.5, 0.0),
                  norm(16), nn.Conv2d(16, 24, 2, stride=2), convnext.CNBlock(24, 0.5, 0.0),
                  nn.AdaptiveAvgPool2d(1), norm(24), nn.Flatten(), nn.Linear(24, 5)]
    else:
        raise SystemExit(f"unknown network {name}")
    return nn.Sequential(*layers)


def main():
    name, size, mode, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    opset = int(sys.argv[5]) if len(sys.argv) > 5 else 13
    torch.manual_seed(0)
    if name.startswith("family_"):
        model, channels = family(name).eval(), 1
    else:
        model, channels = getattr(torchvision.models, name)(weights=None, num_classes=10).eval(), 3
    # Random layer scales and LayerNorm weights too (they start at constants), so that one read wrongly shows.
    for module in model.modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
        if hasattr(module, "layer_scale"):
            module.layer_scale.data.uniform_(0.5, 1.5)
    # Random but not trivial statistics, so that a batch normalisation read wrongly shows in the outputs.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    if mode == "features":
        model.classifier = torch.nn.Identity()
    torch.onnx.export(model, torch.rand(1, channels, size, size), out, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE if mode == "kept" else torch.onnx.TrainingMode.EVAL)
    graph = onnx.load(out).graph
    print(dict(collections.Counter(node.op_type for node in graph.node)))


if __name__ == "__main__":
    main()
