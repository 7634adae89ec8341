#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager (k8s.io/kubernetes) and etcd (go.etcd.io/etcd) from Go modules with the machine's Go
# toolchain, into a cache outside the repository keyed by version. Prints the binary directory on stdout.
# Idempotent: a second run with the binaries present does nothing.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-v1.35.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
CACHE=${KUBE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/kube}
# k8s.io/kubernetes v1.35.x pairs with the staging modules k8s.io/* v0.35.x.
STAGING_VERSION=v0${K8S_VERSION#v1}
BIN="$CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"

if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/etcd" ]; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$BIN"
log() { echo "kube/build: $*" >&2; }
export GOFLAGS=-mod=mod CGO_ENABLED=0


if [ ! -x "$BIN/etcd" ]; then
  log "building etcd $ETCD_VERSION"
  work=$(mktemp -d)
  cat >"$work/go.mod" <<MOD
module cdkciliummesh.local/etcdbuild
go 1.25
MOD
  printf 'package tools\n\nimport _ "go.etcd.io/etcd/server/v3/etcdmain"\n' >"$work/tools.go"
  # The server module's root package is etcd's own main (server/main.go).
  (cd "$work" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2 && go mod tidy >&2)
  (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3) >&2
  rm -rf "$work"
fi

if [ ! -x "$BIN/kube-apiserver" ] || [ ! -x "$BIN/kube-controller-manager" ]; then
  log "building kube-apiserver and kube-controller-manager $K8S_VERSION (staging modules $STAGING_VERSION); the first build takes several minutes"
  work=$(mktemp -d)
  modfile=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module cdkciliummesh.local/kubebuild"
    echo "go 1.25"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    # Every staging replace of k8s.io/kubernetes' own go.mod, pointed at the published release of that module.
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/k8s.io/.*#replace \1 => \1 '"$STAGING_VERSION"'#p' "$modfile"
  } >"$work/go.mod"
  printf 'package tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"\n)\n' >"$work/tools.go"
  (cd "$work" && go mod tidy >&2)
  ver="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1"
  ver="$ver -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  ver="$ver -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  for cmd in kube-apiserver kube-controller-manager; do
    [ -x "$BIN/$cmd" ] && continue
    (cd "$work" && go build -trimpath -ldflags "-s -w $ver" -o "$BIN/$cmd" "k8s.io/kubernetes/cmd/$cmd") >&2
  done
  rm -rf "$work"
fi
echo "$BIN"
