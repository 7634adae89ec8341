/**
 * The examples' live test (declared by examples-1.live.ts and examples-2.live.ts): every example deploys on a live
 * kube-apiserver (one fresh server per example, as each example creates its own cluster): its cluster-facing custom resources run in template order through the library's own delivery handler
 * and the real Cilium chart, and every object delivered is read back unchanged.
 *
 * Assemblies come from LIVE_ASSEMBLY_DIR (`.ci/run` points it at what `npm run synth:examples` wrote) or are
 * synthesized here. `.ci/run` starts the suite while the examples are still being synthesized (the chart, ordering
 * and delivery tests need none, and run first: test/live/sequencer.js); it sets LIVE_ASSEMBLY_WAIT to a file that it
 * writes once synth:examples has ended (`ok`, or `failed`), which these tests wait for.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  deployManifests,
  deployTemplate,
  gatewayApiFile,
  ROOT,
  startServer,
  tally,
  type DeployReport,
} from './cluster';

const examplesDir = path.join(ROOT, 'examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.basename(f, '.ts'))
  .sort();

/** Waits (blocking, as the tests are synchronous) until `file` exists; fails unless it says `ok`. */
function waitForAssemblies(file: string): void {
  const deadline = Date.now() + 15 * 60_000;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear in 15 minutes: did synth:examples end?`);
    Atomics.wait(sleeper, 0, 0, 250);
  }
  const status = fs.readFileSync(file, 'utf8').trim();
  if (status !== 'ok') throw new Error(`synth:examples did not synthesize the examples (${file}: ${status})`);
}

/** The assembly directory of an example: from LIVE_ASSEMBLY_DIR when it has one, else synthesized now. */
function assemblyOf(name: string): string {
  const given = process.env.LIVE_ASSEMBLY_DIR;
  if (process.env.LIVE_ASSEMBLY_WAIT) waitForAssemblies(process.env.LIVE_ASSEMBLY_WAIT);
  if (given) {
    const found = fs
      .readdirSync(given)
      .map((t) => path.join(given, t, name))
      .find((d) => fs.existsSync(d));
    if (found) return found;
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `live-${name}-`));
  const r = spawnSync(
    path.join(ROOT, 'node_modules/.bin/ts-node'),
    ['--transpile-only', path.join(examplesDir, `${name}.ts`)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: out, CDK8S_OUTDIR: path.join(out, 'k8s') },
    },
  );
  if (r.status !== 0) throw new Error(`example ${name} did not synthesize: ${r.stderr}`);
  return out;
}

function templatesOf(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

function yamlFilesOf(dir: string): string[] {
  const k8s = path.join(dir, 'k8s');
  return fs.existsSync(k8s)
    ? fs
        .readdirSync(k8s)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(k8s, f))
    : [];
}

/** Everything that went wrong in a report, one line each (empty when the deploy is clean). */
function failures(report: DeployReport): string[] {
  return [
    ...(report.error ? [`deploy stopped: ${report.error}`] : []),
    ...report.resources.flatMap((r) => r.problems.map((p) => `${r.id}: ${p}`)),
  ];
}

/**
 * Declares the test of every `of`-th example starting at `part` (1-based) in name order: examples-1.live.ts and
 * examples-2.live.ts each declare half, so that the live suite's two workers share them. Together they cover every
 * example in examples/.
 */
export function describeExamples(part: number, of: number): void {
  describe.each(examples.filter((_, i) => i % of === part - 1))('example %s', (name) => exampleTest(name));
}

function exampleTest(name: string): void {
  test('deploys on a live API server: every object created and read back unchanged, every chart installed', () => {
    const dir = assemblyOf(name);
    const templates = templatesOf(dir);
    const yaml = yamlFilesOf(dir);
    expect(templates.length + yaml.length).toBeGreaterThan(0);
    const reports: DeployReport[] = [];
    for (const template of templates) {
      const server = startServer(name);
      try {
        reports.push(deployTemplate(server, dir, template));
      } finally {
        server.stop();
      }
    }
    if (templates.length === 0) {
      // A cdk8s app (GitOps): Cilium and the Gateway API CRDs of its line are installed some other way.
      const server = startServer(name);
      try {
        reports.push(
          deployManifests(server, yaml, {
            gatewayApiFiles: [gatewayApiFile('v1.6.1', 'standard')],
            ciliumVersion: '1.20.2',
          }),
        );
      } finally {
        server.stop();
      }
    }
    const problems = reports.flatMap(failures);
    const objects = reports.reduce((n, r) => n + r.objects, 0);
    const chartInstalls = reports.reduce((n, r) => n + r.chartInstalls, 0);
    tally({ examples: 1, objects, chartInstalls, failed: problems.length > 0 ? 1 : 0 });
    expect(problems).toEqual([]);
    // A stack that installs Cilium delivers after it; nothing is silently skipped.
    const delivered = reports
      .flatMap((r) => r.resources)
      .filter((r) => r.type === 'Custom::CiliumMeshObjects' || r.type === 'manifest-file');
    expect(delivered.every((r) => (r.objects ?? 0) > 0)).toBe(true);
  });
}
