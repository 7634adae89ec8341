/**
 * One benchmark measurement, run in its own process by bench/run.ts:
 *   ts-node --transpile-only bench/measure.ts <strategy> <objects>
 * Prints one JSON line: synth time (app construction + app.synth(); wall and CPU of the process), peak RSS, the
 * template facts (CloudFormation and IAM), the delivery handler's memory, the number of warnings and of batch files.
 * The built-in CloudFormation validation follows the CDK_VALIDATION environment variable (set by run.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp } from 'cdk8s';
import { cpuMsSince, mainThreadCpuMs } from './cpu';
import { templateFacts } from './limits';
import { realisticMesh } from './realistic';
import { syntheticPolicy } from './synthetic';
import { MeshDelivery } from '../lib/delivery';
import { ServiceMesh } from '../lib/mesh/service-mesh';

export type Strategy = 'mesh-delivery' | 'manifest-per-object' | 'one-manifest' | 'realistic-mesh';

function main(): void {
  const [strategy, countArg] = process.argv.slice(2) as [Strategy, string];
  const n = Number(countArg);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cilium-mesh-bench-'));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const mainThreadStart = mainThreadCpuMs();

  // The 500-resource check is lifted so that the baselines can be measured; run.ts marks what breaks a limit.
  const app = new cdk.App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new cdk.Stack(app, 'Bench', { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
  });
  let objects = n;
  if (strategy === 'realistic-mesh') {
    const mesh = realisticMesh(new K8sApp(), n);
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
  } else if (strategy === 'mesh-delivery') {
    const mesh = new ServiceMesh(new K8sApp(), 'mesh');
    for (let i = 0; i < n; i++) new ApiObject(mesh, `p${i}`, syntheticPolicy(i));
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
  } else if (strategy === 'manifest-per-object') {
    for (let i = 0; i < n; i++) cluster.addManifest(`P${i}`, syntheticPolicy(i) as unknown as Record<string, unknown>);
  } else if (strategy === 'one-manifest') {
    const all = Array.from({ length: n }, (_, i) => syntheticPolicy(i) as unknown as Record<string, unknown>);
    cluster.addManifest('All', ...all);
  } else {
    throw new Error(`unknown strategy ${strategy}`);
  }
  const assembly = app.synth();
  const synthMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = cpuMsSince(cpuStart);
  const mainThreadMs = mainThreadCpuMs() - mainThreadStart;

  const text = fs.readFileSync(path.join(assembly.directory, 'Bench.template.json'), 'utf8');
  // template bytes as written by cdk synth (and uploaded by cdk deploy)
  const template = JSON.parse(text);
  const facts = { ...templateFacts(template), templateBytes: Buffer.byteLength(text) };
  // the delivery handler's memory, for the Lambda memory check (bench/run.ts)
  const handler = Object.values<any>(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      String(r.Properties?.Description ?? '').startsWith('cdk-cilium-mesh: applies'),
  );
  const handlerMemoryMiB = handler?.Properties?.MemorySize ?? 0;
  // the batch files the delivery wrote (realistic mesh: one file per batch, which the bench's file-creation
  // calibration prices)
  let batchFiles = 0;
  if (strategy === 'realistic-mesh') {
    const delivery = stack.node.findChild('Delivery') as MeshDelivery;
    objects = delivery.plan.objectCount;
    batchFiles = delivery.plan.batches.length;
  }
  const warnings = assembly.getStackByName('Bench').messages.filter((m) => m.level === 'warning').length;
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({
      strategy,
      n,
      objects,
      batchFiles,
      synthMs,
      cpuMs,
      mainThreadMs,
      handlerMemoryMiB,
      warnings,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      ...facts,
    }) + '\n',
  );
}

main();
