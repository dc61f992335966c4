#!/usr/bin/env bash
# Fine-tuning MobileNetV2 and EfficientNet-B0, exported from PyTorch and imported (PretrainedNetworks.FromOnnx), against
# the same networks in PyTorch 1.13 in the same run, at 64x64 and 128x128; then scoring through Transform and through
# ONNX Runtime. Needs /usr/bin/python3 with torchvision (apt-get install python3-torchvision libopenblas0-pthread).
# Writes bench/results/finetune/finetune-NETWORK-SIZE.md. About 25 minutes on 2 cores; run nothing else beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/MLNet.ConvNet.Benchmarks -c Release -v q
for network in mobilenet_v2 efficientnet_b0; do
  for size in 64 128; do
    dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release --no-build -- finetune --network "$network" --size "$size" --images 512 --epochs 2 --out bench/results/finetune
  done
done
