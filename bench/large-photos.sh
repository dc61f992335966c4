#!/usr/bin/env bash
# Reduced-scale decoding of large photos (ImageDecoding.ReducedScale, docs/data.md). Two measurements:
#  1. Speed: ImageMagick writes 20 textured 12-megapixel JPEGs (4000x3000, quality 90; 5 of them tagged EXIF
#     orientation 6, as a phone writes a portrait photo); bench/LargePhotos loads them into 3x64x64 and 3x224x224
#     features with ReducedScale on and off (off is how every image was decoded before), and with ImageAnalytics'
#     LoadImages for reference.
#  2. Accuracy on a real task: the emoji of emoji-datasource-apple 16.0.0 (npm; 9 categories) enlarged 8 times to
#     512x512 JPEGs train SimpleConvNet at 3x64x64; emoji-datasource-facebook 16.0.0's, enlarged the same way, test it.
#     ReducedScale on decodes them at 1/8 (64x64, the codec averaging each 8x8 block); off decodes 512x512 and
#     stretches with ImageAnalytics' nearest-pixel resize.
# Writes bench/results/large-photos.txt.
#   bash bench/large-photos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=bench/results/large-photos.txt
epochs=${EPOCHS:-10}

mkdir -p "$work/photos"
for k in 1 2 3 4; do
  convert -seed "$k" -size 4000x3000 plasma:fractal -blur 0x1 "$work/base$k.png"
done
for i in $(seq 0 19); do
  convert "$work/base$((i % 4 + 1)).png" -roll "+$((i * 397))+$((i * 211))" -quality 90 "$work/photos/photo$i.jpg"
  if (( i % 4 == 3 )); then exiftool -q -overwrite_original -n -Orientation=6 "$work/photos/photo$i.jpg"; fi
done
rm -f "$work"/base*.png

(cd "$work" && for source in apple facebook; do
  npm pack --silent "emoji-datasource-$source@16.0.0" >/dev/null && mkdir -p "$source" && tar xzf "emoji-datasource-$source-16.0.0.tgz" -C "$source"
done)

dotnet build bench/LargePhotos -c Release >/dev/null
run() { dotnet bench/LargePhotos/bin/Release/net10.0/LargePhotos.dll "$@"; }
run emoji "$work/apple/package" 8 "$work/apple-512"
run emoji "$work/facebook/package" 8 "$work/facebook-512"
{
  echo "# bench/large-photos.sh, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo
  echo "## Loading 12-megapixel JPEGs"
  run load "$work/photos" 64 3
  run load "$work/photos" 224 3
  echo
  echo "## Accuracy: Apple emoji as 512x512 JPEGs train, Facebook's test"
  run accuracy "$work/apple-512" "$work/facebook-512" "$epochs"
} | tee "$out"
