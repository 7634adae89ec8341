/**
 * `npm run check:nag`: cdk-nag's AwsSolutions pack plus our own rules (scripts/nag/cdk-cilium-mesh-checks.ts) over
 * every CDK app of the repository: each examples/*.ts and bin/app.ts, run as the script it is with
 * scripts/nag/register.ts preloaded, which checks the app once it synthesizes. Prints every unsuppressed finding,
 * the suppressions per rule with their reason, and the line
 * `nag: N stacks, F findings, S suppressed, U unsuppressed`; exits 1 when U > 0, an entry point failed or no stack
 * was checked.
 *
 * `--findings DIR`: the examples' results are read from DIR/<example>.json, written by
 * `npm run synth:examples -- --nag` (as `.ci/run` does) while it synthesized them, instead of synthesizing each
 * example a second time; an example without its result there fails the run. Entry points that synth:examples does
 * not run (bin/app.ts) are synthesized here as before.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { NagResult, StackFindings } from './check';

const root = path.resolve(__dirname, '..', '..');
// Like `ts-node --transpile-only`, with the transpiled files cached between processes and runs (see the file).
const transpileCache = path.join(root, 'scripts', 'ci', 'transpile-cache.js');
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => path.join('examples', f));
const findingsFlag = process.argv.indexOf('--findings');
const findingsDir = findingsFlag >= 0 ? path.resolve(process.argv[findingsFlag + 1] ?? '') : undefined;
if (findingsFlag >= 0 && !process.argv[findingsFlag + 1]) {
  console.error('nag: --findings needs a directory (the one `npm run synth:examples -- --nag` wrote)');
  process.exit(2);
}

/** The result file of an example in the findings directory (the name scripts/synth-examples.ts gives it). */
function findingsFile(dir: string, entry: string): string {
  return path.join(dir, `${path.basename(entry, '.ts')}.json`);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
const stacks: Array<StackFindings & { entry: string }> = [];
let failed = 0;
/** Adds an entry point's result; false when it failed. */
function take(entry: string, r: NagResult): boolean {
  stacks.push(...r.stacks.map((s) => ({ ...s, entry })));
  for (const e of r.errors) console.error(`nag: ${entry}: ${e}`);
  return r.exitCode === 0 && r.errors.length === 0;
}
const toSynthesize = [...(findingsDir ? [] : examples), path.join('bin', 'app.ts')];
if (findingsDir) {
  for (const entry of examples) {
    const file = findingsFile(findingsDir, entry);
    if (!fs.existsSync(file)) {
      failed++;
      console.error(`nag: no result for ${entry} in ${file}; run \`npm run synth:examples -- --nag\` first`);
      continue;
    }
    if (!take(entry, JSON.parse(fs.readFileSync(file, 'utf8')) as NagResult)) failed++;
  }
}
try {
  for (const entry of toSynthesize) {
    const result = path.join(scratch, `${path.basename(entry, '.ts')}.json`);
    const outdir = path.join(scratch, `${path.basename(entry, '.ts')}.out`);
    const r = spawnSync(
      process.execPath,
      ['-r', transpileCache, '-r', path.join(__dirname, 'register.ts'), path.join(root, entry)],
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
    if (!take(entry, JSON.parse(fs.readFileSync(result, 'utf8')) as NagResult)) failed++;
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
