/**
 * `npm run bench`:
 * 1. strategies: synth time, peak memory and template facts of MeshDelivery against one addManifest per object and
 *    one addManifest with everything, for 10..5,000 CiliumNetworkPolicy-sized objects, with the built-in
 *    CloudFormation validation of aws-cdk-lib on and off (CDK_VALIDATION);
 * 2. the realistic mesh (bench/realistic.ts: policies, routes, Services, resilience configs through the public API)
 *    at 1,000..20,000 objects, validation off: every CloudFormation, IAM and Lambda limit checked (the Lambda ones
 *    from the per-object costs of the last `npm run bench:deploy`), and the marginal synth cost per object, in fresh
 *    processes (main thread and V8's other threads apart) and at steady state (bench/warm.ts);
 * 3. the bare app (the quickstart, compiled JS from `npm run build`) against a plain aws-eks-v2 + Cilium app, in
 *    paired, interleaved runs of whole processes;
 * 4. where the synth time of the realistic mesh goes: one CPU profile at the largest realistic size (bench/profile.ts).
 * Every measurement runs in a fresh child process. Writes docs/benchmarks.md (and the raw runs to
 * .bench/results.json) and ends with one summary line.
 *   BENCH_SIZES=10,100,1000,5000  BENCH_REPEATS=3 (BENCH_STRATEGY_REPEATS for section 1)
 *   BENCH_REALISTIC_SIZES=1000,5000,20000  BENCH_BARE_PAIRS=20
 *   BENCH_SKIP_BUILD=1 (use the existing dist/)  BENCH_SKIP_STRATEGIES=1 (leave out section 1)
 *   BENCH_BARE_PAIRS=0 (leave out section 3, e.g. while working on synth cost)  BENCH_PROFILE=0 (leave out section 4)
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cpuMsSince } from './cpu';
import { brokenLambdaLimits, brokenLimits, MAX_LAMBDA_SECONDS, type TemplateFacts } from './limits';
import type { Strategy } from './measure';

interface Run extends TemplateFacts {
  strategy: Strategy;
  n: number;
  objects: number;
  /** Batch files the delivery wrote (realistic mesh; 0 otherwise). */
  batchFiles: number;
  synthMs: number;
  cpuMs: number;
  /** CPU of the main thread alone (Linux /proc; NaN elsewhere). */
  mainThreadMs: number;
  handlerMemoryMiB: number;
  warnings: number;
  peakRssMiB: number;
}

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000,5000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const STRATEGY_REPEATS = Number(process.env.BENCH_STRATEGY_REPEATS ?? REPEATS);
const STRATEGIES: Strategy[] = ['mesh-delivery', 'manifest-per-object', 'one-manifest'];
const REALISTIC_SIZES = (process.env.BENCH_REALISTIC_SIZES ?? '1000,5000,20000').split(',').map(Number);
const BARE_PAIRS = Number(process.env.BENCH_BARE_PAIRS ?? 20);
/**
 * How the measuring processes load TypeScript: through scripts/ci/transpile-cache.js (ts-node's transpileModule with
 * the transpiled files cached by content), so that no process transpiles the library again. An app loads the
 * published library as compiled JavaScript; transpiling the 2.8 MB of generated bindings (~2 s) inside every timed
 * process only added noise to the difference between two sizes.
 */
const TS_LOADER = path.join(ROOT, 'scripts', 'ci', 'transpile-cache.js');

function measure(strategy: Strategy, n: number, validation: boolean): Run {
  const r = spawnSync(process.execPath, ['-r', TS_LOADER, path.join(__dirname, 'measure.ts'), strategy, String(n)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false' },
  });
  const line = r.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"strategy"'));
  if (r.status !== 0 || !line) {
    throw new Error(`measure ${strategy} ${n} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Run;
}

/**
 * CPU (user + system) and wall time to create one small file in the directory the measuring processes synthesize
 * into (`os.tmpdir()`), ms: medians of 3 rounds of 200 files. The delivery writes one file per batch, and on some
 * disks creating a file costs far more than writing its bytes (on this bench's VM ~0.6 ms of wall clock per file,
 * where writing the 13 MB of batch content of 20,000 objects into one file took 26 ms).
 */
function fileCreation(): { cpuMs: number; wallMs: number } {
  const cpuMs: number[] = [];
  const wallMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cilium-mesh-bench-files-'));
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x');
    cpuMs.push(cpuMsSince(cpu) / 200);
    wallMs.push(Number(process.hrtime.bigint() - start) / 1e6 / 200);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { cpuMs: median(cpuMs), wallMs: median(wallMs) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
/** `median [min–max]` with `digits` decimals. */
const spread = (xs: number[], digits: number, unit = '') =>
  `${median(xs).toFixed(digits)}${unit} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Per-object deploy costs from the last `npm run bench:deploy` section of docs/benchmarks.md (its largest size). */
interface DeployCosts {
  objects: number;
  createSeconds: number;
  deleteSeconds: number;
  pruneSeconds: number;
  updateOneSeconds: number;
  /**
   * The slowest step: a bound for any one invocation (a create and a reconcile apply every object, a delete deletes
   * every object; an Update applies only what changed).
   */
  slowestSeconds: number;
  slowestStep: string;
  kubectlPeakMiB: number;
}

function deployCosts(doc: string): DeployCosts | undefined {
  const section = /<!-- deploy:start -->[\s\S]*<!-- deploy:end -->/.exec(doc)?.[0];
  if (!section) return undefined;
  const rows = [
    ...section.matchAll(/^\| ([\d,]+) \| ([^|]+) \| ([\d.]+) s[^|]* \| \d+ \| [\d.]+ MiB \| ([\d.]+) MiB \|/gm),
  ].map((m) => ({
    n: Number(m[1].replace(/,/g, '')),
    step: m[2].trim(),
    seconds: Number(m[3]),
    kubectlMiB: Number(m[4]),
  }));
  if (rows.length === 0) return undefined;
  const n = Math.max(...rows.map((r) => r.n));
  const at = rows.filter((r) => r.n === n);
  const step = (prefix: string) => at.find((r) => r.step.startsWith(prefix))?.seconds ?? NaN;
  return {
    objects: n,
    createSeconds: step('create'),
    deleteSeconds: step('delete'),
    pruneSeconds: step('prune'),
    updateOneSeconds: step('update one'),
    slowestSeconds: Math.max(...at.map((r) => r.seconds)),
    slowestStep: [...at].sort((a, b) => b.seconds - a.seconds)[0].step,
    kubectlPeakMiB: Math.max(...at.map((r) => r.kubectlMiB)),
  };
}

/** One realistic-mesh row: the facts of the first run, times over all runs, and every limit checked. */
function realisticRow(runs: Run[], deploy: DeployCosts | undefined): { cells: string; broken: string[] } {
  const r = runs[0];
  // Linear in N from the deploy bench's largest size (create, reconcile and delete touch every object).
  const scale = deploy ? r.objects / deploy.objects : NaN;
  const lambda = {
    predictedSeconds: deploy ? deploy.slowestSeconds * scale : NaN,
    predictedMiB: deploy ? deploy.kubectlPeakMiB * scale : NaN,
    memoryMiB: r.handlerMemoryMiB,
  };
  const broken = [
    ...brokenLimits(r),
    ...(deploy ? brokenLambdaLimits(lambda) : ['no bench:deploy figures for the Lambda checks']),
  ];
  const cells = [
    r.objects.toLocaleString('en-US'),
    `${spread(
      runs.map((x) => x.synthMs / 1000),
      2,
      ' s',
    )}`,
    `${spread(
      runs.map((x) => x.cpuMs / 1000),
      2,
      ' s',
    )}`,
    `${Math.max(...runs.map((x) => x.peakRssMiB)).toFixed(0)} MiB`,
    kb(r.templateBytes),
    String(r.resources),
    kb(r.largestRequestBytes),
    String(r.maxManagedPoliciesPerRole),
    String(r.maxRoleInlinePolicyChars),
    String(r.maxManagedPolicyChars),
    deploy ? `${lambda.predictedSeconds.toFixed(0)} s / ${MAX_LAMBDA_SECONDS} s` : 'n/a',
    deploy ? `${lambda.predictedMiB.toFixed(0)} / ${lambda.memoryMiB} MiB` : 'n/a',
    String(r.warnings),
    broken.length ? `**breaks: ${broken.join(', ')}**` : 'ok',
  ];
  return { cells: `| ${cells.join(' | ')} |`, broken };
}

/** Marginal cost per object between two sizes at steady state (bench/warm.ts): CPU, main-thread CPU, wall, per pair. */
function warmMarginal(small: number, large: number, pairs: number): { cpu: number[]; main: number[]; wall: number[] } {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '-r', TS_LOADER, path.join(__dirname, 'warm.ts'), String(small), String(large), String(pairs)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_VALIDATION: 'false' } },
  );
  if (r.status !== 0) {
    throw new Error(`warm ${small}/${large} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  const runs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Timed);
  const out = { cpu: [] as number[], main: [] as number[], wall: [] as number[] };
  for (let i = 0; i + 1 < runs.length; i += 2) {
    out.cpu.push(marginal(runs[i], runs[i + 1], 'cpuMs'));
    out.main.push(marginal(runs[i], runs[i + 1], 'mainThreadMs'));
    out.wall.push(marginal(runs[i], runs[i + 1], 'synthMs'));
  }
  return out;
}

/** The times of one synthesis: wall (`synthMs`), CPU of all threads and of the main thread, ms. */
type Timed = Pick<Run, 'objects' | 'synthMs' | 'cpuMs' | 'mainThreadMs'>;

/** µs per object from a smaller to a larger synthesis: the difference of `key` over the difference of objects. */
function marginal(small: Timed, large: Timed, key: 'synthMs' | 'cpuMs' | 'mainThreadMs'): number {
  return ((large[key] - small[key]) * 1000) / (large.objects - small.objects);
}

/** Section 4: one profiled run (bench/profile.ts) as a table of parts, ms and µs per object. */
function profileSection(objects: number): string {
  const r = spawnSync(process.execPath, ['-r', TS_LOADER, path.join(__dirname, 'profile.ts'), String(objects)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_VALIDATION: 'false' },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`profile ${objects} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  const p = JSON.parse(line) as { objects: number; cpuMs: number; parts: Record<string, number> };
  // a part with no sample at all names a frame that no longer exists (a function renamed or bypassed)
  const unmatched = Object.entries(p.parts).filter(([part, ms]) => part !== 'other' && ms === 0);
  if (unmatched.length > 0) {
    throw new Error(
      `profile: no sample for ${unmatched.map(([part]) => part).join(', ')}; update PARTS in bench/profile.ts`,
    );
  }
  const total = Object.values(p.parts).reduce((a, b) => a + b, 0);
  const rows = Object.entries(p.parts).map(
    ([part, ms]) =>
      `| ${part} | ${ms.toFixed(0)} | ${((ms * 1000) / p.objects).toFixed(0)} | ${((ms * 100) / total).toFixed(0)}% |`,
  );
  return [
    `One run at ${p.objects.toLocaleString('en-US')} objects (bench/profile.ts), in a process that first built and synthesized`,
    "the mesh at 2,000 objects (JIT warm, modules loaded), under V8's sampling CPU profiler; each sample counts for the",
    'innermost frame that starts a part. The profiler adds its own cost, so read the shares, not the sum, against the',
    `marginal cost above. Load average ${load()} after it ran; process CPU of the profiled run ${(p.cpuMs / 1000).toFixed(2)} s.`,
    '',
    '| part | ms | µs per object | share |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    `| all samples | ${total.toFixed(0)} | ${((total * 1000) / p.objects).toFixed(0)} | 100% |`,
    '',
    '`other` is what no part names: the cluster and the delivery construct (a fixed cost) and the profiler itself.',
  ].join('\n');
}

/** Runs one bare-app script (bench/bare) as a whole process; wall milliseconds from spawn to exit. */
function bareRun(app: 'plain' | 'mesh'): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-bare-${app}-`));
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(__dirname, 'bare', `${app}.js`), outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_VALIDATION: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`bare ${app} failed:\n${r.stderr.slice(-2000)}`);
  return ms;
}

function main(): void {
  const started = Date.now();
  const loadBefore = load();
  const rows: string[] = [];
  const raw: Run[] = [];
  const docPath = path.join(ROOT, 'docs', 'benchmarks.md');

  // fills the transpile cache (TS_LOADER) for every file the measurements load
  measure('realistic-mesh', 100, false);

  // 1. strategies
  for (const n of process.env.BENCH_SKIP_STRATEGIES ? [] : SIZES) {
    for (const strategy of STRATEGIES) {
      for (const validation of [false, true]) {
        const runs = Array.from({ length: STRATEGY_REPEATS }, () => measure(strategy, n, validation));
        raw.push(...runs);
        const r = runs[0];
        const broken = brokenLimits(r);
        const cells = [
          n.toLocaleString('en-US'),
          strategy,
          validation ? 'on' : 'off',
          `${(median(runs.map((x) => x.synthMs)) / 1000).toFixed(2)} s`,
          `${Math.max(...runs.map((x) => x.peakRssMiB)).toFixed(0)} MiB`,
          kb(r.templateBytes),
          String(r.resources),
          String(r.customResources),
          kb(r.largestRequestBytes),
          broken.length ? `**breaks: ${broken.join(', ')}**` : 'ok',
        ];
        rows.push(`| ${cells.join(' | ')} |`);
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      }
    }
  }

  // 2. the realistic mesh: sizes interleaved within each repeat, so that load changes hit every size alike
  const realisticLoadBefore = load();
  const bySize = new Map<number, Run[]>(REALISTIC_SIZES.map((n) => [n, []]));
  for (let i = 0; i < REPEATS; i++) {
    for (const n of REALISTIC_SIZES) {
      const run = measure('realistic-mesh', n, false);
      bySize.get(n)!.push(run);
      raw.push(run);
      process.stderr.write(
        `realistic ${run.objects}: ${(run.synthMs / 1000).toFixed(2)} s wall, ${(run.cpuMs / 1000).toFixed(2)} s CPU\n`,
      );
    }
  }
  // read at the end: a `bench:deploy` that finished while this ran counts
  const previous = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : '';
  const deploy = deployCosts(previous);
  const realisticRows: string[] = [];
  const brokenAt = new Map<number, string[]>();
  for (const n of REALISTIC_SIZES) {
    const row = realisticRow(bySize.get(n)!, deploy);
    realisticRows.push(row.cells);
    brokenAt.set(bySize.get(n)![0].objects, row.broken);
  }
  const lo = bySize.get(Math.min(...REALISTIC_SIZES))!;
  const hi = bySize.get(Math.max(...REALISTIC_SIZES))!;
  const perObject = (key: 'synthMs' | 'cpuMs' | 'mainThreadMs') => lo.map((l, i) => marginal(l, hi[i], key));
  const marginalWall = perObject('synthMs');
  const marginalCpu = perObject('cpuMs');
  const marginalMain = perObject('mainThreadMs');
  const marginalOther = marginalCpu.map((c, i) => c - marginalMain[i]);

  const realisticLoadAfter = load();
  const perFile = fileCreation();
  const extraFiles = median(hi.map((r) => r.batchFiles)) - median(lo.map((r) => r.batchFiles));
  const fileShare = (ms: number) => ((extraFiles * ms * 1000) / (hi[0].objects - lo[0].objects)).toFixed(0);
  const warm = warmMarginal(lo[0].n, hi[0].n, REPEATS);
  // the two largest sizes, when there are three or more: the fresh-process cost past most of the one-time compiling
  const sizes = [...REALISTIC_SIZES].sort((a, b) => a - b);
  const mid = sizes.length >= 3 ? bySize.get(sizes[sizes.length - 2])! : undefined;
  const upperCpu = mid ? mid.map((m, i) => marginal(m, hi[i], 'cpuMs')) : [];

  // 3. the bare app, compiled
  if (!process.env.BENCH_SKIP_BUILD && BARE_PAIRS > 0) execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  const ratios: number[] = [];
  const plainMs: number[] = [];
  const meshMs: number[] = [];
  if (BARE_PAIRS > 0) {
    bareRun('plain');
    bareRun('mesh'); // warm the file cache
  }
  for (let i = 0; i < BARE_PAIRS; i++) {
    // alternate which runs first, so that neither always gets the other's cache warm-up or load spike
    const [p, m] =
      i % 2 === 0
        ? [bareRun('plain'), bareRun('mesh')]
        : (() => {
            const mm = bareRun('mesh');
            return [bareRun('plain'), mm];
          })();
    plainMs.push(p);
    meshMs.push(m);
    ratios.push(m / p);
  }
  const bare = BARE_PAIRS > 0 ? median(ratios) : NaN;

  // 4. where the synth time goes
  const profileText =
    process.env.BENCH_PROFILE === '0' ? '(left out: BENCH_PROFILE=0)' : profileSection(Math.max(...REALISTIC_SIZES));

  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const sh = (c: string) => execSync(c, { encoding: 'utf8' }).replace(/\s+$/, '');
  const machine = [
    `- CPU: ${os.cpus()[0]?.model ?? 'unknown'}; \`nproc\`: ${sh('nproc')} (shared with other jobs while measuring)`,
    `- \`free -h\`:\n\n\`\`\`\n${sh('free -h')}\n\`\`\``,
    `- node ${process.version}, aws-cdk-lib ${cdkVersion()}, ${os.type()} ${os.release()}`,
    `- ${STRATEGY_REPEATS} run(s) per strategy cell and ${REPEATS} per realistic size, each in a fresh process; ${BARE_PAIRS} ` +
      `bare-app pairs; total bench time ${minutes} min`,
    `- load average (1/5/15 min) at start ${loadBefore}, at end ${load()} ` +
      '(other jobs shared the machine: absolute times are inflated, compare rows within one run)',
  ].join('\n');
  const largest = hi[0].objects;
  const within = (brokenAt.get(largest) ?? []).length === 0;
  const us = median(marginalCpu);
  const summary =
    `perf: ${largest} objects ${within ? 'within limits' : `BREAK ${brokenAt.get(largest)!.join(', ')}`}, ` +
    `${us.toFixed(0)} us/object (CPU; wall ${median(marginalWall).toFixed(0)}; warm CPU ${median(warm.cpu).toFixed(0)}), ` +
    `bare ${BARE_PAIRS > 0 ? `${bare.toFixed(2)}x` : 'n/a'}, ` +
    `create-${deploy?.objects ?? '?'} ${deploy ? `${deploy.createSeconds.toFixed(0)} s` : 'n/a'}`;
  const realistic = [
    `Sizes ${REALISTIC_SIZES.join(', ')} (requested; objects = what the delivery applies), ${REPEATS} runs each, sizes`,
    'interleaved; validation off. Times: median [min–max] of app construction + `app.synth()` in a fresh process',
    '(the modules the bench imports are loaded before the clock starts; the generated bindings, which the library',
    'loads on first use, inside it, already transpiled: bench/run.ts, TS_LOADER), wall clock and CPU (user + system, all',
    "threads, the garbage collector's included) of that process.",
    '',
    '| objects | synth wall | synth CPU | peak RSS | template | resources | largest CR request | managed policies / role | role inline policy chars | managed policy chars | Lambda time (predicted) | kubectl memory (predicted) | CDK warnings | limits |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...realisticRows,
    '',
    `**Marginal synth cost** between ${lo[0].objects.toLocaleString('en-US')} and ${largest.toLocaleString('en-US')} objects ` +
      `(paired by run, ${REPEATS} pairs): CPU ${spread(marginalCpu, 0, ' µs')} per object, wall ${spread(marginalWall, 0, ' µs')} per object ` +
      `(goal ≤ 100 µs; load average while these ran: ${realisticLoadBefore} at start, ${realisticLoadAfter} at end).`,
    '',
    marginalMain.every(Number.isFinite)
      ? `Of that CPU, the main thread (which the wall clock waits for) took ${spread(marginalMain, 0, ' µs')} per object and V8's ` +
        `other threads ${spread(marginalOther, 0, ' µs')}: its optimizing compiler, which compiles each hot function once, so ` +
        'that more of the code gets compiled in the larger process, and its parallel garbage collector (main thread from ' +
        '`/proc/self/task`).'
      : "The main thread's share of the CPU is not known on this system (no `/proc/self/task`).",
    '',
    `**At steady state** (bench/warm.ts: one process that first synthesized ${largest.toLocaleString('en-US')} objects, so ` +
      'that every hot function is compiled, then ' +
      `${REPEATS} pairs, each synthesis after a full GC): CPU ${spread(warm.cpu, 0, ' µs')} per object, of which the ` +
      `main thread ${spread(warm.main, 0, ' µs')}; wall ${spread(warm.wall, 0, ' µs')}. The difference from the fresh ` +
      "processes above is one-time work: V8's optimizing compiler compiles each hot function once, and far more of the " +
      'code gets hot at the larger size' +
      (mid
        ? `; between ${mid[0].objects.toLocaleString('en-US')} and ${largest.toLocaleString('en-US')} objects fresh ` +
          `processes took CPU ${spread(upperCpu, 0, ' µs')} per object.`
        : '.'),
    '',
    `Creating a file in the directory the bench synthesizes into (\`os.tmpdir()\`) took ${perFile.cpuMs.toFixed(2)} ms ` +
      `of CPU and ${perFile.wallMs.toFixed(2)} ms of wall clock on this machine (medians of 3 rounds of 200 files). The ` +
      `delivery writes one file per batch (${median(lo.map((r) => r.batchFiles))} at ` +
      `${lo[0].objects.toLocaleString('en-US')} objects, ${median(hi.map((r) => r.batchFiles))} at ` +
      `${largest.toLocaleString('en-US')}), so creating them is about ${fileShare(perFile.cpuMs)} µs of the marginal CPU ` +
      `and ${fileShare(perFile.wallMs)} µs of the marginal wall time per object above; a disk with cheaper file creation ` +
      'pays less.',
    '',
    deploy
      ? `Lambda predictions scale the largest size of the deploy section below (${deploy.objects.toLocaleString('en-US')} objects: ` +
        `create ${deploy.createSeconds} s, delete ${deploy.deleteSeconds} s, prune ${deploy.pruneSeconds} s, kubectl peak ` +
        `${deploy.kubectlPeakMiB} MiB; slowest step: ${deploy.slowestStep}, ${deploy.slowestSeconds} s) linearly to N; the Lambda ` +
        'time check uses the slowest step, a bound for any one invocation (a create or a reconcile applies every object, ' +
        'a delete deletes every object; an Update applies only the changed batches).'
      : 'No deploy section below: run `npm run bench:deploy` for the Lambda checks.',
  ].join('\n');
  const bareText =
    BARE_PAIRS > 0
      ? [
          `${BARE_PAIRS} pairs, interleaved with alternating order after one warm-up pair; whole processes (\`node bench/bare/<app>.js\`),`,
          'validation off. plain = by hand with aws-eks-v2, the infrastructure the quickstart makes (VPC with flow logs, cluster',
          'with secrets encryption and control-plane logs, a managed node group, the VPC CNI and Pod Identity add-ons, the',
          'kubectl layer, the Cilium Helm chart; bench/bare/plain.js), so that the ratio measures the library, not its defaults;',
          'mesh = the quickstart (MeshCluster + addCilium) from dist/lib (bench/bare/mesh.js).',
          '',
          `- plain: ${spread(plainMs, 0, ' ms')}; mesh: ${spread(meshMs, 0, ' ms')}`,
          `- mesh / plain per pair: **${spread(ratios, 2, 'x')}** (goal ≤ 1.2x)`,
        ].join('\n')
      : '(left out: BENCH_BARE_PAIRS=0)';
  const doc = fs
    .readFileSync(path.join(__dirname, 'benchmarks.template.md'), 'utf8')
    .replace('{{SUMMARY}}', `\`${summary}\``)
    .replace('{{MACHINE}}', machine)
    .replace('{{ROWS}}', rows.length ? rows.join('\n') : '| (left out: BENCH_SKIP_STRATEGIES) | | | | | | | | | |')
    .replace('{{REALISTIC}}', realistic)
    .replace('{{BARE}}', bareText)
    .replace('{{PROFILE}}', profileText);
  // The deploy-time section belongs to `npm run bench:deploy` (bench/deploy.ts): kept as it is.
  const deploySection = /<!-- deploy:start -->[\s\S]*<!-- deploy:end -->/.exec(previous)?.[0];
  fs.writeFileSync(docPath, deploySection ? `${doc.trimEnd()}\n\n${deploySection}\n` : doc);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench', 'results.json'), JSON.stringify({ raw, plainMs, meshMs }, null, 2));
  process.stderr.write(`wrote docs/benchmarks.md (${minutes} min)\n`);
  process.stdout.write(`${summary}\n`);
}

main();

/** The aws-cdk-lib version installed (its package.json, read as data). */
function cdkVersion(): string {
  return (
    JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('aws-cdk-lib')), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}
