#!/usr/bin/env bash
# Builds the Kubernetes part of the test ground from the Go module proxy: kube-apiserver, a small
# embedded etcd and helm. Each lands in $DSO_CACHE/kube/<name>-<version>/ with a stamp of the
# sources it came from, so a second run with unchanged pins builds nothing. Versions are pinned in
# the go.mod files next to this script (test/ground/kube-tools.ts reads the same pins).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"

export GOMODCACHE="$cache/go/mod"
export GOCACHE="$cache/go/build"
export GOFLAGS=-mod=mod
export GOTOOLCHAIN=local
export CGO_ENABLED=0

command -v go >/dev/null || { echo "kube: go is not on PATH (Go 1.26 needed)" >&2; exit 1; }

# pinned <module dir> <module path>: the version that module's go.mod requires.
pinned() {
  awk -v m="$2" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m && $2 ~ /^v/) { print $2; exit }' \
    "$here/$1/go.mod"
}

# sources_stamp <module dir> <ldflags>: what a cached binary was built from.
sources_stamp() {
  local files=("$here/$1"/go.mod "$here/$1"/go.sum)
  files+=("$here/$1"/*.go)
  [[ -e ${files[-1]} ]] || unset 'files[-1]'
  { cat "${files[@]}"; echo "$2"; } | sha256sum | cut -c1-16
}

# build <binary name> <module dir> <package> <version> [extra -ldflags...]
build() {
  local name=$1 dir=$2 package=$3 version=$4
  shift 4
  local out="$cache/kube/$name-$version" ldflags="-s -w $*"
  if [[ -x $out/$name && "$(cat "$out/.sources" 2>/dev/null)" == "$(sources_stamp "$dir" "$ldflags")" ]]; then
    echo "kube: $name $version cached"
    return
  fi
  echo "kube: building $name $version (the first time takes minutes)"
  local started=$SECONDS
  mkdir -p "$out"
  (cd "$here/$dir" && go build -trimpath -ldflags="$ldflags" -o "$out/$name.partial" "$package")
  mv "$out/$name.partial" "$out/$name"
  sources_stamp "$dir" "$ldflags" >"$out/.sources"
  echo "kube: built $name $version in $((SECONDS - started)) s"
}

kubernetes=$(pinned apiserver k8s.io/kubernetes)
minor=${kubernetes#v1.}
minor=${minor%%.*}
build kube-apiserver apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kubernetes" \
  "-X k8s.io/component-base/version.gitVersion=$kubernetes" \
  "-X k8s.io/component-base/version.gitMajor=1" \
  "-X k8s.io/component-base/version.gitMinor=$minor" \
  "-X k8s.io/component-base/version.gitTreeState=clean"

build etcd etcd . "$(pinned etcd go.etcd.io/etcd/server/v3)"

# As helm's Makefile does: the Kubernetes version helm assumes without a cluster (helm template,
# helm lint's deprecation rules) is that of the client-go it is built with.
helm=$(pinned helm helm.sh/helm/v3)
client_go=$(cd "$here/helm" && go list -m -f '{{.Version}}' k8s.io/client-go)
helm_kube_minor=${client_go#v0.}
helm_kube_minor=${helm_kube_minor%%.*}
build helm helm helm.sh/helm/v3/cmd/helm "$helm" \
  "-X helm.sh/helm/v3/internal/version.version=$helm" \
  "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1" \
  "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$helm_kube_minor" \
  "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1" \
  "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$helm_kube_minor"

echo "kube: binaries in $cache/kube"
