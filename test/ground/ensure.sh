#!/usr/bin/env bash
# Run by `npm test` first: checks that this machine has the tools the test ground is built with,
# naming (with Debian/Ubuntu package names) whatever is missing, then installs every part of the
# test ground that is not in the cache yet. Nothing here needs root; a part already installed is
# skipped by its own install.sh in well under a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python="${DSO_PYTHON:-python3}"
missing=()
need() { command -v "$1" >/dev/null || missing+=("$1 ($2)"); }
need java "openjdk-21-jdk-headless: S3Proxy and Spark"
need mvn "maven: fetches S3Proxy and the Spark jars"
need go "Go 1.26 from go.dev/dl: builds kube-apiserver, etcd and helm"
need "$python" "python3.11 with python3.11-venv: the official client, deltalake, delta-spark"
need flock "util-linux"
need sha256sum "coreutils"
need tar "tar"
if command -v "$python" >/dev/null &&
  ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  missing+=("Python >= 3.11 with venv (python3.11-venv); $python is $("$python" --version 2>&1)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test needs, on this machine (the rest installs itself, without root, into ~/.cache):" >&2
  for tool in "${missing[@]}"; do echo "  - $tool" >&2; done
  exit 1
fi
bash "$here/install.sh"
