#!/usr/bin/env bash
# Envoy config inside CiliumEnvoyConfigs: Kubernetes does not check `spec.resources`, so every CEC/CCEC that the
# tests recorded (.validate/manifests/<target>/) and the examples synthesized (.validate/examples/<target>/<example>/)
# is decoded with Envoy's own protobuf definitions and checked against the cilium-envoy extension list of its
# Cilium line (scripts/envoy/main.go). Prints `envoy: N resources, M invalid`; fails when M > 0 or N = 0.
# Needs ROOT and TMPDIR (set by .ci/run) and a Go toolchain; the checker is built once per source hash into a cache
# outside the repository.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
SRC=scripts/envoy
BIN=$(bash "$SRC/build.sh")

EXTENSIONS="${TMPDIR:-/tmp}/envoy-extensions.$$.json"
trap 'rm -f "$EXTENSIONS"' EXIT
# The extension table is lib data; the checker reads it as JSON instead of keeping its own copy.
node -r ./scripts/ci/transpile-cache.js "$SRC/extensions-json.ts" "$EXTENSIONS"

# Self-check: the checker must find each of the six mistakes in testdata/invalid.yaml, or a pass below means nothing.
set +e
self=$("$BIN" -extensions "$EXTENSIONS" "1.20=$SRC/testdata/invalid.yaml")
rc=$?
set -e
if [ $rc -ne 1 ] || ! echo "$self" | grep -q '^envoy: 6 resources, 6 invalid'; then
  echo "$self"
  echo "envoy: the checker's self-check failed (expected exit 1 and 6 invalid resources in $SRC/testdata/invalid.yaml, got exit $rc)"
  exit 1
fi

# cilium-1.20, cilium-1.20-experimental -> 1.20; cilium-1.16 -> 1.16
line_of() { echo "$1" | sed -n 's/^cilium-\([0-9]*\.[0-9]*\).*$/\1/p'; }
args=()
for dir in .validate/manifests/*/ .validate/examples/*/*/; do
  [ -d "$dir" ] || continue
  case "$dir" in
    .validate/manifests/*) target=$(basename "$dir") ;;
    *) target=$(basename "$(dirname "$dir")") ;;
  esac
  line=$(line_of "$target")
  if [ -z "$line" ]; then
    echo "envoy: cannot tell the Cilium line of validation target '$target' ($dir)" >&2
    exit 2
  fi
  args+=("$line=$dir")
done
if [ ${#args[@]} -eq 0 ]; then
  echo "envoy: nothing recorded in .validate (run the tests and npm run synth:examples first)"
  exit 1
fi
"$BIN" -extensions "$EXTENSIONS" -require-some "${args[@]}"
