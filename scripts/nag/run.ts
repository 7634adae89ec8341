/**
 * `npm run check:nag`: cdk-nag's AwsSolutions pack plus our own rules (scripts/nag/cdk-cilium-mesh-checks.ts) over
 * every CDK app of the repository: each examples/*.ts and bin/app.ts, run as the script it is (with
 * scripts/nag/register.ts preloaded, which checks the app once it synthesizes). Prints every unsuppressed finding,
 * the suppressions per rule with their reason, and the line
 * `nag: N stacks, F findings, S suppressed, U unsuppressed`; exits 1 when U > 0 or no stack was checked.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StackFindings } from './check';

const root = path.resolve(__dirname, '..', '..');
const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');
const entries = [
  ...fs
    .readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join('examples', f)),
  path.join('bin', 'app.ts'),
];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
const stacks: Array<StackFindings & { entry: string }> = [];
let failed = 0;
try {
  for (const entry of entries) {
    const result = path.join(scratch, `${path.basename(entry, '.ts')}.json`);
    const outdir = path.join(scratch, `${path.basename(entry, '.ts')}.out`);
    const r = spawnSync(
      tsNode,
      ['--transpile-only', '-r', path.join(__dirname, 'register.ts'), path.join(root, entry)],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          NAG_RESULT: result,
          CDK_OUTDIR: outdir,
          CDK8S_OUTDIR: path.join(outdir, 'k8s'),
          // Only the construct tree is checked: no copies of the layers' zip assets.
          CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:disable-asset-staging': true }),
        },
      },
    );
    if (r.status !== 0) {
      failed++;
      console.error(`nag: ${entry} failed to synthesize\n${r.stdout}\n${r.stderr}`);
      continue;
    }
    // A cdk8s-only example (no CDK app) writes no result.
    const found: StackFindings[] = fs.existsSync(result) ? JSON.parse(fs.readFileSync(result, 'utf8')) : [];
    stacks.push(...found.map((s) => ({ ...s, entry })));
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const all = stacks.flatMap((s) => s.findings.map((f) => ({ ...f, entry: s.entry })));
const open = all.filter((f) => f.reason === undefined);
const suppressed = all.filter((f) => f.reason !== undefined);
for (const f of open) {
  console.log(`UNSUPPRESSED ${f.rule} at ${f.path} (${f.entry})`);
}
const byRule = new Map<string, { count: number; reasons: Set<string> }>();
for (const f of suppressed) {
  const e = byRule.get(f.rule) ?? { count: 0, reasons: new Set<string>() };
  e.count++;
  e.reasons.add(f.reason!);
  byRule.set(f.rule, e);
}
for (const [rule, { count, reasons }] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`suppressed ${rule} x${count}: ${[...reasons].sort().join(' | ')}`);
}
console.log(
  `nag: ${stacks.length} stacks, ${all.length} findings, ${suppressed.length} suppressed, ${open.length} unsuppressed`,
);
process.exit(open.length > 0 || failed > 0 || stacks.length === 0 ? 1 : 0);
