#!/usr/bin/env bash
# The real-image benchmark (docs/transfer-learning.md, "On real images"): nine emoji categories (Activities, Animals &
# Nature, Flags, Food & Drink, Objects, People & Body, Smileys & Emotion, Symbols, Travel & Places; emoji.json's
# "category"), trained on one vendor's 64x64 drawings (npm's emoji-datasource-apple 16.0.0: 1,903 images, or the first
# 20 of each category: 180) and scored on another vendor's drawings of the same emoji (emoji-datasource-facebook
# 16.0.0: 1,855 images). Fetched with `npm pack` at run time, never committed. For seeds 1-3 it measures
# FineTuningRecipe as shipped and as it was before, the shipped recipe with each of its pieces turned off and with a
# weight average or test-time augmentation added (the ablation; test-time augmentation is opt-in, since the ONNX
# export refuses it),
# AugmentedRecipe from scratch as shipped and as it was, and ML.NET's own transfer learning.
# Appends each run to bench/results/real-images/runs.tsv (a rerun skips the runs already there: delete the file to
# start again) and writes the table of medians to bench/results/real-images/table.md. About 90 minutes on 2 cores.
#   bash bench/real-images.sh              # SEEDS="1" or ROWS="recipe recipe.before" for a part
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/real-images
mkdir -p "$out"
runs="$out/runs.tsv"
touch "$runs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=${SEEDS:-1 2 3}
rows=${ROWS:-recipe recipe.before scratch scratch.before mlnet recipe-geometric recipe-colour recipe-smoothing recipe+averaging recipe+tta}

source bench/emoji-folders.sh
emoji_folders "$work"
bench prepare "$work/apple/package" apple "$work/train20" 20

# Row by row, each for every seed and size, the comparison first and the ablation last. ML.NET's featurizer and
# L-BFGS draw nothing at random: one seed.
for row in $rows; do
  for seed in $seeds; do
    if [ "$row" = mlnet ] && [ "$seed" != "${seeds%% *}" ]; then continue; fi
    for size in 1903 180; do
      train=$([ "$size" = 180 ] && echo train20 || echo train)
      if awk -F'\t' -v r="$row" -v n="$size" -v s="$seed" '$1 == r && $2 == n && $3 == s { found = 1 } END { exit !found }' "$runs"; then
        continue
      fi
      echo "$row, $size training images, seed $seed" >&2
      bench run "$work/$train" "$work/test" "$row" "$seed" | tee -a "$runs"
    done
  done
done

{
  echo "# bash bench/real-images.sh, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo
  echo "Trained on emoji-datasource-apple 16.0.0, scored on the 1,855 images of emoji-datasource-facebook 16.0.0 (9 categories)."
  echo
  bench table "$runs"
} | tee "$out/table.md"
