#!/usr/bin/env bash
# Installs every part of the test ground into the cache: the S3 server, the Kubernetes API server
# and etcd, and the Python virtualenv with the official client and deltalake.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for part in s3 python kube; do
  begun=$(date +%s)
  bash "$here/$part/install.sh" >/dev/null
  echo "test ground: $part ready ($(( $(date +%s) - begun )) s)"
done
