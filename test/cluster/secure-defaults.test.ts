import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { KubeProxyMode, MeshCluster, type MeshClusterProps } from '../../lib';
import { endpointOpenToWorld } from '../../lib/cluster/endpoint';

function synth(props: Partial<MeshClusterProps> = {}): { stack: Stack; cluster: MeshCluster; template: Template } {
  const stack = new Stack(new App(), 'S');
  const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, ...props });
  return { stack, cluster, template: Template.fromStack(stack) };
}

const policyNames = (template: Template, logicalId: string): string[] =>
  (template.toJSON().Resources[logicalId].Properties.ManagedPolicyArns ?? [])
    .map((a: unknown) =>
      JSON.stringify(a)
        .replace(/.*policy\//, '')
        .replace(/".*/, ''),
    )
    .sort();

describe('public endpoint warning (cdk-cilium-mesh:publicEndpoint)', () => {
  const warnings = (stack: Stack) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-cilium-mesh:publicEndpoint'));

  test('the default (PUBLIC_AND_PRIVATE, open to 0.0.0.0/0) warns at the cluster, with the fix', () => {
    const { stack } = synth();
    const found = warnings(stack);
    expect(found.map((w) => w.id)).toEqual(['/S/Mesh']);
    expect(String(found[0].entry.data)).toMatch(
      /open to the internet \(0\.0\.0\.0\/0\); restrict it with endpointAccess: eks\.EndpointAccess\.PUBLIC_AND_PRIVATE\.onlyFrom/,
    );
  });

  test.each([
    ['PUBLIC', eks.EndpointAccess.PUBLIC, 1],
    ["onlyFrom('0.0.0.0/0')", eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('0.0.0.0/0'), 1],
    ["onlyFrom('203.0.113.0/24')", eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('203.0.113.0/24'), 0],
    ['PRIVATE', eks.EndpointAccess.PRIVATE, 0],
  ])('%s: %s warning(s)', (_, endpointAccess, count) => {
    expect(warnings(synth({ endpointAccess }).stack)).toHaveLength(count);
  });

  test('an acknowledgement silences it', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    Validations.of(cluster).acknowledge({ id: 'cdk-cilium-mesh:publicEndpoint', reason: 'test' });
    expect(warnings(stack)).toEqual([]);
  });

  test('endpointOpenToWorld: the EKS defaults and tokens', () => {
    expect(endpointOpenToWorld({})).toBe(true);
    expect(endpointOpenToWorld({ endpointPublicAccess: true, publicAccessCidrs: ['10.0.0.0/8', '::/0'] })).toBe(true);
    expect(endpointOpenToWorld({ endpointPublicAccess: true, publicAccessCidrs: ['10.0.0.0/8'] })).toBe(false);
    expect(endpointOpenToWorld({ endpointPublicAccess: false })).toBe(false);
    expect(endpointOpenToWorld({ endpointPublicAccess: { Ref: 'P' } })).toBeUndefined();
  });
});

describe('VPC CNI through EKS Pod Identity', () => {
  const { stack, cluster, template } = synth();

  test('the vpc-cni add-on associates kube-system/aws-node with a role trusted by pods.eks.amazonaws.com', () => {
    const roleId = stack.getLogicalId(cluster.vpcCniRole!.node.defaultChild as iam.CfnRole);
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
          },
        ],
      },
    });
    expect(policyNames(template, roleId)).toEqual(['AmazonEKS_CNI_Policy']);
  });

  test('the pod identity agent add-on exists and the vpc-cni add-on waits for it', () => {
    const agent = template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'eks-pod-identity-agent' } });
    expect(Object.keys(agent)).toHaveLength(1);
    const cni = template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } });
    expect(Object.values(cni)[0].DependsOn).toEqual(expect.arrayContaining(Object.keys(agent)));
  });

  test('no node role holds AmazonEKS_CNI_Policy; the default node group has worker and ECR read only', () => {
    const nodegroups = template.findResources('AWS::EKS::Nodegroup');
    expect(Object.keys(nodegroups)).toHaveLength(1);
    const nodeRole = (Object.values(nodegroups)[0].Properties.NodeRole as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    expect(policyNames(template, nodeRole)).toEqual([
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEKSWorkerNodePolicy',
    ]);
    const cniHolders = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
      policyNames(template, id).includes('AmazonEKS_CNI_Policy'),
    );
    expect(cniHolders).toEqual([stack.getLogicalId(cluster.vpcCniRole!.node.defaultChild as iam.CfnRole)]);
  });

  test('addNodegroupCapacity without a nodeRole gets the same role; with one keeps it', () => {
    const s = new Stack(new App(), 'S2');
    const c = new MeshCluster(s, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      createDefaultNodegroup: false,
      kubeProxyMode: KubeProxyMode.REPLACE,
    });
    const own = new iam.Role(s, 'Own', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(c.addNodegroupCapacity('A').role).not.toBe(own);
    expect(c.addNodegroupCapacity('B', { nodeRole: own }).role).toBe(own);
    const t = Template.fromStack(s);
    const ngA = t.toJSON().Resources[s.getLogicalId(c.nodegroups[0].node.defaultChild as eks.CfnNodegroup)];
    expect(policyNames(t, ngA.Properties.NodeRole['Fn::GetAtt'][0])).toEqual([
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEKSWorkerNodePolicy',
    ]);
  });
});

describe('VPC flow logs and log retention', () => {
  test('the VPC the cluster creates gets flow logs of all traffic to a group kept a year', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      ResourceType: 'VPC',
    });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(groups.map((g) => g.Properties.RetentionInDays)).toEqual(groups.map(() => 365));
  });

  test('every Lambda function logs to a group of ours (none to a never-expiring /aws/lambda group)', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_MONTH });
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(2);
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const [id, fn] of functions) {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect({ id, retention: ref ? groups[ref].Properties.RetentionInDays : undefined }).toEqual({
        id,
        retention: 30,
      });
    }
  });

  test('the control-plane log group /aws/eks/<name>/cluster is kept for logRetention (none without logging)', () => {
    const { stack, cluster, template } = synth({ logRetention: logs.RetentionDays.ONE_MONTH });
    template.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: {
        'Fn::Join': [
          '',
          ['/aws/eks/', { Ref: stack.getLogicalId(cluster.node.defaultChild as eks.CfnCluster) }, '/cluster'],
        ],
      },
      RetentionInDays: 30,
    });
    synth({ clusterLogging: [] }).template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('vpcFlowLogs: false adds none', () => {
    synth({ vpcFlowLogs: false }).template.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  test('vpcFlowLogs with a given VPC is refused', () => {
    const stack = new Stack(new App(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(
      () => new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, vpc, vpcFlowLogs: true }),
    ).toThrow(
      /vpcFlowLogs is true, but the cluster uses the VPC it was given \(S\/Vpc\), whose flow logs are its owner's; remove vpcFlowLogs and call vpc\.addFlowLog\(\).*\[at S\/Mesh\]/,
    );
  });
});
