#!/usr/bin/env bash
# Builds the Envoy checker (scripts/envoy, go-control-plane) once per source hash into a cache outside the
# repository and prints the binary's path. Used by scripts/ci/30-envoy.sh and scripts/ci/50-sweep.sh.
set -euo pipefail
SRC=$(cd "$(dirname "$0")" && pwd)
CACHE=${ENVOY_CHECK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh}
# Keyed by go.sum (the pinned dependencies) and the checker's own sources, so either change rebuilds it.
HASH=$(cat "$SRC/go.sum" "$SRC/go.mod" "$SRC"/*.go | sha256sum | cut -c1-16)
BIN="$CACHE/envoy-check-$HASH"
if [ ! -x "$BIN" ]; then
  echo "envoy: building the checker (go-control-plane, once per source hash) into $BIN" >&2
  mkdir -p "$CACHE"
  (cd "$SRC" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -o "$BIN.tmp.$$" .) >&2
  mv "$BIN.tmp.$$" "$BIN"
fi
echo "$BIN"
