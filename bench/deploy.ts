/**
 * `npm run bench:deploy`: deploy-time cost of mesh delivery on a live kube-apiserver (scripts/kube), with the
 * library's own handler and the kubectl binary of the Lambda layer (test/live/drive_stack.py, lifecycle mode).
 * For each size: Create of N synthetic CiliumNetworkPolicies (+ their 40 Namespaces), an Update that changes one
 * object (it applies that object's batch), an Update that changes nothing, the scheduled Reconcile (a full re-apply
 * of every object), an Update that removes all N policies (a mass prune), an Update that brings them back, and
 * Delete. Records wall time, kubectl processes and the handler's peak memory, and rewrites the deploy section of
 * docs/benchmarks.md (between its deploy markers), with the goals of issue #14 at 5,000 objects and the Lambda
 * time left at each size.
 *   BENCH_DEPLOY_SIZES=1000,5000,20000 (default)  BENCH_DEPLOY_REPEATS=1
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp } from 'cdk8s';
import { syntheticPolicy } from './synthetic';
import { MeshDelivery } from '../lib/delivery';
import { ServiceMesh } from '../lib/mesh/service-mesh';
import { ROOT, runDriver, startServer } from '../test/live/cluster';

const SIZES = (process.env.BENCH_DEPLOY_SIZES ?? '1000,5000,20000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_DEPLOY_REPEATS ?? 1);
const NAMESPACES = 40;
/** Seconds a handler invocation may use: the Lambda's 15 minutes less the handler's DEADLINE_MARGIN_SECONDS. */
const LAMBDA_BUDGET = 900 - 45;

/** Synthesizes a stack delivering N policies (policy `changed`, if given, at revision 1) and returns its assembly. */
function synth(n: number, changed?: number): { assembly: string; template: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-deploy-'));
  const app = new cdk.App({ outdir, context: { 'aws:cdk:disable-asset-staging': false } });
  const stack = new cdk.Stack(app, 'Bench', { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
  });
  const mesh = new ServiceMesh(new K8sApp(), 'mesh');
  for (let t = 0; t < NAMESPACES; t++) {
    const name = `team-${String(t).padStart(2, '0')}`;
    new ApiObject(mesh, `ns${t}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (let i = 0; i < n; i++) new ApiObject(mesh, `p${i}`, syntheticPolicy(i, i === changed ? 1 : 0));
  new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
  app.synth();
  return { assembly: outdir, template: path.join(outdir, 'Bench.template.json') };
}

interface Step {
  request: string;
  label: string;
  seconds: number;
  kubectlCalls: number;
  handlerPeakMiB: number;
  kubectlPeakMiB: number;
  data: Record<string, number>;
}

function run(n: number): Step[] {
  const create = synth(n);
  const edit = synth(n, Math.floor(n / 2));
  const none = synth(0);
  const server = startServer(`bench-${n}`);
  try {
    // The Cilium CRDs stand in for the operator's (the objects are CiliumNetworkPolicies).
    const crds = execSync(`ls ${path.join(ROOT, '..', 'shared', 'upstream', 'cilium', 'v1.20.0', 'crds')}/*.yaml`, {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    for (const f of crds) server.kubectl(['apply', '--server-side', '-f', f]);
    server.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    const report = runDriver(server, {
      assembly: create.assembly,
      template: create.template,
      charts: {},
      urls: {},
      lifecycle: [
        { request: 'Create', label: `create ${n}`, ...create },
        { request: 'Update', label: 'update one object', ...edit },
        { request: 'Update', label: 'update, nothing changed', ...edit },
        { request: 'Reconcile', label: 'reconcile (re-applies all)' },
        { request: 'Update', label: `prune ${n}`, ...none },
        { request: 'Update', label: `re-create ${n}`, ...edit },
        { request: 'Delete', label: `delete ${n}` },
      ],
    }) as { steps?: Step[]; error?: string };
    if (report.error || !report.steps) throw new Error(`lifecycle of ${n} failed: ${report.error ?? 'no steps'}`);
    return report.steps;
  } finally {
    server.stop();
    fs.rmSync(create.assembly, { recursive: true, force: true });
    fs.rmSync(edit.assembly, { recursive: true, force: true });
    fs.rmSync(none.assembly, { recursive: true, force: true });
  }
}

function main(): void {
  const started = Date.now();
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
  const loadBefore = load();
  const rows: string[] = [];
  const medians = new Map<string, number>();
  for (const n of SIZES) {
    const runs = Array.from({ length: REPEATS }, () => run(n));
    runs[0].forEach((step, i) => {
      const secs = runs.map((r) => r[i].seconds).sort((a, b) => a - b);
      const spread = secs.length > 1 ? ` [${secs[0]}–${secs[secs.length - 1]}]` : '';
      const median = secs[Math.floor(secs.length / 2)];
      medians.set(`${n} ${step.request} ${step.label}`, median);
      rows.push(
        // bench/run.ts reads the columns up to kubectl peak: new columns go after it
        `| ${n.toLocaleString('en-US')} | ${step.label} | ${median} s${spread} | ${step.kubectlCalls} | ` +
          `${Math.max(...runs.map((r) => r[i].handlerPeakMiB))} MiB | ${Math.max(...runs.map((r) => r[i].kubectlPeakMiB))} MiB | ` +
          `${Math.round(LAMBDA_BUDGET - median)} s | \`${JSON.stringify(step.data)}\` |`,
      );
      process.stderr.write(rows[rows.length - 1] + '\n');
    });
  }
  const at = (n: number, label: string) => [...medians].find(([k]) => k.startsWith(`${n} `) && k.endsWith(label))?.[1];
  const goal = (what: string, secs: number | undefined, limit: number) =>
    secs === undefined
      ? `${what}: not measured`
      : `${what} ${secs} s (goal < ${limit} s: ${secs < limit ? 'met' : 'missed'})`;
  const goals = SIZES.includes(5000)
    ? [
        `Goals of issue #14 at 5,000 objects: ${goal('create', at(5000, 'create 5000'), 300)}; ` +
          `${goal('one-object update', at(5000, 'update one object'), 30)}; ${goal('prune', at(5000, 'prune 5000'), 120)}; ` +
          `${goal('delete', at(5000, 'delete 5000'), 120)}.`,
        '',
      ]
    : [];
  const section = [
    '<!-- deploy:start -->',
    '## Deploy time on a live API server (`npm run bench:deploy`)',
    '',
    'bench/deploy.ts: the delivery handler (lib/delivery/handler) with the kubectl of the Lambda layer against',
    'the kube-apiserver of scripts/kube (etcd without fsync, on the same 2 cores), through test/live/drive_stack.py.',
    `N synthetic CiliumNetworkPolicies in ${NAMESPACES} Namespaces; ${REPEATS} run(s) per row (median [min–max]).`,
    'Handler peak = the largest resident size of the Python process so far (it grows across the steps of one size);',
    'kubectl peak = the largest kubectl process started so far (one apply at a time; deletes and prunes run up to 8 at once, each with a share).',
    'An Update applies the batches whose sha256 the parent does not record and the objects missing from the cluster;',
    'the Reconcile step is the scheduled full re-apply (every object, kubectl ApplySet apply with --prune).',
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, load average ${loadBefore} at start and ${load()} at end;`,
    `total ${((Date.now() - started) / 60000).toFixed(1)} min.`,
    '',
    "Lambda time left = 900 s (the 15-minute limit) minus the handler's 45 s margin minus the wall time measured here.",
    '',
    ...goals,
    '| objects | step | wall time | kubectl processes | handler peak | kubectl peak | Lambda time left | result |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '<!-- deploy:end -->',
  ].join('\n');
  const doc = path.join(ROOT, 'docs', 'benchmarks.md');
  const text = fs.readFileSync(doc, 'utf8');
  const re = /<!-- deploy:start -->[\s\S]*<!-- deploy:end -->/;
  fs.writeFileSync(doc, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
  process.stderr.write(`wrote the deploy section of docs/benchmarks.md\n`);
}

main();
