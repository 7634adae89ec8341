#!/usr/bin/env bash
# cfn-lint (pinned, from PyPI, in a virtualenv cached outside the repository) over every template that
# `npm run synth:examples` wrote to .validate/examples. Fails on any error, and on any violation in the examples'
# validation-report.json files (below). Warnings and informational findings that
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
lint_ok=0
[ $rc -lt 16 ] && [ $((rc & 3)) -eq 0 ] && [ "$errors" -eq 0 ] || lint_ok=1

# aws-cdk-lib's own template validation ran while the examples synthesized (CDK_VALIDATION on) and wrote one
# validation-report.json per example; outside the strict context it only warns, so its findings are judged here.
# Acknowledged findings (Validations.of(x).acknowledge, with their reason next to the construct) pass.
report_rc=0
python3 - "$ROOT/.validate/examples" <<'PY' || report_rc=$?
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
reports = sorted(root.rglob("validation-report.json"))
if not reports:
    sys.exit("cdk validation: no validation-report.json under .validate/examples (synthesized with CDK_VALIDATION off?)")
plugins = violations = acknowledged = failed = 0
for path in reports:
    for plugin in json.loads(path.read_text()).get("pluginReports", []):
        plugins += 1
        acknowledged += len(plugin.get("suppressedViolations", []))
        found = plugin.get("violations", [])
        violations += len(found)
        if plugin.get("conclusion") != "success" or found:
            failed += 1
            print(f"{path.relative_to(root)}: {plugin.get('pluginName')} {plugin.get('conclusion')}")
            for v in found:
                where = ", ".join(c.get("constructPath", "?") for c in v.get("violatingConstructs", []))
                print(f"  {v.get('ruleName')} ({v.get('severity')}): {v.get('description')} at {where}")
print(
    f"cdk validation: {len(reports)} reports, {plugins} plugin runs, {failed} failed, {violations} violations, "
    f"{acknowledged} acknowledged"
)
sys.exit(1 if failed else 0)
PY
exit $((lint_ok | report_rc))
