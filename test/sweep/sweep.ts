/**
 * Property-based sweep over the public constructs (issue #13): every generated input must either be rejected with a
 * MeshValidationError that names a construct, or produce objects that pass the validators CI runs on everything
 * else: ../shared/tools/validate-manifests.mjs (CRD schemas), `npm run check:cel` (the CRDs' CEL rules), and the
 * Envoy checker of scripts/ci/30-envoy.sh for CiliumEnvoyConfigs; plus RE2 for every regex Envoy or Cilium compiles.
 *
 *   ts-node --transpile-only test/sweep/sweep.ts OUT_DIR
 *
 * Environment:
 *   UPSTREAM                 ../shared/upstream (the CRDs)
 *   VALIDATE_MANIFESTS       path of validate-manifests.mjs in a scratch copy of ../shared/tools with its deps
 *   ENVOY_CHECK, ENVOY_EXTENSIONS   the checker binary and its extension table (see scripts/ci/50-sweep.sh)
 *   SWEEP_SEED               replay: run this seed only (printed by every run)
 *   SWEEP_RUN_SEED           the per-run seed (default: derived from the time)
 *   SWEEP_SCALE              multiplies the inputs per family (default 1)
 *   SWEEP_REASONS            also print the most frequent rejection messages (values masked), e.g. 40
 *
 * Ends with `sweep: N inputs, A valid, R rejected, I invalid, C crashed`; exit code 1 when I or C is not 0, with each
 * counterexample printed (family, seed, index and the input as generated).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { FAMILIES, type Target } from './families';
import { classifyError, regexes, type Outcome } from './outcome';

/** The seed every run uses, so that a regression shows on every run. */
const FIXED_SEED = 20261126;

interface Case {
  readonly id: string;
  readonly family: string;
  readonly seed: number;
  readonly index: number;
  readonly input: unknown;
  outcome: Outcome;
  readonly reasons: string[];
  target?: Target;
}

const ROOT = path.resolve(__dirname, '..', '..');
const UPSTREAM = process.env.UPSTREAM ?? path.resolve(ROOT, '..', 'shared', 'upstream');

/** The reference set of each target, as `.ci/run` maps them. */
const CRDS: Record<Target, string[]> = {
  'cilium-1.20': [`${UPSTREAM}/cilium/v1.20.0/crds`, `${UPSTREAM}/gateway-api/v1.6.1/standard-install.yaml`],
  'cilium-1.16': [`${UPSTREAM}/cilium/v1.16.19/crds`, `${UPSTREAM}/gateway-api/v1.1.0/experimental-install.yaml`],
  'cilium-1.20-experimental': [
    `${UPSTREAM}/cilium/v1.20.0/crds`,
    `${UPSTREAM}/gateway-api/v1.6.1/experimental-install.yaml`,
  ],
};
const LINE: Record<Target, string> = {
  'cilium-1.20': '1.20',
  'cilium-1.16': '1.16',
  'cilium-1.20-experimental': '1.20',
};

function seeds(): number[] {
  if (process.env.SWEEP_SEED) return [Number(process.env.SWEEP_SEED)];
  const perRun = process.env.SWEEP_RUN_SEED ? Number(process.env.SWEEP_RUN_SEED) : Date.now() % 2 ** 31;
  return [FIXED_SEED, perRun];
}

/** Runs a validator; returns its stdout (validators exit 1 on findings, which is not an error here). */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || (r.status !== 0 && r.status !== 1)) {
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} ... failed (exit ${r.status}): ${r.error ?? r.stderr}`);
  }
  return r.stdout;
}

function main(): number {
  const out = path.resolve(process.argv[2] ?? path.join(process.env.TMPDIR ?? '/tmp', 'sweep'));
  const validator = process.env.VALIDATE_MANIFESTS;
  if (!validator) {
    console.error('sweep: set VALIDATE_MANIFESTS to validate-manifests.mjs (see scripts/ci/50-sweep.sh)');
    return 2;
  }
  fs.rmSync(out, { recursive: true, force: true });
  const scale = Number(process.env.SWEEP_SCALE ?? 1);
  const runSeeds = seeds();
  console.log(`sweep: seeds ${runSeeds.join(', ')} (replay one with SWEEP_SEED=<seed>), ${FAMILIES.length} families`);

  const cases: Case[] = [];
  const byFile = new Map<string, Case>();
  const started = Date.now();
  for (const seed of runSeeds) {
    for (const family of FAMILIES) {
      const inputs = fc.sample(family.input, { seed, numRuns: Math.max(1, Math.round(family.runs * scale)) });
      inputs.forEach((input, index) => {
        const c: Case = {
          id: `${family.name}-${seed}-${index}`,
          family: family.name,
          seed,
          index,
          input,
          outcome: 'valid',
          reasons: [],
        };
        cases.push(c);
        try {
          const built = family.build(input);
          c.target = built.target;
          for (const o of built.objects as any[]) if (o?.sweepOracle) c.reasons.push(o.sweepOracle);
          for (const r of regexes(built.objects)) {
            try {
              RE2JS.compile(r.pattern);
            } catch (e) {
              c.reasons.push(`${r.where}: '${r.pattern}' is not RE2 (${(e as Error).message})`);
            }
          }
          const objects = (built.objects as any[]).filter((o) => !o?.sweepOracle);
          const dir = path.join(out, built.target);
          fs.mkdirSync(dir, { recursive: true });
          const file = path.join(dir, `${c.id}.json`);
          fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
          byFile.set(path.relative(ROOT, file), c);
          byFile.set(file, c);
        } catch (e) {
          const { outcome, reason } = classifyError(e);
          c.outcome = outcome;
          c.reasons.push(reason);
        }
      });
    }
  }
  const built = Date.now();

  // The validators, over each target's directory at once; findings are mapped back to the inputs by file name.
  const caseOf = (where: string): Case | undefined => {
    const file = /^(\S+?\.json)/.exec(where.trim())?.[1];
    return file ? (byFile.get(file) ?? byFile.get(path.resolve(ROOT, file))) : undefined;
  };
  const unmatched: string[] = [];
  const note = (where: string, reason: string) => {
    const c = caseOf(where);
    if (c) c.reasons.push(reason);
    else unmatched.push(`${where}: ${reason}`);
  };
  const targets = (Object.keys(CRDS) as Target[]).filter((t) => fs.existsSync(path.join(out, t)));
  const summaries: string[] = [];
  for (const target of targets) {
    const dir = path.join(out, target);
    // validate-manifests.mjs: `INVALID <file>[i] ...` followed by `  - <error>` lines.
    const v = run('node', [validator, '--quiet', '--crds', ...CRDS[target], '--', dir]).split('\n');
    let current: string | undefined;
    for (const line of v) {
      const m = /^INVALID\s+(\S+)\s*(.*)$/.exec(line);
      if (m) {
        current = m[1];
        note(m[1], `schema: ${m[2]}`);
      } else if (current && /^\s+- /.test(line)) {
        note(current, `schema: ${line.trim().slice(2)}`);
      } else if (/^checked \d+ objects/.test(line)) {
        summaries.push(`${target} validator: ${line}`);
        current = undefined;
      } else {
        current = undefined;
      }
    }
    // npm run check:cel: `FAILED  <file>[i]  <object>  <path>: <message>`.
    const cel = run('npm', ['run', '--silent', 'check:cel', '--', '--crds', ...CRDS[target], '--', dir]).split('\n');
    for (const line of cel) {
      const m = /^(?:FAILED|ERROR)\s+(\S+)\s+(.*)$/.exec(line);
      if (m) note(m[1], `cel: ${m[2]}`);
      else if (line.startsWith('cel: ')) summaries.push(`${target} ${line}`);
    }
  }
  // The Envoy checker over every target whose objects include CiliumEnvoyConfigs.
  if (process.env.ENVOY_CHECK) {
    const args = [
      '-extensions',
      process.env.ENVOY_EXTENSIONS ?? '',
      ...targets.map((t) => `${LINE[t]}=${path.join(out, t)}`),
    ];
    const r = spawnSync(process.env.ENVOY_CHECK, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`envoy checker failed (exit ${r.status}): ${r.stderr}`);
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('envoy: ')) summaries.push(line);
      else if (line.trim()) note(line, `envoy: ${line.replace(/^\S+?\.json:\s*/, '')}`);
    }
  } else {
    summaries.push('envoy: not checked (ENVOY_CHECK not set)');
  }

  for (const c of cases) {
    if (c.outcome === 'valid' && c.reasons.length > 0) c.outcome = 'invalid';
  }
  const count = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
  summaries.forEach((s) => console.log(`  ${s}`));
  for (const family of FAMILIES) {
    const fcases = cases.filter((c) => c.family === family.name);
    const n = (o: Outcome) => fcases.filter((c) => c.outcome === o).length;
    console.log(
      `  ${family.name.padEnd(16)} ${String(fcases.length).padStart(5)} inputs: ${n('valid')} valid, ${n('rejected')} rejected, ${n('invalid')} invalid, ${n('crashed')} crashed`,
    );
  }
  if (process.env.SWEEP_REASONS) {
    // What the rejections were, by message shape (values masked), to see what the generators exercise.
    const shapes = new Map<string, number>();
    for (const c of cases.filter((x) => x.outcome === 'rejected')) {
      const shape = `${c.family}: ${c.reasons[0]
        .replace(/'[^']*'/g, "'…'")
        .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N')
        .replace(/ \[at .*\]$/, '')
        .slice(0, 110)}`;
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    [...shapes.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(process.env.SWEEP_REASONS) || 40)
      .forEach(([k, n]) => console.log(`  ${String(n).padStart(4)} × ${k}`));
  }
  const bad = cases.filter((c) => c.outcome === 'invalid' || c.outcome === 'crashed');
  for (const c of bad.slice(0, 25)) {
    console.log(`\n${c.outcome.toUpperCase()} ${c.family} seed ${c.seed} #${c.index} (SWEEP_SEED=${c.seed})`);
    c.reasons.slice(0, 6).forEach((r) => console.log(`  - ${r}`));
    console.log(
      `  input: ${JSON.stringify(c.input, (_k, val) => (typeof val === 'number' && !Number.isFinite(val) ? String(val) : typeof val === 'string' && val.length > 200 ? `${val.slice(0, 40)}...(${val.length} chars)` : val))}`,
    );
  }
  if (bad.length > 25) console.log(`\n... and ${bad.length - 25} more counterexamples`);
  if (unmatched.length) {
    console.log('\nvalidator findings that name no sweep input (the sweep cannot tell which input they belong to):');
    unmatched.slice(0, 20).forEach((u) => console.log(`  ${u}`));
  }
  const secs = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`  (built in ${secs(built - started)} s, validated in ${secs(Date.now() - built)} s)`);
  console.log(
    `sweep: ${cases.length} inputs, ${count('valid')} valid, ${count('rejected')} rejected, ${count('invalid')} invalid, ${count('crashed')} crashed`,
  );
  return bad.length > 0 || unmatched.length > 0 ? 1 : 0;
}

process.exit(main());
