#!/usr/bin/env bash
# cdk-nag (AwsSolutions pack) plus our own rules (scripts/nag/cdk-cilium-mesh-checks.ts: the EKS endpoint and
# control-plane logs, which cdk-nag's EKS rules cannot see on aws-eks-v2 clusters) over every CDK app: each
# examples/*.ts and bin/app.ts. Every suppression is an acknowledgement next to its construct, with its reason
# (printed). Ends with `nag: N stacks, F findings, S suppressed, U unsuppressed`; fails on any unsuppressed finding.
# The examples are checked while `npm run synth:examples -- --nag` synthesizes them (as `.ci/run` does): their
# findings are read from .validate/nag, and only bin/app.ts is synthesized here.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
npm run --silent check:nag -- --findings .validate/nag
