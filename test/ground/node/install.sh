#!/usr/bin/env bash
# Installs Node.js 24 LTS (the version the image uses) from the npm registry's platform package into
# the cache, and prints its bin directory. The machine's own Node may be older. `install.sh 20.20.2`
# installs that version instead (a test runs `npm start` under an older Node).
set -euo pipefail
version=${1:-24.21.0}
cache=${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported machine: $(uname -m)" >&2; exit 1 ;;
esac
dir="$cache/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "installing Node.js $version ($arch)" >&2
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/node-download.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  mkdir -p "$work/unpacked"
  tar xzf "$work"/node-linux-*.tgz -C "$work/unpacked" --strip-components=1
  rm -rf "$dir"
  mv "$work/unpacked" "$dir"
fi
"$dir/bin/node" --version >&2
echo "$dir/bin"
