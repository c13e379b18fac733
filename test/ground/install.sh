#!/usr/bin/env bash
# Installs every part of the test ground into the cache: the S3 server, the Kubernetes API server
# and etcd, the Python virtualenv with the official client and deltalake, moto's venv (STS and an
# S3 that takes session credentials), and the Spark venv with pyspark, delta-spark and its jars
# (the delta-spark fixture tables); hadolint for the Dockerfile and gopher-lua for the README's
# Argo CD health script; Debian's chromium for the activation page test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for part in s3 python moto kube spark hadolint lua chromium; do
  begun=$(date +%s)
  bash "$here/$part/install.sh" >/dev/null
  echo "test ground: $part ready ($(( $(date +%s) - begun )) s)"
done
