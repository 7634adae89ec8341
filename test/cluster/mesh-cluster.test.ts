import { App, CfnResource, CfnWaitConditionHandle, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubeProxyMode, MeshCluster, renderVpcCniConfiguration } from '../../lib';
import { CLUSTER_ADMIN_ACCESS_POLICIES } from '../util/clusters';

const CILIUM_TAINT = { Effect: 'NO_EXECUTE', Key: 'node.cilium.io/agent-not-ready', Value: 'true' };

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | eks.CfnAddon): string {
  const cfn = construct instanceof eks.CfnAddon ? construct : (construct.node.defaultChild as eks.CfnAddon);
  return stack.getLogicalId(cfn);
}

describe('MeshCluster defaults (KubeProxyMode.KEEP)', () => {
  const stack = new Stack(new App(), 'S');
  const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
  const template = Template.fromStack(stack);

  test('is an eks.Cluster on Kubernetes 1.35 with API authentication and no creator admin', () => {
    expect(cluster).toBeInstanceOf(eks.Cluster);
    expect(cluster.kubernetesVersion.version).toBe('1.35');
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.35',
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      ComputeConfig: { Enabled: false },
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: true }),
    });
  });

  test('KEEP keeps the default networking add-ons (bootstrapSelfManagedAddons unset) and adds no CoreDNS add-on', () => {
    expect(cluster.kubeProxyMode).toBe(KubeProxyMode.KEEP);
    template.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: Match.absent() });
    // vpc-cni and eks-pod-identity-agent (the VPC CNI's credentials)
    template.resourceCountIs('AWS::EKS::Addon', 2);
    expect(cluster.coreDnsAddon).toBeUndefined();
  });

  test('all five control-plane log types are enabled', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((Type) => ({ Type })),
        },
      },
    });
  });

  test('secrets are envelope-encrypted with a new rotating KMS key', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyId = stack.getLogicalId(cluster.secretsEncryptionKey.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }],
    });
  });

  test('the VPC CNI add-on overwrites the self-managed one with the rendered configuration', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ResolveConflicts: 'OVERWRITE',
      PreserveOnDelete: true,
      AddonVersion: Match.absent(),
      ConfigurationValues: JSON.stringify(renderVpcCniConfiguration()),
    });
  });

  test('the default node group: tainted, AL2023, launch template, after the VPC CNI add-on', () => {
    expect(cluster.nodegroups).toHaveLength(1);
    expect(cluster.defaultNodegroup).toBe(cluster.nodegroups[0]);
    const ngId = logicalId(stack, cluster.nodegroups[0]);
    template.hasResource('AWS::EKS::Nodegroup', {
      Properties: Match.objectLike({
        AmiType: 'AL2023_x86_64_STANDARD',
        InstanceTypes: ['m6i.large'],
        ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 2 },
        Taints: [CILIUM_TAINT],
        DiskSize: Match.absent(),
        LaunchTemplate: {
          Id: { Ref: Match.stringLikeRegexp('^MeshNodegroupDefaultLaunchTemplate') },
          Version: Match.anyValue(),
        },
      }),
      DependsOn: Match.arrayWith([logicalId(stack, cluster.vpcCniAddon!)]),
    });
    expect(ngId).toMatch(/^MeshNodegroupDefault/);
  });

  test('the launch template requires IMDSv2 with hop limit 1 and an encrypted gp3 root volume', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' },
          },
        ],
        ImageId: Match.absent(),
        UserData: Match.absent(),
      }),
    });
  });

  test('a new VPC, the bundled kubectl layer, only the kubectl provider as admin, no masters output', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    expect(stack.node.tryFindChild('CdkCiliumMeshKubectlV35Layer')).toBeInstanceOf(lambda.LayerVersion);
    expect(Object.keys(template.findOutputs('*')).filter((k) => /ConfigCommand/.test(k))).toEqual([]);
  });

  test('the stack is environment-agnostic and synthesizes deterministically', () => {
    expect(stack.account).toMatch(/\$\{Token/);
    const again = new Stack(new App(), 'S');
    new MeshCluster(again, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(Template.fromStack(again).toJSON()).toEqual(template.toJSON());
  });
});

describe('MeshCluster with KubeProxyMode.REPLACE', () => {
  const stack = new Stack(new App(), 'S');
  const cluster = new MeshCluster(stack, 'Mesh', {
    version: eks.KubernetesVersion.V1_35,
    kubeProxyMode: KubeProxyMode.REPLACE,
  });
  const template = Template.fromStack(stack);
  const clusterId = stack.getLogicalId(cluster.node.defaultChild as eks.CfnCluster);

  test('the cluster is created without kube-proxy, CoreDNS and the VPC CNI', () => {
    expect(cluster.kubeProxyMode).toBe(KubeProxyMode.REPLACE);
    template.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: false });
  });

  test('the VPC CNI and CoreDNS come back as managed add-ons (with the pod identity agent); kube-proxy does not', () => {
    template.resourceCountIs('AWS::EKS::Addon', 3);
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'coredns', ResolveConflicts: 'OVERWRITE' });
    expect(JSON.stringify(template.findResources('AWS::EKS::Addon'))).not.toMatch(/kube-proxy/);
  });

  test('ipamd gets the API endpoint (CLUSTER_ENDPOINT) because no ClusterIP works before Cilium', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: {
        'Fn::Join': [
          '',
          [
            '{"env":{"AWS_VPC_ENI_MTU":"9001","CLUSTER_ENDPOINT":"',
            { 'Fn::GetAtt': [clusterId, 'Endpoint'] },
            '","ENABLE_PREFIX_DELEGATION":"false","POD_MTU":"9001"},"enableNetworkPolicy":"false"}',
          ],
        ],
      },
    });
  });

  test('node groups wait for the VPC CNI add-on; CoreDNS waits for the node groups (through nodegroupsReady)', () => {
    const ngId = logicalId(stack, cluster.nodegroups[0]);
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    template.hasResource('AWS::EKS::Nodegroup', {
      DependsOn: Match.arrayWith([logicalId(stack, cluster.vpcCniAddon!)]),
    });
    template.hasResource('AWS::CloudFormation::WaitConditionHandle', { DependsOn: Match.arrayWith([ngId]) });
    template.hasResource('AWS::EKS::Addon', {
      Properties: Match.objectLike({ AddonName: 'coredns' }),
      DependsOn: Match.arrayWith([barrierId]),
    });
  });

  test('kubeProxyMode is the string the Cilium construct duck-types', () => {
    expect(cluster.kubeProxyMode).toBe('replace');
    expect(KubeProxyMode.KEEP).toBe('keep');
  });
});

describe('MeshCluster options', () => {
  test('given VPC, key, logging, endpoint access, add-on versions and VPC CNI settings', () => {
    const stack = new Stack(new App(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const key = new kms.Key(stack, 'Key');
    new MeshCluster(stack, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpc,
      secretsEncryptionKey: key,
      clusterLogging: [eks.ClusterLoggingTypes.AUDIT],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      vpcCniAddonVersion: 'v1.20.4-eksbuild.1',
      vpcCni: { mtu: 1500, prefixDelegation: true },
      createDefaultNodegroup: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::EKS::Nodegroup', 0);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [
        {
          Provider: { KeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
          Resources: ['secrets'],
        },
      ],
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'audit' }] } },
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonVersion: 'v1.20.4-eksbuild.1',
      ConfigurationValues:
        '{"env":{"AWS_VPC_ENI_MTU":"1500","ENABLE_PREFIX_DELEGATION":"true","POD_MTU":"1500"},"enableNetworkPolicy":"false"}',
    });
  });

  test('admins get cluster-admin access entries whose ids do not depend on list order', () => {
    const arns = ['arn:aws:iam::123456789012:role/Platform', 'arn:aws:iam::123456789012:user/alice'];
    const build = (admins: string[]) => {
      const stack = new Stack(new App(), 'S');
      new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, admins, createDefaultNodegroup: false });
      return Template.fromStack(stack);
    };
    const template = build(arns);
    template.resourceCountIs('AWS::EKS::AccessEntry', 3);
    for (const arn of arns) {
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        PrincipalArn: arn,
        AccessPolicies: CLUSTER_ADMIN_ACCESS_POLICIES,
      });
    }
    expect(build([...arns].reverse()).toJSON()).toEqual(template.toJSON());
  });

  test('every node group carries the Cilium taint: mesh groups and plain addNodegroupCapacity groups', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    const arm = cluster.addMeshNodegroup('Arm', {
      instanceTypes: [new ec2.InstanceType('m7g.xlarge')],
      minSize: 1,
      maxSize: 5,
      labels: { workload: 'mesh' },
      taints: [{ key: 'dedicated', value: 'mesh', effect: eks.TaintEffect.NO_SCHEDULE }],
      imdsHopLimit: 2,
    });
    cluster.addNodegroupCapacity('Plain', { instanceTypes: [new ec2.InstanceType('m6i.large')] });
    expect(cluster.nodegroups).toHaveLength(3);
    expect(cluster.nodegroups[1]).toBe(arm);
    const template = Template.fromStack(stack);
    const groups = Object.values(template.findResources('AWS::EKS::Nodegroup'));
    expect(groups).toHaveLength(3);
    const [barrier] = Object.values(template.findResources('AWS::CloudFormation::WaitConditionHandle'));
    expect(barrier.DependsOn).toEqual(expect.arrayContaining(cluster.nodegroups.map((ng) => logicalId(stack, ng))));
    for (const group of groups) {
      expect(group.Properties.Taints[0]).toEqual(CILIUM_TAINT);
      expect(group.DependsOn).toEqual(expect.arrayContaining([logicalId(stack, cluster.vpcCniAddon!)]));
    }
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      Labels: { workload: 'mesh' },
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 5 },
      Taints: [CILIUM_TAINT, { Effect: 'NO_SCHEDULE', Key: 'dedicated', Value: 'mesh' }],
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: Match.objectLike({ HttpPutResponseHopLimit: 2 }) }),
    });
  });

  test('removalPolicy also reaches what MeshCluster adds after eks.Cluster: key, add-ons, launch templates, node groups', () => {
    const stack = new Stack(new App(), 'S');
    new MeshCluster(stack, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      removalPolicy: RemovalPolicy.RETAIN,
      kubeProxyMode: KubeProxyMode.REPLACE,
    });
    const template = Template.fromStack(stack);
    for (const type of [
      'AWS::KMS::Key',
      'AWS::EKS::Addon',
      'AWS::EC2::LaunchTemplate',
      'AWS::EKS::Nodegroup',
      'AWS::EKS::Cluster',
    ]) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect([type, resource.DeletionPolicy]).toEqual([type, 'Retain']);
      }
    }
  });

  test('nodegroupsReady also covers node groups added after a dependant was wired', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    const release = new CfnResource(stack, 'Release', { type: 'Custom::Release' });
    release.node.addDependency(cluster.nodegroupsReady);
    const late = cluster.addMeshNodegroup('Late');
    const template = Template.fromStack(stack);
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    template.hasResource('Custom::Release', { DependsOn: [barrierId] });
    const [barrier] = Object.values(template.findResources('AWS::CloudFormation::WaitConditionHandle'));
    expect(barrier.DependsOn).toEqual(
      expect.arrayContaining([logicalId(stack, cluster.defaultNodegroup!), logicalId(stack, late)]),
    );
  });

  test('another Kubernetes version with the caller layer; clusters of a stack share the bundled layer', () => {
    const stack = new Stack(new App(), 'S');
    const layer = lambda.LayerVersion.fromLayerVersionArn(
      stack,
      'Kubectl34',
      'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl34:1',
    );
    const old = new MeshCluster(stack, 'Old', {
      version: eks.KubernetesVersion.V1_34,
      kubectlProviderOptions: { kubectlLayer: layer },
      createDefaultNodegroup: false,
    });
    new MeshCluster(stack, 'A', { version: eks.KubernetesVersion.V1_35, createDefaultNodegroup: false });
    new MeshCluster(stack, 'B', { version: eks.KubernetesVersion.V1_35, createDefaultNodegroup: false });
    expect(old.kubernetesVersion.version).toBe('1.34');
    expect(stack.node.children.filter((c) => c.node.id === 'CdkCiliumMeshKubectlV35Layer')).toHaveLength(1);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.34' });
    template.resourceCountIs('AWS::EKS::Cluster', 3);
    // One bundled kubectl layer and one AWS CLI layer per kubectl provider.
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1 + 3);
  });
});
