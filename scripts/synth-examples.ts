/**
 * Synthesizes every example in examples/ into .validate/examples/<target>/<example>/ so that `.ci/run` can
 * validate the Helm values (in the templates) and the Kubernetes objects (in the templates, the mesh batch
 * assets and cdk8s YAML) against the upstream reference data. Examples run as scripts: a CDK app synthesizes
 * into CDK_OUTDIR on exit, a cdk8s app into CDK8S_OUTDIR.
 *
 * `--nag`: also runs cdk-nag over each example's construct tree once its app has synthesized (scripts/nag/register.ts,
 * preloaded), writing the findings to .validate/nag/<example>.json for `npm run check:nag -- --findings .validate/nag`
 * (scripts/ci/40-nag.sh), so that CI synthesizes each example once, not once more for cdk-nag. The check runs after
 * the templates are written and leaves them as they are (compared byte for byte with and without it).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
// Like `ts-node --transpile-only`, with the transpiled files cached between processes and runs (see the file).
const transpileCache = path.join(root, 'scripts', 'ci', 'transpile-cache.js');
const nagDir = process.argv.includes('--nag') ? path.join(root, '.validate', 'nag') : undefined;

/** Examples written for an older Cilium line say so in their name. */
function targetOf(name: string): string {
  return /-1-16$/.test(name) ? 'cilium-1.16' : 'cilium-1.20';
}

/**
 * Staged zip assets (the kubectl and AWS CLI layers, ~57 MB per example) hold no Kubernetes objects or Helm values;
 * they are removed so that CI's disk use stays small. JSON assets (mesh batches) and directories stay.
 */
function pruneBinaryAssets(outdir: string): number {
  const zips = fs.readdirSync(outdir).filter((f) => /^asset\..*\.zip$/.test(f));
  for (const f of zips) {
    fs.rmSync(path.join(outdir, f), { force: true });
  }
  return zips.length;
}

/** Synthesizes one example; resolves with its report line and whether it failed. */
function synth(file: string): Promise<{ line: string; failed: boolean }> {
  const name = path.basename(file, '.ts');
  const outdir = path.join(root, '.validate', 'examples', targetOf(name), name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const started = Date.now();
  const nagResult = nagDir ? path.join(nagDir, `${name}.json`) : undefined;
  if (nagResult) fs.rmSync(nagResult, { force: true });
  const nagArgs = nagResult ? ['-r', path.join(root, 'scripts', 'nag', 'register.ts')] : [];
  const child = spawn(process.execPath, ['-r', transpileCache, ...nagArgs, path.join(examplesDir, file)], {
    cwd: root,
    env: {
      ...process.env,
      ...(nagResult ? { NAG_RESULT: nagResult } : {}),
      CDK_OUTDIR: outdir,
      CDK8S_OUTDIR: path.join(outdir, 'k8s'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (code !== 0) {
        resolve({ line: `FAIL ${name} (${secs}s)\n${output}`, failed: true });
      } else {
        const pruned = pruneBinaryAssets(outdir);
        resolve({
          line: `synthesized ${name} → ${path.relative(root, outdir)} (${secs}s; ${pruned} binary asset(s) not kept)`,
          failed: false,
        });
      }
    });
  });
}

/**
 * Examples are independent processes: SYNTH_JOBS of them (default: one per CPU) run at once. Report lines come in
 * name order whatever order they finish in.
 */
async function main(): Promise<number> {
  const files = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const jobs = Math.max(1, Number(process.env.SYNTH_JOBS) || os.cpus().length);
  if (nagDir) fs.mkdirSync(nagDir, { recursive: true });
  const results: Array<Promise<{ line: string; failed: boolean }>> = [];
  const running = new Set<Promise<unknown>>();
  for (const file of files) {
    while (running.size >= jobs) await Promise.race(running);
    const p = synth(file);
    const tracked: Promise<unknown> = p.then(() => running.delete(tracked));
    running.add(tracked);
    results.push(p);
  }
  let failed = 0;
  for (const r of results) {
    const { line, failed: f } = await r;
    if (f) {
      failed++;
      console.error(line);
    } else {
      console.log(line);
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
