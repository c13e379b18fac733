#!/usr/bin/env bash
# Builds lua-health (main.go beside this script: an Argo CD health script run on gopher-lua, the
# Lua Argo CD embeds) from the Go module proxy into $DSO_CACHE/lua-health-<stamp>/. The stamp is
# the hash of the sources, so a changed pin or program is rebuilt and an unchanged one is not.
# Prints the binary's path last.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
command -v go >/dev/null || { echo "lua: go is not on PATH (Go 1.26 needed)" >&2; exit 1; }

stamp="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)"
out="$cache/lua-health-$stamp"
if [[ -x $out/lua-health ]]; then
  echo "$out/lua-health"
  exit 0
fi
echo "lua: building lua-health ($stamp)" >&2
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$out"
(cd "$here" && go build -trimpath -ldflags="-s -w" -o "$out/lua-health.partial" .)
mv "$out/lua-health.partial" "$out/lua-health"
echo "$out/lua-health"
