#!/usr/bin/env bash
# examples/ServingApi under load, on the loopback interface only, with a bounded number of requests: for each engine
# (a .zip scored by pooled PredictionEngines on libtorch, and its ONNX export scored by ONNX Runtime), Debian's `hey`
# posts one PNG digit REQUESTS times (default 4000) at 1, 8 and 32 concurrent clients, then 8 x REQUESTS times at 8 while
# the model file is replaced every second (written to a temporary name and renamed, alternating two networks). Each run
# is two halves, with the server's resident memory read before, between and after: the last half must not grow it
# by more than 5% in a steady run; then 200 renames 0.3 s apart under 4 clients, memory read every 50. A single non-2xx
# response fails the script. Then the fuzz-and-bomb phase (bench/ServingFuzz): the two decompression bombs of issue 27
# alone, with the server's peak resident memory reset before them, then bombs, truncations at every offset, bit flips
# and random bodies four at a time beside two clients sending the good image; a 5xx, a failed good request, or a rise
# of 50 MiB for the bombs fails the script. For contrast, DigitPredictor's one process per call on the same image, and the peak memory of OnnxServing's MNIST check against the libtorch example's. Writes
# bench/results/serving-load.md.
#   bash bench/serving-load.sh [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-4000}
data=${MNIST_DATA:-$(cd .. && pwd)/shared/data/mnist}
if ! command -v hey >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo -n"
  echo "Installing hey (Debian's HTTP load generator)..."
  $sudo_cmd apt-get install -y -qq hey >/dev/null 2>&1 || { echo "error: this benchmark needs hey: apt-get install hey" >&2; exit 2; }
fi
work=$(mktemp -d)
server_pid=""; swapper_pid=""
cleanup() {
  [ -n "$swapper_pid" ] && kill "$swapper_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Building and making the models (two small image-path digit models and their ONNX exports)..."
for project in ServingApi MnistConvNet DigitPredictor OnnxServing; do dotnet build "examples/$project" -c Release >/dev/null; done
dotnet build bench/ServingFuzz -c Release >/dev/null
bin() { echo "examples/$1/bin/Release/net10.0/$1.dll"; }
# The time per request does not depend on how well a network was trained: one epoch on 2,000 images each.
dotnet "$(bin MnistConvNet)" images --data "$data" --architectures SimpleConvNet --epochs 1 --max-train-rows 2000 --max-test-rows 100 --out "$work/a" >/dev/null
dotnet "$(bin MnistConvNet)" images --data "$data" --architectures LeNot --epochs 1 --max-train-rows 2000 --max-test-rows 100 --out "$work/b" >/dev/null
dotnet "$(bin MnistConvNet)" export-onnx "$work/a/digits.zip" --onnx-out "$work/a/digits.onnx" >/dev/null
dotnet "$(bin MnistConvNet)" export-onnx "$work/b/digits.zip" --onnx-out "$work/b/digits.onnx" >/dev/null
image="$work/a/png/test/7/test-00000.png"
convert "$image" -quality 90 "$work/small.jpg"   # the JPEG the fuzz phase's JPEG bomb is made from
port=5181
url="http://127.0.0.1:$port"

rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }
health() { curl -sf "$url/health"; }
field() { /usr/bin/python3 -c "import json,sys; v=json.load(sys.stdin)['$1']; print(json.dumps(v) if not isinstance(v, str) else v)"; }

# hey's per-request CSV -> "count non2xx seconds p50 p95 p99" (latencies in ms; seconds from first send to last answer).
stats() {
  /usr/bin/python3 - "$@" <<'EOF'
import csv, sys
times, bad, seconds = [], 0, 0.0
for path in sys.argv[1:]:
    rows = list(csv.DictReader(open(path)))
    seconds += max(float(r["offset"]) + float(r["response-time"]) for r in rows) - min(float(r["offset"]) for r in rows)
    for r in rows:
        times.append(float(r["response-time"]) * 1000)
        bad += not r["status-code"].startswith("2")
times.sort()
pct = lambda p: times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]
print(len(times), bad, f"{seconds:.3f}", f"{pct(50):.2f}", f"{pct(95):.2f}", f"{pct(99):.2f}")
EOF
}

rows=(); failures=0
# load ENGINE CONCURRENCY LABEL [TOTAL]: two halves of TOTAL requests (default REQUESTS; each half a multiple of the
# clients, as hey sends n / c per client), memory read around them; appends a table row.
load() {
  local engine=$1 clients=$2 label=$3 total=${4:-$requests} before middle after half
  half=$(( (total / 2 + clients - 1) / clients * clients ))
  before=$(rss_mib)
  hey -n "$half" -c "$clients" -m POST -T image/png -D "$image" -o csv "$url/predict" > "$work/first.csv"
  middle=$(rss_mib)
  hey -n "$half" -c "$clients" -m POST -T image/png -D "$image" -o csv "$url/predict" > "$work/second.csv"
  after=$(rss_mib)
  read -r count bad seconds p50 p95 p99 < <(stats "$work/first.csv" "$work/second.csv")
  local rps growth
  rps=$(awk -v c="$count" -v s="$seconds" 'BEGIN { printf "%.0f", c / s }')
  growth=$(awk -v m="$middle" -v a="$after" 'BEGIN { printf "%+.1f", (a - m) / m * 100 }')
  rows+=("| $engine | $label | $clients | $count | $bad | $rps | $p50 | $p95 | $p99 | $before / $middle / $after | $growth% |")
  echo "  $label, $clients clients: $count requests, $bad non-2xx, $rps req/s, p50 $p50 ms, p99 $p99 ms, RSS $before -> $middle -> $after MiB"
  [ "$bad" -eq 0 ] || failures=$((failures + bad))
  # Steady runs only: while swapping, a new model may be loading when the memory is read.
  if [ "$label" = steady ] && awk -v g="$growth" 'BEGIN { exit !(g > 5) }'; then
    echo "  resident memory grew ${growth}% over the last half" >&2; failures=$((failures + 1))
  fi
}

# replace_model I: the served file replaced as the library's saves do it (a temporary file renamed over it), by the
# second network for odd I and the first for even I.
replace_model() {
  local from=a
  if [ $(($1 % 2)) -eq 1 ]; then from=b; fi
  cp "$work/$from/digits.$kind" "$served.tmp"
  mv -f "$served.tmp" "$served"
}

notes=(); fuzz=()
for kind in zip onnx; do
  mkdir -p "$work/serve"
  served="$work/serve/model.$kind"
  cp "$work/a/digits.$kind" "$served"
  dotnet "$(bin ServingApi)" --model "$served" --urls "$url" > "$work/server-$kind.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do health >/dev/null 2>&1 && break; sleep 0.5; done
  health >/dev/null || { echo "error: the API did not start; its log:" >&2; cat "$work/server-$kind.log" >&2; exit 1; }
  engine=$(health | field engine)
  echo "$engine ($kind):"
  hey -n 400 -c 8 -m POST -T image/png -D "$image" "$url/predict" >/dev/null   # warm-up: JIT, pools, first allocations
  for clients in 1 8 32; do load "$engine" "$clients" "steady"; done

  # The same while the file is replaced every second, alternating the two networks.
  ( i=0; while true; do
      sleep 1; i=$((i + 1))
      replace_model "$i"
    done ) &
  swapper_pid=$!
  load "$engine" 8 "model swapped every second" $((requests * 8))   # long enough for several swaps
  kill "$swapper_pid"; wait "$swapper_pid" 2>/dev/null || true; swapper_pid=""
  sleep 1
  swaps=$(health | field swaps); reload_error=$(health | field lastReloadError); libtorch=$(health | field libtorchLoaded)
  notes+=("- $engine: $swaps swaps during the swapping run, last reload error: $reload_error; libtorch loaded in the server: $libtorch.")

  # Many swaps: 200 renames 0.3 s apart under 4 clients (a bounded 150,000 requests, 4 at a time, running beside
  # them); resident memory after every 50th, to show whether a swap leaves anything behind.
  hey -n 150000 -c 4 -m POST -T image/png -D "$image" -o csv "$url/predict" > "$work/many.csv" &
  hey_pid=$!
  swaps_before=$(health | field swaps); memory=()
  for i in $(seq 1 200); do
    replace_model "$i"
    sleep 0.3
    [ $((i % 50)) -eq 0 ] && memory+=("$(rss_mib)")
  done
  wait "$hey_pid"
  sleep 1
  read -r count bad _ _ _ p99 < <(stats "$work/many.csv")
  taken=$(( $(health | field swaps) - swaps_before ))
  notes+=("- $engine, 200 renames 0.3 s apart: $taken swaps taken, $count requests from 4 clients, $bad non-2xx, p99 $p99 ms; resident memory after every 50th: ${memory[*]} MiB.")
  echo "  200 renames: $taken swaps, $count requests, $bad non-2xx, RSS ${memory[*]} MiB"
  [ "$bad" -eq 0 ] || failures=$((failures + bad))
  # Fuzz and bombs.
  fuzz_status=0
  dotnet bench/ServingFuzz/bin/Release/net10.0/ServingFuzz.dll "$url" "$server_pid" "$image" "$work/small.jpg" > "$work/fuzz-$kind.md" || fuzz_status=$?
  fuzz+=("### $engine" "" "$(cat "$work/fuzz-$kind.md")" "")
  echo "  fuzz and bombs: $(grep -c '^| ' "$work/fuzz-$kind.md") table rows, exit $fuzz_status"
  [ "$fuzz_status" -eq 0 ] || failures=$((failures + 1))
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  rm -rf "$work/serve"
done

# One process per call, as examples/DigitPredictor does it: start, load the model, predict one image, exit.
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  dotnet "$(bin DigitPredictor)" "$work/a/digits.zip" "$image" >/dev/null
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
per_call=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)

# Peak memory scoring the whole MNIST test set: OnnxServing's check (ONNX Runtime, batches of 256) against the libtorch
# example's `score` (a LeNot .zip, Transform); GNU time's maximum resident set size.
peak_mib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }
if [ -x /usr/bin/time ]; then
  dotnet "$(bin MnistConvNet)" --data "$data" --architectures LeNot --epochs 1 --max-train-rows 2000 --out "$work/c" >/dev/null
  onnx_peak=$(peak_mib dotnet "$(bin OnnxServing)" --mnist "$data")
  torch_peak=$(peak_mib dotnet "$(bin MnistConvNet)" score "$work/c/lenot.zip" --data "$data" --scores-out "$work/scores.bin")
  peaks="- Peak resident memory scoring the MNIST test set (10,000 images): examples/OnnxServing --mnist ${onnx_peak} MiB; the libtorch example's score command (LeNot .zip) ${torch_peak} MiB."
else
  peaks="- Peak memory on the MNIST test set: not measured (needs GNU time: apt-get install time)."
fi

mkdir -p bench/results
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
simd=$(grep -q avx512f /proc/cpuinfo && echo AVX-512 || (grep -q avx2 /proc/cpuinfo && echo AVX2 || echo "no AVX2"))
{
  echo "Command: \`bash bench/serving-load.sh $requests\` on $cpu ($simd), $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "hey $(dpkg-query -W -f='${Version}' hey 2>/dev/null || echo '?') on 127.0.0.1, keep-alive, one 28x28 PNG digit per request; the API with its defaults"
  echo "(--max-concurrency = cores, one scoring thread per request). Model: SimpleConvNet reading image paths, as .zip and as its ONNX export."
  echo
  echo "| engine | run | clients | requests | non-2xx | requests/s | p50 ms | p95 ms | p99 ms | resident MiB: before / half / after | last half |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  printf '%s\n' "${notes[@]}"
  echo "- One process per call (examples/DigitPredictor, the same .zip and image): median of 5, ${per_call} ms per image (runs: ${times[*]} ms)."
  echo "$peaks"
  echo
  echo "## Fuzz and bombs"
  echo
  printf '%s\n' "${fuzz[@]}"
} > bench/results/serving-load.md
cat bench/results/serving-load.md
if [ "$failures" -gt 0 ]; then
  echo "FAILED: $failures non-2xx responses, steady runs whose memory grew more than 5%, or fuzz phases that failed (see above)." >&2
  exit 1
fi
