#!/usr/bin/env bash
# Runs the main bench on two commits in the same sitting, alternating them so that the machine's drift hits both:
#   bash bench/compare-commits.sh BEFORE [AFTER] [ROUNDS] [OUT]
# BEFORE and AFTER are git revisions (AFTER defaults to the working tree). Each round runs BEFORE, then AFTER, with
# `--epochs 5`; results go to OUT/before-N and OUT/after-N (default bench/results/compare). MNIST comes from
# MNIST_DATA or ../shared/data/mnist beside the repository. Used for the layout change (bench/results/layout).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
before=${1:?usage: bench/compare-commits.sh BEFORE [AFTER] [ROUNDS] [OUT]}
after=${2:-}
rounds=${3:-2}
out=$(realpath -m "${4:-bench/results/compare}")
data=${MNIST_DATA:-$(cd .. && pwd)/shared/data/mnist}
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/before" >/dev/null 2>&1 || true; [ -z "$after" ] || git -C "$repo" worktree remove --force "$work/after" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git worktree add --detach "$work/before" "$before" >/dev/null
after_dir=$repo
if [ -n "$after" ]; then git worktree add --detach "$work/after" "$after" >/dev/null; after_dir=$work/after; fi
for dir in "$work/before" "$after_dir"; do
  dotnet build "$dir/bench/MLNet.ConvNet.Benchmarks" -c Release >/dev/null
done
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$work/before; [ "$side" = after ] && dir=$after_dir
    (cd "$dir" && dotnet run --project bench/MLNet.ConvNet.Benchmarks -c Release --no-build -- --data "$data" --epochs 5 --out "$out/$side-$round") > "$out/$side-$round.log" 2>&1
    grep -E "^\| (SimpleConvNet|LeNot) \| 10,000" "$out/$side-$round.log" | sed "s/^/$side-$round /"
  done
done
