// The baseline of the bare-app comparison (bench/run.ts): by hand with aws-eks-v2, the infrastructure the quickstart
// (bench/bare/mesh.js) makes, so that the ratio measures the library, not its defaults: a VPC with flow logs to a
// log group kept a year, a cluster with secrets encryption (a rotated KMS key) and all control-plane log types (their
// group kept a year), a managed node group (AL2023, m6i.large, from a launch template), the VPC CNI add-on with its
// permissions through EKS Pod Identity (and the agent add-on), the kubectl layer, and the Cilium Helm chart in
// aws-cni chaining mode. Compiled JS, as a user's compiled app.
const t0 = process.hrtime.bigint();
const { KubectlV35Layer } = require('@aws-cdk/lambda-layer-kubectl-v35');
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const eks = require('aws-cdk-lib/aws-eks-v2');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const logs = require('aws-cdk-lib/aws-logs');

const app = new cdk.App({ outdir: process.argv[2] });
const stack = new cdk.Stack(app, 'Plain');
const year = logs.RetentionDays.ONE_YEAR;
const vpc = new ec2.Vpc(stack, 'Vpc');
vpc.addFlowLog('FlowLog', {
  destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(stack, 'FlowLogs', { retention: year })),
});
const cluster = new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_35,
  vpc,
  defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  defaultCapacity: 0,
  secretsEncryptionKey: new kms.Key(stack, 'SecretsKey', { enableKeyRotation: true }),
  clusterLogging: [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
  ],
  kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
});
new logs.LogRetention(stack, 'ControlPlaneLogs', {
  logGroupName: `/aws/eks/${cluster.clusterName}/cluster`,
  retention: year,
});
const launchTemplate = new ec2.LaunchTemplate(stack, 'NodeTemplate', {
  requireImdsv2: true,
  blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(80, { encrypted: true }) }],
});
cluster.addNodegroupCapacity('Nodes', {
  amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
  instanceTypes: [new ec2.InstanceType('m6i.large')],
  launchTemplateSpec: { id: launchTemplate.launchTemplateId, version: launchTemplate.latestVersionNumber },
});
new eks.Addon(stack, 'PodIdentityAgent', { cluster, addonName: 'eks-pod-identity-agent' });
const cniRole = new iam.Role(stack, 'CniRole', {
  assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKS_CNI_Policy')],
});
new eks.CfnAddon(stack, 'VpcCni', {
  addonName: 'vpc-cni',
  clusterName: cluster.clusterName,
  configurationValues: JSON.stringify({ env: { AWS_VPC_ENI_MTU: '9001', POD_MTU: '9001' } }),
  podIdentityAssociations: [{ roleArn: cniRole.roleArn, serviceAccount: 'aws-node' }],
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
