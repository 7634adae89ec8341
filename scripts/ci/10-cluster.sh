#!/usr/bin/env bash
# The live-cluster suite (npm run test:cluster) over the assemblies `npm run synth:examples` wrote: a real
# kube-apiserver and etcd (built from Go modules once, then cached), the library's own delivery handler with the
# kubectl layer's binaries, and the real Cilium chart of every line. Ends with its `cluster: ...` line. `.ci/run`
# starts it before the examples are synthesized, with LIVE_ASSEMBLY_WAIT set (see test/live/examples.ts).
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
LIVE_ASSEMBLY_DIR="$ROOT/.validate/examples" npm run --silent test:cluster
