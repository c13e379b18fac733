#!/usr/bin/env bash
# Makes the moto venv (STS and S3 for directory access tests), keyed by the hash of its pins.
# Prints the venv path on its last line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../python/install.sh" "$here/requirements.txt" moto-venv "moto.server, boto3, flask_cors"
