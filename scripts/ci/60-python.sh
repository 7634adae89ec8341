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

# The wheel is a function of what jsii and jsii-pacmak read: the library's files (lib/, its .ts and the .py it ships),
# package.json, the lock file (jsii, jsii-pacmak, aws-cdk-lib and the other assemblies it reads), README.md (in the
# .jsii assembly), LICENSE, the tsconfig files and Node's version. Built once per content (`npm run build` and
# jsii-pacmak, ~45 CPU-s), then taken from ${XDG_CACHE_HOME:-~/.cache}/cdk-cilium-mesh/wheel-<hash of all those>;
# jsii's own checks of the public API ran when that wheel was built, on the same content.
WHEEL_KEY=$( (
  find lib -type f -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs sha256sum
  sha256sum package.json package-lock.json README.md LICENSE tsconfig.json tsconfig.build.json
  node --version
) | sha256sum | cut -c1-16)
WHEEL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/wheel-$WHEEL_KEY"
if [ ! -f "$WHEEL_CACHE/.complete" ]; then
  npm run --silent build
  rm -rf dist/pacmak/python
  node_modules/.bin/jsii-pacmak --targets python > "$WORK/pacmak.log" 2>&1 || { cat "$WORK/pacmak.log"; exit 1; }
  rm -rf "$WHEEL_CACHE" && mkdir -p "$WHEEL_CACHE"
  cp dist/pacmak/python/*.whl "$WHEEL_CACHE/"
  touch "$WHEEL_CACHE/.complete"
  echo "python: wheel built (cached as $(basename "$WHEEL_CACHE"))"
else
  echo "python: wheel of this content from the cache ($(basename "$WHEEL_CACHE"))"
fi
WHEEL=$(ls "$WHEEL_CACHE"/*.whl)

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
