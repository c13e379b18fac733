#!/usr/bin/env bash
# Makes the test ground's Python venv (official delta-sharing client + deltalake), keyed by the
# hash of requirements.txt so a changed pin gets a fresh venv and an unchanged one is reused.
# Prints the venv path on its last line.
#   install.sh [REQUIREMENTS NAME MODULES]  another venv: its pins, its folder name, modules to import
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="${1:-$here/requirements.txt}"
name="${2:-venv}"
modules="${3:-delta_sharing, deltalake, pandas, pyarrow}"
cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
python="${DSO_PYTHON:-python3}"

hash="$(sha256sum "$requirements" | cut -c1-16)"
venv="$cache/$name-$hash"
marker="$venv/.installed"

ready() { [[ -f "$marker" ]] && "$venv/bin/python" -c "" 2>/dev/null; }

if ready; then
  echo "$venv"
  exit 0
fi

mkdir -p "$cache"
# Two installs racing (e.g. parallel CI steps) must not build the same venv at once.
exec 9>"$venv.lock"
flock -w 900 9 || { echo "install.sh: timed out waiting for $venv.lock" >&2; exit 1; }
if ready; then
  echo "$venv"
  exit 0
fi

version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
case "$version" in
  3.1[0-9]) ;;
  *) echo "install.sh: need Python >= 3.10, $python is $version" >&2; exit 1 ;;
esac

# A venv left half-built by an interrupted run is not trusted.
rm -rf "$venv"
echo "python venv: creating $venv with $python ($version)" >&2
"$python" -m venv "$venv"
# pip's HTTP cache was not reused on these machines (every wheel was downloaded again), so keep
# a wheelhouse per requirements hash and Python version, and install from it offline.
wheels="$cache/${name/venv/wheels}-$hash-py${version/./}"
if [[ ! -f "$wheels/.complete" ]]; then
  echo "python venv: downloading $(grep -c '==' "$requirements") pinned packages into $wheels" >&2
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check \
    --cache-dir "$cache/pip-cache" --only-binary=:all: --dest "$wheels" --requirement "$requirements"
  touch "$wheels/.complete"
fi
echo "python venv: installing from $wheels" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile \
  --no-index --find-links "$wheels" --requirement "$requirements"
# Byte-compile once here (skipping the packages' own test suites): with PYTHONDONTWRITEBYTECODE set,
# as it is on these machines, every test's Python run would otherwise recompile pandas (~2 s each).
echo "python venv: byte-compiling" >&2
"$venv/bin/python" -m compileall -q -j 0 -x '/tests?/' "$venv/lib" >/dev/null
"$venv/bin/python" -c "import $modules"
touch "$marker"
echo "python venv: ready" >&2
echo "$venv"
