#!/usr/bin/env bash
# A .zip trained on one ML.NET stack, scored on the other (docs/data.md). bench/StackPixels is built once on the
# ML.NET 6 stack (ImageAnalytics 6, SkiaSharp 3) and once on 5.0.1 (SkiaSharp 2); on each, LeNot trains for 3 epochs
# on real images in four ways: MNIST's first 10,000 training images as 28x28 gray PNGs (no resizing), and the 64x64
# Apple emoji of emoji-datasource-apple 16.0.0 from npm (9 categories, every 5th emoji to test) stretched to 32x32 RGB,
# stretched to 32x32 gray, and padded to 24x24 RGB. Each model is then scored on the test images by both stacks, and
# both stacks' pixels are compared. Writes bench/results/stack-pixels.txt.
#   bash bench/stack-pixels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MNIST_DATA:-$(cd .. && pwd)/shared/data/mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=bench/results/stack-pixels.txt

for split in Train Test; do
  dotnet run --project examples/MnistConvNet -c Release -- export-png --data "$data" --split "$split" \
    --out "$work/mnist/${split,,}" >/dev/null
done
(cd "$work" && npm pack --silent emoji-datasource-apple@16.0.0 >/dev/null && tar xzf emoji-datasource-apple-16.0.0.tgz)

# The 5.0.1 leg builds in a copy, so that its restore does not meet the 6 leg's obj folders.
mkdir -p "$work/leg5"
tar --exclude=./.git --exclude=bin --exclude=obj --exclude=./models -cf - . | tar -C "$work/leg5" -xf -
dotnet build bench/StackPixels -c Release >/dev/null
(cd "$work/leg5" && dotnet build bench/StackPixels -c Release -p:MLNetStack=5 >/dev/null)
run6() { dotnet bench/StackPixels/bin/Release/net10.0/StackPixels.dll "$@"; }
run5() { dotnet "$work/leg5/bench/StackPixels/bin/Release/net10.0/StackPixels.dll" "$@"; }

run6 emoji "$work/package" "$work/emoji"
{
  echo "# bench/stack-pixels.sh, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  # case: images, size, channels, resizing, classes
  for case in "mnist 28 1 Fill 10" "emoji 32 3 Fill 9" "emoji 32 1 Fill 9" "emoji 24 3 IsoPad 9"; do
    read -r images size channels resizing classes <<<"$case"
    name="$images-$channels-$size-$resizing"
    echo
    echo "## $images at ${channels}x${size}x${size}, $resizing"
    for s in 6 5; do
      "run$s" train "$work/$images" "$size" "$channels" "$resizing" "$work/$name-$s.zip"
      "run$s" pixels "$work/$images" "$size" "$channels" "$resizing" "$work/$name-pixels-$s.bin"
    done
    run6 compare "$work/$name-pixels-6.bin" "$work/$name-pixels-5.bin" $((size * size * channels))
    for trained in 6 5; do
      for scored in 6 5; do
        "run$scored" score "$work/$name-$trained.zip" "$work/$images" "$work/$name-$trained-on-$scored.bin"
      done
      run6 compare "$work/$name-$trained-on-$trained.bin" "$work/$name-$trained-on-$((11 - trained)).bin" "$classes"
    done
    # Did the two stacks train the same network? Both models scored on the ML.NET 6 stack.
    run6 compare "$work/$name-6-on-6.bin" "$work/$name-5-on-6.bin" "$classes"
  done
} | sed "s|$work/||g" | tee "$out"
