/**
 * The README's list of warning ids is the code's: every id a construct can warn with (literal ids at
 * `addWarningV2`, the id constants of the delivery and the cross-check, and `cdk-cilium-mesh:<feature>` for every
 * capability row that warns) is listed, and nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { capabilityTable, Support } from '../../lib/cilium/capabilities';

const root = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [fs.readFileSync(p, 'utf8')] : [];
  });
}

function idsInCode(): string[] {
  const ids = new Set<string>();
  for (const text of sources(path.join(root, 'lib'))) {
    for (const m of text.matchAll(/addWarningV2\(\s*'(cdk-cilium-mesh:\w+)'/g)) ids.add(m[1]);
    for (const m of text.matchAll(/^const \w+_WARNING = '(cdk-cilium-mesh:\w+)';$/gm)) ids.add(m[1]);
  }
  for (const row of capabilityTable()) {
    if (row.capability.support === Support.UNSUPPORTED || row.capability.support === Support.UNTESTED) {
      ids.add(`cdk-cilium-mesh:${row.feature}`);
    }
  }
  return [...ids].sort();
}

function idsInReadme(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /\n## Warnings\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/^\| `(cdk-cilium-mesh:\w+)` \|/gm)].map((m) => m[1]).sort();
}

test('the README lists exactly the warning ids of the code', () => {
  const code = idsInCode();
  // the scan finds the literal ids, the two constants and the capability features (not an empty match)
  expect(code).toEqual(
    expect.arrayContaining([
      'cdk-cilium-mesh:shadowedRule',
      'cdk-cilium-mesh:meshWarning',
      'cdk-cilium-mesh:envoySourceIdentity',
      'cdk-cilium-mesh:gatewayApi',
    ]),
  );
  expect(idsInReadme()).toEqual(code);
});
