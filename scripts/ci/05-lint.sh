#!/usr/bin/env bash
# Lint and format: ESLint (eslint.config.mjs) and Prettier (.prettierrc.json) over our TypeScript (`npm run lint`),
# ruff (ruff.toml; pinned, from PyPI, in a virtualenv cached outside the repository) over the delivery handler, its
# tests and the live suite's driver. Fails on any finding or unformatted file. Fix with `npm run format` and
# `ruff format` / `ruff check --fix`.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
RUFF_VERSION=0.17.6
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/ruff-$RUFF_VERSION
if [ ! -f "$VENV/.complete" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION"
  touch "$VENV/.complete"
fi
status=0
npm run --silent lint || status=1
"$VENV/bin/ruff" check . || status=1
"$VENV/bin/ruff" format --check . || status=1
py=$(git ls-files '*.py' | wc -l)
ts=$(git ls-files '*.ts' ':!lib/imports/*' ':!*.generated.ts' | wc -l)
[ $status -eq 0 ] && echo "lint: $ts TypeScript files (ESLint, Prettier), $py Python files (ruff), 0 findings" \
  || echo "lint: FAILED"
exit $status
