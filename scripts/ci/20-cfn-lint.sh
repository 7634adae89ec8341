#!/usr/bin/env bash
# cfn-lint (pinned, from PyPI, in a virtualenv cached outside the repository) over every template that
# `npm run synth:examples` wrote to .validate/examples. Fails on any error. Warnings and informational findings that
# stay are listed, with the reason, in the README ("CloudFormation lint"); the ignore list below names each.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CFN_LINT_VERSION=1.58.0
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/cdk-cilium-mesh/cfn-lint-$CFN_LINT_VERSION
# A venv's scripts name its interpreter by absolute path, so it is built in place; the marker says it is complete.
if [ ! -f "$VENV/.complete" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
  touch "$VENV/.complete"
fi
mapfile -t templates < <(find "$ROOT/.validate/examples" -name '*.template.json' | sort)
if [ ${#templates[@]} -eq 0 ]; then
  echo "cfn-lint: no templates under .validate/examples (run npm run synth:examples first)" >&2
  exit 1
fi
# Rules we do not enforce, each explained in the README's "CloudFormation lint" section.
IGNORE=()
set +e
"$VENV/bin/cfn-lint" --format parseable ${IGNORE[@]+"${IGNORE[@]}"} -- "${templates[@]}" >"$TMPDIR/cfn-lint.out"
rc=$?
set -e
errors=$(grep -c ':E[0-9]' "$TMPDIR/cfn-lint.out" || true)
warnings=$(grep -c ':W[0-9]' "$TMPDIR/cfn-lint.out" || true)
infos=$(grep -c ':I[0-9]' "$TMPDIR/cfn-lint.out" || true)
sed "s#$ROOT/##" "$TMPDIR/cfn-lint.out"
echo "cfn-lint $CFN_LINT_VERSION: ${#templates[@]} templates, $errors errors, $warnings warnings, $infos informational"
# cfn-lint's exit code is a bit mask (1 = fatal, 2 = error, 4 = warning, 8 = informational): only errors fail.
[ $rc -lt 16 ] && [ $((rc & 3)) -eq 0 ] && [ "$errors" -eq 0 ]
