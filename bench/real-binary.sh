#!/usr/bin/env bash
# The real-image binary task (docs/tasks.md, "A real RGB binary task"): is the emoji food or drink? (emoji.json's
# category "Food & Drink" against the eight other categories but "Component"), trained on one vendor's 64x64 drawings
# (npm's emoji-datasource-apple 16.0.0, 1,903 images) and scored on another vendor's drawings of the same emoji
# (emoji-datasource-facebook 16.0.0, 1,855 images). Fetched with `npm pack` at run time, never committed. Writes
# bench/results/real-images/binary.md. The rows: the binary ConvNet fine-tuned (64x64, 128x128) and from scratch,
# ML.NET's features + L-BFGS, and the multiclass ConvNet fine-tuned on the nine categories, scored by its
# probability of "Food & Drink". About 30 minutes on 2 cores.
#   bash bench/real-binary.sh            # SEED=2 for another seed
# One variant of the fine-tuned row (bench/results/real-images/binary-variants.md), on folders `prepare` made:
#   BINARY_METHODS=0 BINARY_VARIANT=epochs20 dotnet bench/RealImages/bin/Release/net10.0/RealImages.dll binary TRAIN TEST Food---Drink 1
#   (variants: epochs20, balanced (positives weigh 13.5, the negatives per positive), nosmoothing, tta, earlystopping
#   (the default early stopping, which the recipes turn off); BINARY_METHODS=2 for the scratch row)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/real-images
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source bench/emoji-folders.sh
emoji_folders "$work"
{
  echo "# bash bench/real-binary.sh, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo
  echo "Trained on emoji-datasource-apple 16.0.0, scored on emoji-datasource-facebook 16.0.0."
  echo
  bench binary "$work/train" "$work/test" Food---Drink "${SEED:-1}"
} | tee "$out/binary.md"
