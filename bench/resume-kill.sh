#!/usr/bin/env bash
# Exact resume after SIGKILL (docs/training.md, "Checkpoints and resume"): bench/ResumeKill trains LeNot with a
# Dropout(0.5) before its classifier, mixup/cutmix, label smoothing, the digits' augmentation, a random resized crop,
# brightness and contrast jitter and a weight average on MNIST (its first 2,000 training images) for 8 epochs with
# checkpoints. Once uninterrupted; once killed with SIGKILL as soon as epoch 3's checkpoint is written,
# then started again on the same folder. The two final weights' SHA-256 must agree. Writes bench/results/resume-kill.txt.
#   bash bench/resume-kill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MNIST_DATA:-$(cd .. && pwd)/shared/data/mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build bench/ResumeKill -c Release >/dev/null
run() { dotnet bench/ResumeKill/bin/Release/net10.0/ResumeKill.dll "$data" "$1"; }

straight=$(run "$work/a" | tail -1)
# dotnet itself in the background (not a function's subshell), so that SIGKILL reaches the training process.
dotnet bench/ResumeKill/bin/Release/net10.0/ResumeKill.dll "$data" "$work/b" > "$work/killed.log" &
pid=$!
while [ ! -e "$work/b/epoch-0003.ckpt" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "error: the run ended before epoch 3's checkpoint" >&2; exit 1; }
  sleep 0.05
done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
sleep 1   # nothing may still be writing to the folder
left=$(ls "$work/b")
resumed_log=$(run "$work/b")
resumed=$(echo "$resumed_log" | tail -1)
{
  echo "# bash bench/resume-kill.sh, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "uninterrupted:      $straight"
  echo "killed (SIGKILL) after epoch 3's checkpoint; the folder then held: $(echo $left)"
  echo "$resumed_log" | grep Resumed || echo "(no resume line)"
  echo "resumed:            $resumed"
  if [ "$straight" = "$resumed" ]; then echo "identical: yes"; else echo "identical: NO"; fi
} | tee bench/results/resume-kill.txt
[ "$straight" = "$resumed" ]
