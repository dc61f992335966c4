"""The PyTorch side of fine-tuning a torchvision network imported from ONNX (bench finetune --network NAME).

    /usr/bin/python3 bench/pytorch_torchvision.py export NAME SIZE OUT.onnx
        torchvision.models.NAME(weights=None, num_classes=10) in eval mode, exported by torch.onnx.export at opset 13
        with its batch normalisations kept (TrainingMode.PRESERVE), so the imported network trains them as PyTorch does.
    /usr/bin/python3 bench/pytorch_torchvision.py train NAME --size 64 --images 1024 --epochs 4 --threads 2
        the same network, with torchvision's ImageNet normalisation in front (as PretrainedNetworks.TorchvisionImageNet
        puts it in the imported one), every layer training with Adam at batch 32 on random images. Prints one JSON
        object: {"version", "blas", "mkldnn", "parameters", "epoch_seconds": [...]}.

Random weights stand in for ImageNet's (none can be downloaded here); the speed does not depend on them.
"""
import argparse

import torch
import torchvision

from pytorch_resnet18 import train_and_report


class Normalised(torch.nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, x):
        return self.network((x - self.mean) / self.std)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["export", "train"])
    parser.add_argument("name")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    network = getattr(torchvision.models, args.name)(weights=None, num_classes=10)
    if args.command == "export":
        size, out = int(args.rest[0]), args.rest[1]
        torch.onnx.export(network.eval(), torch.rand(1, 3, size, size), out, opset_version=13, input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE)
        return
    train_and_report(Normalised(network), args)


if __name__ == "__main__":
    main()
