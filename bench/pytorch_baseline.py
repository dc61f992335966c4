"""The PyTorch side of the benchmark: the same two networks, optimizer, batch size and data as the trainer.

Run by bench/MLNet.ConvNet.Benchmarks; prints one JSON object: {"version": ..., "epoch_seconds": [...]}.
    python3 bench/pytorch_baseline.py --data ../shared/data/mnist --architecture LeNot --epochs 4 --threads 2
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        magic = f.read(4)
        dims = struct.unpack(">" + "I" * magic[3], f.read(4 * magic[3]))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def find(directory, name):
    for candidate in (name + ".gz", name):
        if os.path.exists(os.path.join(directory, candidate)):
            return os.path.join(directory, candidate)
    raise FileNotFoundError(os.path.join(directory, name))


def glorot(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def network(name):
    if name == "SimpleConvNet":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Flatten(),
            nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))
    if name == "LeNot":
        return nn.Sequential(
            nn.ZeroPad2d(2), nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    raise ValueError(f"unknown architecture {name!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--architecture", required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = read_idx(find(args.data, "train-images-idx3-ubyte"))
    labels = read_idx(find(args.data, "train-labels-idx1-ubyte"))
    if args.rows:
        images, labels = images[: args.rows], labels[: args.rows]
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1).contiguous()
    y_all = torch.from_numpy(labels.astype(np.int64))

    model = network(args.architecture)
    model.apply(glorot)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    seconds = []
    for _ in range(args.epochs):
        order = torch.randperm(len(y_all))
        start = time.perf_counter()
        for i in range(0, len(order), 128):
            index = order[i:i + 128]
            optimizer.zero_grad()
            loss = loss_fn(model(x_all[index]), y_all[index])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"version": torch.__version__, "epoch_seconds": seconds}))


if __name__ == "__main__":
    main()
