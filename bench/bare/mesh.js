// The bare app of the bare-app comparison (bench/run.ts): the quickstart (MeshCluster + Cilium, no mesh objects)
// from the compiled package (dist/lib, `npm run build`), as a user's compiled app loads it.
const t0 = process.hrtime.bigint();
const cdk = require('aws-cdk-lib');
const eks = require('aws-cdk-lib/aws-eks-v2');
const { CiliumVersion, HubbleMetric, MeshCluster } = require('../../dist/lib');

const app = new cdk.App({ outdir: process.argv[2] });
const stack = new cdk.Stack(app, 'Bare');
new MeshCluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_35 }).addCilium({
  version: CiliumVersion.V1_20,
  hubble: { relay: true, metrics: [HubbleMetric.flow(), HubbleMetric.tcp()], policyVerdictMetrics: true },
  prometheus: { agent: true, operator: true },
});
app.synth();
process.stdout.write(`${JSON.stringify({ app: 'mesh', ms: Number(process.hrtime.bigint() - t0) / 1e6 })}\n`);
