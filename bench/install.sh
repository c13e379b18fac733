#!/usr/bin/env bash
# What the benchmarks need beyond the test ground: wrk (Debian's package) as the load generator.
# The reference server has its own script (bench/reference/install.sh). Idempotent.
set -euo pipefail

wrk_version=4.1.0-3+b2

if command -v wrk >/dev/null; then
  exit 0
fi
command -v apt-get >/dev/null || { echo "bench: wrk is missing and there is no apt-get to install it" >&2; exit 1; }
echo "bench: installing wrk $wrk_version (apt)" >&2
if ! apt-get install -y -q "wrk=$wrk_version" >/dev/null 2>&1; then
  apt-get update -q >/dev/null
  apt-get install -y -q "wrk=$wrk_version" >/dev/null
fi
command -v wrk >/dev/null
