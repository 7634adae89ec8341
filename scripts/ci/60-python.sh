#!/usr/bin/env bash
# The Python package: builds the library with jsii (npm run build: dist/lib and the .jsii assembly), packages it for
# Python with jsii-pacmak (dist/pacmak/python/*.whl), installs the wheel into a cached venv with the Python CDK
# packages of examples/python/quickstart/requirements.txt, synthesizes examples/python/quickstart (the Python twin of
# examples/quickstart.ts) and compares its template with the TypeScript quickstart's (scripts/ci/60-python-compare.py).
# Ends with `python: quickstart synthesized, N resources, identical to TypeScript`.
#
# The venv lives in ${XDG_CACHE_HOME:-~/.cache}/cdk-cilium-mesh/python-<hash of the requirements and Python version>.
# The requirements file pins what PyPI has (its newest aws-cdk-lib is 2.275.0 on 2026-11-26, one release behind npm's,
# which is why the npm peer range starts at 2.275.0). The wheel is reinstalled on every run without touching its
# dependencies, and `pip check` then proves the pinned packages satisfy the wheel's own requirements.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/python.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
EXAMPLE=examples/python/quickstart
STACK=CiliumMeshQuickstart
PYTHON=${PYTHON:-python3}

npm run --silent build
rm -rf dist/pacmak/python
node_modules/.bin/jsii-pacmak --targets python > "$WORK/pacmak.log" 2>&1 || { cat "$WORK/pacmak.log"; exit 1; }
WHEEL=$(ls dist/pacmak/python/*.whl)

REQ="$EXAMPLE/requirements.txt"
KEY=$( (cat "$REQ"; "$PYTHON" --version) | sha256sum | cut -c1-16)
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/python-$KEY"
if [ ! -x "$VENV/bin/python" ] || [ ! -f "$VENV/.complete" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
  touch "$VENV/.complete"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$WHEEL"
"$VENV/bin/pip" check --disable-pip-version-check

# The jsii runtime in the Python process runs the library's JavaScript in a node child process.
(cd "$EXAMPLE" && CDK_OUTDIR="$WORK/py" "$VENV/bin/python" app.py) > "$WORK/py.log" 2>&1 \
  || { cat "$WORK/py.log"; exit 1; }
# The TypeScript quickstart as `npm run synth:examples` wrote it earlier in the run (.ci/run), else synthesized here.
TS_OUT=.validate/examples/cilium-1.20/quickstart
if [ ! -f "$TS_OUT/$STACK.template.json" ]; then
  TS_OUT="$WORK/ts"
  CDK_OUTDIR="$TS_OUT" node -r ./scripts/ci/transpile-cache.js examples/quickstart.ts > "$WORK/ts.log" 2>&1 \
    || { cat "$WORK/ts.log"; exit 1; }
fi

TS_CDK=$(node -p 'require("aws-cdk-lib/package.json").version')
PY_CDK=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-cdk-lib"))')
"$VENV/bin/python" scripts/ci/60-python-compare.py "$TS_OUT" "$WORK/py" "$STACK" "$TS_CDK" "$PY_CDK"
