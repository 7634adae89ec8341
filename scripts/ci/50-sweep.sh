#!/usr/bin/env bash
# Property-based sweep (test/sweep/sweep.ts, fast-check): over 2,000 generated inputs across the routing, policy and
# resilience constructs and CiliumVersion.of, with a fixed seed and one derived from the time of this run (printed;
# replay with SWEEP_SEED=<seed> bash scripts/ci/50-sweep.sh). Every input must be rejected with MeshValidationError
# naming a construct, or produce objects that pass the checks CI applies to everything else: validate-manifests.mjs
# (from a scratch copy of ../shared/tools), npm run check:cel, and the Envoy checker of 30-envoy.sh for the
# CiliumEnvoyConfigs. Ends with `sweep: N inputs, A valid, R rejected, I invalid, C crashed`; fails unless I = C = 0.
# Needs ROOT, SHARED, UPSTREAM and TMPDIR (set by .ci/run; VALIDATE_TOOLS optional) and a Go toolchain for the
# Envoy checker.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
UPSTREAM=${UPSTREAM:-$SHARED/upstream}
cd "$ROOT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sweep.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The validator's dependencies go into a scratch copy so that ../shared stays untouched: the one .ci/run installed
# (VALIDATE_TOOLS) when it is there, else one of our own.
TOOLS=${VALIDATE_TOOLS:-}
if [ -z "$TOOLS" ] || [ ! -d "$TOOLS/node_modules" ]; then
  TOOLS="$WORK/tools"
  mkdir -p "$TOOLS"
  cp -r "$SHARED/tools/." "$TOOLS/"
  (cd "$TOOLS" && npm ci --prefer-offline --no-audit --no-fund --silent)
fi

# The Envoy checker binary, built and cached exactly as scripts/ci/30-envoy.sh does (same source hash, same path).
SRC=scripts/envoy
BIN=$(bash "$SRC/build.sh")
node -r ./scripts/ci/transpile-cache.js "$SRC/extensions-json.ts" "$WORK/envoy-extensions.json"

# The per-run seed: the time of this run, unless given (SWEEP_RUN_SEED) or replaying one seed (SWEEP_SEED).
export SWEEP_RUN_SEED=${SWEEP_RUN_SEED:-$(( $(date +%s) % 2147483647 ))}
UPSTREAM="$UPSTREAM" VALIDATE_MANIFESTS="$TOOLS/validate-manifests.mjs" ENVOY_CHECK="$BIN" \
  ENVOY_EXTENSIONS="$WORK/envoy-extensions.json" \
  node -r ./scripts/ci/transpile-cache.js test/sweep/sweep.ts "$WORK/out"
