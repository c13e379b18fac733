#!/usr/bin/env bash
# Installs Debian's chromium package (a real headless browser for the activation page test) with
# apt-get, once: a lock keeps concurrent installs apart, and an installed browser is not touched.
# Prints the browser's path last.
set -euo pipefail

cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
mkdir -p "$cache"
exec 9>"$cache/chromium.lock"
flock 9
if ! command -v chromium >/dev/null; then
  command -v apt-get >/dev/null || { echo "chromium: not installed and no apt-get here" >&2; exit 1; }
  echo "chromium: installing Debian's chromium package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
fi
command -v chromium
