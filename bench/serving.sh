#!/usr/bin/env bash
# Serving without libtorch, measured: the published size of examples/OnnxServing (ONNX Runtime) against
# examples/DigitPredictor (MLNet.ConvNet on libtorch), and the time from process start to the first prediction of
# one PNG digit, median of RUNS runs each (default 7). Both are framework-dependent `dotnet publish -c Release -r
# linux-x64` builds, run with `dotnet APP.dll`. Writes bench/results/serving.md.
#   bash bench/serving.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
data=${MNIST_DATA:-$(cd .. && pwd)/shared/data/mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish examples/OnnxServing -c Release -r linux-x64 -o "$work/onnx" >/dev/null
dotnet publish examples/DigitPredictor -c Release -r linux-x64 -o "$work/torch" >/dev/null
# DigitPredictor needs a model that reads image paths; a small one does (the time to the first prediction does not
# depend on how well it was trained). The same PNG goes to both.
dotnet run --project examples/MnistConvNet -c Release -- images --data "$data" --architectures LeNot --epochs 1 \
  --max-train-rows 1000 --max-test-rows 100 --out "$work/images" >/dev/null
image="$work/images/png/test/7/test-00000.png"

size() { du -sb "$1" | cut -f1; }
first_prediction_ms() {  # command...; prints the milliseconds until its first line of output
  local start end
  start=$(date +%s%N)
  "$@" | { read -r _; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); cat >/dev/null; }
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

onnx_times=(); torch_times=()
for _ in $(seq 1 "$runs"); do
  onnx_times+=("$(first_prediction_ms dotnet "$work/onnx/OnnxServing.dll" "$image")")
  torch_times+=("$(first_prediction_ms dotnet "$work/torch/DigitPredictor.dll" "$work/images/digits.zip" "$image")")
done
onnx_median=$(printf '%s\n' "${onnx_times[@]}" | median)
torch_median=$(printf '%s\n' "${torch_times[@]}" | median)
onnx_size=$(size "$work/onnx"); torch_size=$(size "$work/torch")
torch_native=$(du -cb "$work/torch"/libtorch*.so* "$work/torch"/libc10.so 2>/dev/null | tail -1 | cut -f1)

mkdir -p bench/results
{
  echo "Command: \`bash bench/serving.sh $runs\` on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores."
  echo
  echo "| sample | engine | publish folder (linux-x64, framework-dependent) | start to first prediction, median of $runs | runs (ms) |"
  echo "|---|---|---|---|---|"
  echo "| examples/OnnxServing | ONNX Runtime $(grep -o 'OnnxRuntime" Version="[^"]*' Directory.Packages.props | cut -d'"' -f3) | $((onnx_size / 1048576)) MiB | ${onnx_median} ms | ${onnx_times[*]} |"
  echo "| examples/DigitPredictor | MLNet.ConvNet on libtorch | $((torch_size / 1048576)) MiB (libtorch and libc10 alone: $((torch_native / 1048576)) MiB) | ${torch_median} ms | ${torch_times[*]} |"
} > bench/results/serving.md
cat bench/results/serving.md
