"""The PyTorch side of the fine-tuning benchmark: the same ResNet18 as MLNet.ConvNet imports from
Microsoft.ML.DnnImageFeaturizer.ResNet18 (CNTK's layout: 2, 2, 2 and 3 residual blocks, convolutions without bias,
uneven padding, a max pool padded before only), with the same preprocessing in front and the same head, trained with
Adam at batch 32 on random images of the size given. Every layer trains (forward, backward, step), as after the head
epochs of fine-tuning. Prints one JSON object: {"version", "blas", "parameters", "epoch_seconds": [...]}.

    /usr/bin/python3 bench/pytorch_resnet18.py --size 64 --images 1024 --epochs 4 --threads 2
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.pad = (1, 0, 1, 0) if stride == 2 else (1, 1, 1, 1)
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = None if stride == 1 and inputs == outputs else nn.Sequential(
            nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(F.pad(x, self.pad))))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.register_buffer("mean", torch.tensor([103.06, 115.90, 123.15]).view(1, 3, 1, 1))
        self.conv = nn.Conv2d(3, 64, 7, 2, bias=False)
        self.bn = nn.BatchNorm2d(64)
        blocks, inputs = [], 64
        for outputs, count, stride in ((64, 2, 1), (128, 2, 2), (256, 2, 2), (512, 3, 2)):
            for i in range(count):
                blocks.append(Block(inputs, outputs, stride if i == 0 else 1))
                inputs = outputs
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(0.2)
        self.head = nn.Linear(512, classes)

    def forward(self, x):
        x = x[:, [2, 1, 0]] * 255 - self.mean
        x = F.relu(self.bn(self.conv(F.pad(x, (3, 2, 3, 2)))))
        x = F.max_pool2d(F.pad(x, (1, 0, 1, 0), value=float("-inf")), 3, 2)
        x = self.blocks(x).mean((2, 3))
        return self.head(self.dropout(x))


def loaded_blas():
    """The BLAS library this process loaded (Debian's torch links the generic libblas.so.3, which the alternatives
    system points at the reference BLAS or, with libopenblas0-pthread installed, at OpenBLAS)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "none loaded"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = ResNet18(10)
    train_and_report(model, args)


def train_and_report(model, args):
    """Trains every layer of model with Adam (1e-4) at args.batch on args.images random images of args.size, one
    timing per epoch, and prints the JSON line the benchmark reads. Shared by bench/pytorch_torchvision.py."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    images = torch.rand(args.images, 3, args.size, args.size)
    labels = torch.randint(0, 10, (args.images,))
    model.train()
    seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(args.images)
        for first in range(0, args.images, args.batch):
            batch = order[first:first + args.batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"version": torch.__version__, "blas": loaded_blas(), "mkldnn": torch.backends.mkldnn.is_available(),
                      "parameters": sum(p.numel() for p in model.parameters()) + sum(b.numel() for n, b in model.named_buffers() if "running" in n),
                      "epoch_seconds": seconds}))


if __name__ == "__main__":
    main()
