#!/usr/bin/env bash
# Builds and runs a user's application against the packed MLNet.ConvNet package, in the shapes users have, each in a
# folder of its own outside the repository (no Directory.Build.*, no central versions), made as a user makes one:
# `dotnet new console`, then `dotnet add package` for each package, then `dotnet build -warnaserror`.
#
#   a  Microsoft.ML and Microsoft.ML.ImageAnalytics added without versions (today 6.0.0), TorchSharp-cpu
#   b  Microsoft.ML 5.0.1 and Microsoft.ML.ImageAnalytics 5.0.1, TorchSharp-cpu
#   c  as a, plus Microsoft.ML.TorchSharp (ML.NET's own TorchSharp trainers) without a version
#   d  as a, without any libtorch package: the run must stop with the library's message naming what to add
#
# Every shape also takes MLNet.ConvNet.Plots and draws two charts with it.
#
# Usage: run-shapes.sh FEED VERSION MNIST_FOLDER [SHAPE ...]   (FEED holds MLNet.ConvNet.VERSION.nupkg and
# MLNet.ConvNet.Plots.VERSION.nupkg; all shapes by default)
# Prints one line per shape ("shape a: passed ..." or "shape a: FAILED ...") and exits with the number that failed.
set -uo pipefail
feed=$(cd "$1" && pwd)
version=$2
mnist=$3
shift 3
shapes=("$@")
[ "${#shapes[@]}" -eq 0 ] && shapes=(a b c d)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
failed=0

packages_for() {
  case "$1" in
    a) echo "Microsoft.ML Microsoft.ML.ImageAnalytics TorchSharp-cpu" ;;
    b) echo "Microsoft.ML@5.0.1 Microsoft.ML.ImageAnalytics@5.0.1 TorchSharp-cpu@0.107.0" ;;
    c) echo "Microsoft.ML Microsoft.ML.ImageAnalytics TorchSharp-cpu Microsoft.ML.TorchSharp" ;;
    d) echo "Microsoft.ML Microsoft.ML.ImageAnalytics" ;;
    *) return 1 ;;
  esac
}

for shape in "${shapes[@]}"; do
  dir="$work/$shape/PackageConsumer"
  log="$work/$shape.log"
  mkdir -p "$dir"
  if ! packages=$(packages_for "$shape"); then
    echo "shape $shape: FAILED (no such shape; the shapes are a, b, c and d)"
    failed=$((failed + 1))
    continue
  fi
  # The sources the repository restores from, plus the folder with the freshly packed library.
  cp "$repo/nuget.config" "$work/$shape/nuget.config"
  ok=true
  {
    (cd "$dir" && dotnet new console --force) &&
    (cd "$work/$shape" && dotnet nuget add source "$feed" --name convnet-ci --configfile nuget.config) &&
    cp "$here/Program.cs" "$dir/Program.cs" &&
    (cd "$dir" && dotnet add package MLNet.ConvNet --version "$version") &&
    (cd "$dir" && dotnet add package MLNet.ConvNet.Plots --version "$version")
  } >"$log" 2>&1 || ok=false
  for package in $packages; do
    $ok || break
    name=${package%@*}
    if [ "$name" != "$package" ]; then
      (cd "$dir" && dotnet add package "$name" --version "${package#*@}") >>"$log" 2>&1 || ok=false
    else
      (cd "$dir" && dotnet add package "$name") >>"$log" 2>&1 || ok=false
    fi
  done
  if $ok; then
    (cd "$dir" && dotnet build -c Release -warnaserror) >>"$log" 2>&1 || ok=false
  fi
  resolved=$(grep -o '"\(Microsoft.ML\|Microsoft.ML.ImageAnalytics\|Microsoft.ML.OnnxConverter\|Microsoft.ML.TorchSharp\|SkiaSharp\|TorchSharp\|TorchSharp-cpu\|OxyPlot.SkiaSharp\)/[^"]*"' "$dir/obj/project.assets.json" 2>/dev/null | sort -u | tr -d '"' | paste -sd ' ' -)
  if ! $ok; then
    echo "shape $shape: FAILED to restore or build ($packages):"
    grep -E "error|warning" "$log" | sort -u | tail -n 15
    failed=$((failed + 1))
    continue
  fi
  # With the run-time libstdc++ fallback off, so the package's build step must have made libtorch loadable.
  output=$(MLNET_CONVNET_NATIVE_FALLBACK=0 dotnet "$dir/bin/Release/net10.0/PackageConsumer.dll" "$mnist" 2>&1)
  status=$?
  if [ "$shape" = d ]; then
    if [ "$status" -ne 0 ] && grep -q "The application has no libtorch" <<<"$output" \
       && grep -q "TorchSharp-cpu" <<<"$output" && grep -q "TorchSharp-cuda-linux" <<<"$output"; then
      echo "shape $shape: passed: without libtorch, Fit stops with: $(grep -o 'ConvNetNativeException: libtorch could not be loaded.*See docs/native-libraries.md\.' <<<"$output" | head -n 1)"
    else
      echo "shape $shape: FAILED: expected the run to stop with the library's no-libtorch message (exit code $status):"
      tail -n 15 <<<"$output"
      failed=$((failed + 1))
    fi
  elif [ "$status" -eq 0 ]; then
    echo "shape $shape: passed: $(tail -n 1 <<<"$output") [resolved: $resolved]"
  else
    echo "shape $shape: FAILED (exit code $status) [resolved: $resolved]:"
    tail -n 15 <<<"$output"
    failed=$((failed + 1))
  fi
done
rm -rf "$work"
exit "$failed"
