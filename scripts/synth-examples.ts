/**
 * Synthesizes every example in examples/ into .validate/examples/<target>/<example>/ so that `.ci/run` can
 * validate the Helm values (in the templates) and the Kubernetes objects (in the templates, the mesh batch
 * assets and cdk8s YAML) against the upstream reference data. Examples run as scripts: a CDK app synthesizes
 * into CDK_OUTDIR on exit, a cdk8s app into CDK8S_OUTDIR.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');

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

let failed = 0;
for (const file of fs.readdirSync(examplesDir).filter((f) => f.endsWith('.ts')).sort()) {
  const name = path.basename(file, '.ts');
  const outdir = path.join(root, '.validate', 'examples', targetOf(name), name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const started = Date.now();
  const r = spawnSync(tsNode, ['--transpile-only', path.join(examplesDir, file)], {
    cwd: root,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK8S_OUTDIR: path.join(outdir, 'k8s') },
    encoding: 'utf8',
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed++;
    console.error(`FAIL ${name} (${secs}s)\n${r.stdout}\n${r.stderr}`);
  } else {
    const pruned = pruneBinaryAssets(outdir);
    console.log(`synthesized ${name} → ${path.relative(root, outdir)} (${secs}s; ${pruned} binary asset(s) not kept)`);
  }
}
process.exit(failed ? 1 : 0);
