// The baseline of the bare-app comparison (bench/run.ts): a plain aws-eks-v2 cluster with the kubectl layer and the
// Cilium Helm chart in aws-cni chaining mode, written by hand; compiled-JS equivalent of what the quickstart makes.
const t0 = process.hrtime.bigint();
const { KubectlV35Layer } = require('@aws-cdk/lambda-layer-kubectl-v35');
const cdk = require('aws-cdk-lib');
const eks = require('aws-cdk-lib/aws-eks-v2');

const app = new cdk.App({ outdir: process.argv[2] });
const stack = new cdk.Stack(app, 'Plain');
const cluster = new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_35,
  kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
});
cluster.addHelmChart('Cilium', {
  chart: 'cilium', repository: 'https://helm.cilium.io/', version: '1.20.2', namespace: 'kube-system',
  values: {
    cni: { chainingMode: 'aws-cni', exclusive: false }, enableIPv4Masquerade: false, routingMode: 'native',
    hubble: { relay: { enabled: true }, metrics: { enabled: ['flow', 'tcp'] } }, prometheus: { enabled: true },
    operator: { prometheus: { enabled: true } },
  },
});
app.synth();
process.stdout.write(`${JSON.stringify({ app: 'plain', ms: Number(process.hrtime.bigint() - t0) / 1e6 })}\n`);
