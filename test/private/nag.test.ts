import { App, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeshCluster } from '../../lib';
import { acknowledgeNag, managedPolicyFinding } from '../../lib/private/nag';
import { CdkCiliumMeshChecks } from '../../scripts/nag/cdk-cilium-mesh-checks';
import { checkApp } from '../../scripts/nag/check';

const LOGS = managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole');

function lambdaRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
  });
}

const violations = (app: App, pack: AwsSolutionsChecks | CdkCiliumMeshChecks) =>
  pack
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
    .sort();

test('cdk-nag v3 honours acknowledgeNag (Validations metadata), not the v2 cdk_nag.rules_to_suppress metadata', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  acknowledgeNag(lambdaRole(stack, 'Acknowledged'), { [LOGS]: 'test' });
  (lambdaRole(stack, 'V2Metadata').node.defaultChild as iam.CfnRole).addMetadata('cdk_nag', {
    rules_to_suppress: [{ id: 'AwsSolutions-IAM4', reason: 'v2 style' }],
  });
  lambdaRole(stack, 'Plain');
  app.synth();
  expect(violations(app, new AwsSolutionsChecks())).toEqual([
    `${LOGS} S/Plain/Resource`,
    `${LOGS} S/V2Metadata/Resource`,
  ]);
});

test('AwsSolutions-EKS1 does not see an aws-eks-v2 cluster; our rule does, and honours an acknowledgement', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  new MeshCluster(stack, 'Open', { version: eks.KubernetesVersion.V1_35 });
  const quiet = new MeshCluster(new Stack(app, 'T'), 'Acked', { version: eks.KubernetesVersion.V1_35 });
  Validations.of(quiet).acknowledge({ id: 'CdkCiliumMesh-EKSPublicEndpoint', reason: 'test' });
  app.synth();
  expect(violations(app, new AwsSolutionsChecks()).filter((v) => v.startsWith('AwsSolutions-EKS'))).toEqual([]);
  expect(violations(app, new CdkCiliumMeshChecks())).toEqual(['CdkCiliumMesh-EKSPublicEndpoint S/Open/Resource']);
  const counted = checkApp(app)
    .flatMap((s) => s.findings)
    .filter((f) => f.rule === 'CdkCiliumMesh-EKSPublicEndpoint');
  expect(counted.map((f) => [f.path, f.reason ?? null]).sort()).toEqual([
    ['S/Open/Resource', null],
    ['T/Acked/Resource', 'test'],
  ]);
});

test('our control-plane log rule reports each missing log type, as AwsSolutions-EKS2 would', () => {
  const app = new App();
  new MeshCluster(new Stack(app, 'S'), 'Mesh', { version: eks.KubernetesVersion.V1_35, clusterLogging: [] });
  app.synth();
  expect(violations(app, new CdkCiliumMeshChecks()).filter((v) => v.includes('ControlPlaneLogs'))).toEqual(
    ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']
      .map((t) => `CdkCiliumMesh-EKSControlPlaneLogs[LogExport::${t}] S/Mesh/Resource`)
      .sort(),
  );
});
