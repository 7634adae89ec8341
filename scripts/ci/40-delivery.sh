#!/usr/bin/env bash
# CI check: the delivery guarantees (docs/delivery.md) on a live kube-apiserver, with the Lambda layer's kubectl.
# Builds or reuses the cached etcd + kube-apiserver (scripts/kube/build.sh), starts them in a state directory of its
# own under TMPDIR, runs test/live/delivery/*.live.ts and stops the server whatever happens. One summary line.
set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
STATE="${TMPDIR:-/tmp}/kube-ci-delivery"
LOG="${TMPDIR:-/tmp}/ci-delivery.log"
trap 'bash scripts/kube/stop.sh "$STATE" >/dev/null 2>&1 || true' EXIT
if ! start=$(bash scripts/kube/start.sh "$STATE" 2>"$LOG"); then
  echo "delivery: FAILED to start the API server (see $LOG)"; tail -5 "$LOG"; exit 1
fi
eval "$start"
KUBE_TOOLS_DIR=$(bash scripts/kube/tools.sh) || { echo "delivery: FAILED to unpack kubectl from the layer"; exit 1; }
export KUBECONFIG KUBE_TOOLS_DIR
if npx jest --rootDir . --testMatch '**/test/live/delivery/**/*.live.ts' --testTimeout 600000 --runInBand --json \
  --outputFile="${TMPDIR:-/tmp}/ci-delivery.json" >>"$LOG" 2>&1; then
  node -e 'const r=require(process.argv[1]); console.log(`delivery: ${r.numPassedTests} guarantee tests passed on kube-apiserver (live)`)' \
    "${TMPDIR:-/tmp}/ci-delivery.json"
else
  node -e 'const r=require(process.argv[1]); console.log(`delivery: FAILED, ${r.numFailedTests} of ${r.numTotalTests} live tests failed`)' \
    "${TMPDIR:-/tmp}/ci-delivery.json" 2>/dev/null || echo "delivery: FAILED (see $LOG)"
  grep -E "✕|●" "$LOG" | head -20
  exit 1
fi
