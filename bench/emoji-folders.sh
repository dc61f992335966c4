# Sourced by bench/real-images.sh and bench/real-binary.sh: fetches npm's emoji-datasource-apple and -facebook 16.0.0
# into $1 (never committed), builds bench/RealImages, defines `bench` (its command line), and prepares $1/train from
# Apple's drawings and $1/test from Facebook's, one folder per emoji.json category.
emoji_folders() {
  local work=$1
  (cd "$work" && for vendor in apple facebook; do
    npm pack --silent "emoji-datasource-$vendor@16.0.0" >/dev/null && mkdir -p "$vendor" && tar xzf "emoji-datasource-$vendor-16.0.0.tgz" -C "$vendor"
  done)
  dotnet build bench/RealImages -c Release >/dev/null
  bench prepare "$work/apple/package" apple "$work/train"
  bench prepare "$work/facebook/package" facebook "$work/test"
}

bench() { dotnet bench/RealImages/bin/Release/net10.0/RealImages.dll "$@"; }
