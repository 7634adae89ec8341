#!/usr/bin/env bash
# `npm run test:cluster`: builds (or reuses) kube-apiserver and etcd, runs the live-cluster suite (test/live/**/*.live.ts,
# each test starting its own servers, two test files at a time: jest.live.config.js) and ends with two lines:
#   kube: S servers started, C s CPU (etcd, kube-apiserver, kube-controller-manager)
#   cluster: N examples, M objects created and read back, K chart installs, F failed
# No process outlives the run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
started=$SECONDS
bash scripts/kube/build.sh >/dev/null
echo "kube: kube-apiserver and etcd ready in $((SECONDS - started)) s (built once, then cached under ~/.cache/cdk-cilium-mesh/kube)"
KUBE_TOOLS_DIR=$(bash scripts/kube/tools.sh)
export KUBE_TOOLS_DIR
WORK=$(mktemp -d)
# Every server of the run (tests start theirs under KUBE_RUN_DIR, see test/live/cluster.ts) is stopped on exit,
# also when the run is interrupted or killed with TERM.
export KUBE_RUN_DIR="$WORK/servers"
# scripts/kube/stop.sh appends the CPU seconds of each server process it stops here: the servers run in sessions of
# their own, so no parent's CPU time includes them.
export KUBE_CPU_LOG="$WORK/server-cpu.txt"
: >"$KUBE_CPU_LOG"
# One set of certificates for every server of the run (scripts/kube/pki.sh).
export KUBE_PKI_DIR="$WORK/pki"
bash scripts/kube/pki.sh "$KUBE_PKI_DIR"
cleanup() {
  for d in "$KUBE_RUN_DIR"/*/; do
    [ -d "$d" ] && bash scripts/kube/stop.sh "$d" >/dev/null 2>&1
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
export CLUSTER_TALLY="$WORK/tally.jsonl"
: >"$CLUSTER_TALLY"
set +e
npx jest -c jest.live.config.js --json --outputFile="$WORK/jest.json" "$@"
rc=$?
set -e
node -e '
  const fs = require("fs");
  const [tallyFile, jestFile] = process.argv.slice(1);
  const sum = { examples: 0, objects: 0, chartInstalls: 0 };
  for (const line of fs.readFileSync(tallyFile, "utf8").split("\n").filter(Boolean)) {
    const t = JSON.parse(line);
    for (const k of Object.keys(sum)) sum[k] += t[k] ?? 0;
  }
  let failed = 0, passed = 0;
  try { const j = JSON.parse(fs.readFileSync(jestFile, "utf8")); failed = j.numFailedTests + j.numRuntimeErrorTestSuites; passed = j.numPassedTests; } catch { failed = 1; }
  console.log(`live tests: ${passed} passed, ${failed} failed`);
  console.log(`cluster: ${sum.examples} examples, ${sum.objects} objects created and read back, ${sum.chartInstalls} chart installs, ${failed} failed`);
' "$CLUSTER_TALLY" "$WORK/jest.json"
awk '$1 == "apiserver" { n++ } { cpu += $2 } END { printf "kube: %d servers started, %.0f s CPU (etcd, kube-apiserver, kube-controller-manager)\n", n, cpu }' "$KUBE_CPU_LOG"
exit $rc
