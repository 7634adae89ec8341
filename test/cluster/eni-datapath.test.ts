import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, CfnResource, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import {
  Cilium,
  CiliumVersion,
  Datapath,
  EniOperatorCredentials,
  HttpRule,
  KubeProxyMode,
  MeshCluster,
  Peer,
  Port,
  ServiceMesh,
  TransparentEncryption,
  Workload,
} from '../../lib';
import { DELIVERY_RESOURCE_TYPE } from '../../lib/delivery/provider';
import { eksClusterStack, importedClusterStack } from '../util/clusters';

function eniCluster(props: Partial<ConstructorParameters<typeof MeshCluster>[2]> = {}) {
  const stack = new Stack(new App(), 'S');
  const cluster = new MeshCluster(stack, 'Mesh', {
    version: eks.KubernetesVersion.V1_35,
    datapath: Datapath.ENI,
    ...props,
  });
  return { stack, cluster };
}

function helmValues(template: Template): Record<string, unknown> {
  const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
  return JSON.parse(release.Properties.Values);
}

function deps(
  template: Template,
  type: string,
  filter: (r: { Properties?: Record<string, unknown> }) => boolean = () => true,
): string[] {
  const found = Object.values(template.findResources(type)).filter(filter);
  expect(found).toHaveLength(1);
  return found[0].DependsOn ?? [];
}

describe('MeshCluster on the ENI datapath (KubeProxyMode.KEEP)', () => {
  const { stack, cluster } = eniCluster();
  const cilium = cluster.addCilium();
  const template = Template.fromStack(stack);
  const releaseId = stack.getLogicalId(cilium.release.node.defaultChild as CfnResource);

  test('created without the VPC CNI: bootstrapSelfManagedAddons false, no vpc-cni add-on; kube-proxy, CoreDNS and the Pod Identity agent as add-ons', () => {
    expect(cluster.datapath).toBe(Datapath.ENI);
    expect(cluster.vpcCniAddon).toBeUndefined();
    template.hasResourceProperties('AWS::EKS::Cluster', { BootstrapSelfManagedAddons: false });
    const addons = Object.values(template.findResources('AWS::EKS::Addon'))
      .map((r) => r.Properties.AddonName)
      .sort();
    expect(addons).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy']);
  });

  test("the ENI values of the line, without Helm's wait (no node is Ready before Cilium runs)", () => {
    expect(helmValues(template)).toEqual({ eni: { enabled: true }, kubeProxyReplacement: false });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Wait: Match.absent() });
    expect(cilium.profile.datapath).toBe(Datapath.ENI);
  });

  test('order: kube-proxy add-on and Cilium before the node groups; CoreDNS after them', () => {
    const kubeProxyId = stack.getLogicalId(cluster.kubeProxyAddon!);
    expect(deps(template, 'AWS::EKS::Nodegroup')).toEqual(expect.arrayContaining([releaseId, kubeProxyId]));
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    expect(deps(template, 'Custom::AWSCDK-EKS-HelmChart')).not.toContain(barrierId);
    expect(deps(template, 'AWS::EKS::Addon', (r) => r.Properties?.AddonName === 'coredns')).toEqual(
      expect.arrayContaining([barrierId]),
    );
  });

  test('the operator role: the documented EC2 actions through EKS Pod Identity for kube-system/cilium-operator, created before the release', () => {
    const roleId = stack.getLogicalId(cilium.operatorRole!.node.defaultChild as CfnResource);
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
      Policies: [
        {
          PolicyName: 'EniIpam',
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Resource: '*',
                Action: Match.arrayWith(['ec2:CreateNetworkInterface', 'ec2:DescribeInstanceTypes']),
              },
            ],
          },
        },
      ],
    });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system',
      ServiceAccount: 'cilium-operator',
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    const association = Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation'))[0];
    expect(deps(template, 'Custom::AWSCDK-EKS-HelmChart')).toContain(association);
  });

  test('node groups: max-pods of ENI IPAM in the launch template, a node role without the VPC CNI policy', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ UserData: { 'Fn::Base64': Match.stringLikeRegexp('maxPods: 29\n') } }),
    });
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'),
    );
    expect(roles).toHaveLength(1);
    const policies = JSON.stringify(roles[0].Properties.ManagedPolicyArns);
    expect(policies).toContain('AmazonEKSWorkerNodePolicy');
    expect(policies).not.toContain('AmazonEKS_CNI_Policy');
  });

  test('mesh objects wait for the node groups too', () => {
    const { stack, cluster } = eniCluster();
    const cilium = cluster.addCilium();
    const releaseId = stack.getLogicalId(cilium.release.node.defaultChild as CfnResource);
    const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: cilium.profile });
    new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    cilium.addMesh(mesh);
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    expect(deps(Template.fromStack(stack), DELIVERY_RESOURCE_TYPE)).toEqual(
      expect.arrayContaining([barrierId, releaseId]),
    );
  });
});

describe('ENI options and other modes', () => {
  test('REPLACE: no kube-proxy add-on, Cilium replaces it', () => {
    const { stack, cluster } = eniCluster({ kubeProxyMode: KubeProxyMode.REPLACE });
    const cilium = cluster.addCilium();
    const template = Template.fromStack(stack);
    expect(
      Object.values(template.findResources('AWS::EKS::Addon'))
        .map((r) => r.Properties.AddonName)
        .sort(),
    ).toEqual(['coredns', 'eks-pod-identity-agent']);
    expect(cilium.values).toMatchObject({ eni: { enabled: true }, kubeProxyReplacement: true });
  });

  test('prefix delegation raises max-pods (capped at 110) and reaches the values; IRSA sets eni.iamRole', () => {
    const { stack, cluster } = eniCluster({
      eni: { prefixDelegation: true, releaseExcessIps: true, operatorCredentials: EniOperatorCredentials.IRSA },
    });
    const cilium = cluster.addCilium({ version: CiliumVersion.V1_17 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ UserData: { 'Fn::Base64': Match.stringLikeRegexp('maxPods: 110\n') } }),
    });
    expect(stack.resolve(cilium.values)).toMatchObject({
      eni: {
        enabled: true,
        awsEnablePrefixDelegation: true,
        awsReleaseExcessIPs: true,
        iamRole: { 'Fn::GetAtt': [stack.getLogicalId(cilium.operatorRole!.node.defaultChild as CfnResource), 'Arn'] },
      },
      ipam: { mode: 'eni' },
      routingMode: 'native',
      egressMasqueradeInterfaces: 'ens+',
    });
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    const action = JSON.stringify(template.findResources('AWS::IAM::Role'));
    expect(action).toContain('ec2:UnassignPrivateIpAddresses');
    expect(action).toContain('ec2:DescribeInstanceTypes'); // 1.17: the chart's updateEC2AdapterLimitViaAPI default calls it
    expect(action).toContain('sts:AssumeRoleWithWebIdentity');
    expect(cilium.operatorRole).toBeDefined();
  });

  test('L7 and FQDN rules on an ENI profile: no capability warning', () => {
    const { stack, cluster } = eniCluster();
    const cilium = cluster.addCilium();
    const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: cilium.profile });
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' }, ports: [Port.tcp(8080)] });
    const web = new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } });
    api.allowFrom(web, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    api.allowTo(Peer.fqdn('api.example.com'), { ports: [Port.tcp(443)] });
    cilium.addMesh(mesh);
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-cilium-mesh:(?!publicEndpoint)')),
    ).toEqual([]);
  });
});

describe('bad input on the ENI datapath: construct path, value, fix', () => {
  test('VPC CNI settings', () => {
    expect(() => eniCluster({ vpcCni: { prefixDelegation: true } })).toThrow(
      /^vpcCni \(\{"prefixDelegation":true\}\) configure the VPC CNI, which the ENI datapath does not install .*; remove them, and use eni: \{ prefixDelegation, subnetIds, ... \} for ENI IPAM \[at S\/Mesh\]$/,
    );
    expect(() => eniCluster({ vpcCniAddonVersion: 'v1.20.4-eksbuild.1' })).toThrow(
      /vpcCniAddonVersion \(v1.20.4-eksbuild.1\) configure the VPC CNI.*\[at S\/Mesh\]$/,
    );
  });

  test('ENI options on a chaining cluster, or on addCilium of an ENI cluster', () => {
    const stack = new Stack(new App(), 'S');
    expect(
      () => new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, eni: { prefixDelegation: true } }),
    ).toThrow(
      /eni options are set, but the datapath is aws-cni chaining .*pass datapath: Datapath.ENI or remove eni \[at S\/Mesh\]$/,
    );
    const { cluster } = eniCluster();
    expect(() => cluster.addCilium({ eni: { prefixDelegation: true } })).toThrow(
      /eni options are set on addCilium, but node groups need them first .*; pass eni to the MeshCluster instead \[at S\/Mesh\]$/,
    );
  });

  test('chaining-only options on an ENI install; Helm wait', () => {
    const { cluster } = eniCluster();
    expect(() => cluster.addCilium({ wait: true })).toThrow(
      /wait: true on the ENI datapath would never finish: .*; remove wait \[at S\/Mesh\]$/,
    );
    expect(() => cluster.addCilium({ clusterPoolIPv4PodCIDR: '198.18.0.0/16' })).toThrow(
      /clusterPoolIPv4PodCIDR is set \(198.18.0.0\/16\), but the ENI datapath .* \[at S\/Mesh\/Cilium\]$/,
    );
  });

  test('an instance type without ENI data names the node group', () => {
    expect(() => eniCluster({ defaultNodegroup: { instanceTypes: [new ec2.InstanceType('zz9.huge')] } })).toThrow(
      /^node group 'Default': instance type 'zz9.huge' has no ENI limits in the table this library ships .* \[at S\/Mesh\]$/,
    );
  });

  test('an AMI that cannot carry max-pods, a plain addNodegroupCapacity, maxPods on chaining', () => {
    const { cluster } = eniCluster({ version: eks.KubernetesVersion.V1_35 });
    expect(() => cluster.addNodegroupCapacity('Plain', { instanceTypes: [new ec2.InstanceType('m6i.large')] })).toThrow(
      /addNodegroupCapacity\('Plain'\) is not supported on the ENI datapath: .*use addMeshNodegroup\(id, options\) \[at S\/Mesh\]$/,
    );
    const chaining = new MeshCluster(new Stack(new App(), 'S'), 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(() => chaining.addMeshNodegroup('Dense', { maxPods: 50 })).toThrow(
      /node group 'Dense': maxPods is set \(50\), but on aws-cni chaining the VPC CNI's settings decide it .* \[at S\/Mesh\]$/,
    );
  });

  test('IPsec where unsupported (chaining) is an error; on ENI it is accepted', () => {
    const chaining = new MeshCluster(new Stack(new App(), 'S'), 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(() => chaining.addCilium({ encryption: TransparentEncryption.ipsec() })).toThrow(
      /ipsec on aws-cni-chaining \(Cilium 1.20\) is incompatible.*or the ENI datapath for IPsec \[at S\/Mesh\/Cilium\]$/,
    );
    const { cluster } = eniCluster();
    expect(cluster.addCilium({ encryption: TransparentEncryption.ipsec() }).values.encryption).toEqual({
      enabled: true,
      type: 'ipsec',
    });
  });

  test('an ENI cluster without Cilium fails synth: its nodes could never become Ready', () => {
    const { stack } = eniCluster();
    expect(() => Template.fromStack(stack)).toThrow(
      /the ENI datapath has no other CNI: nodes stay NotReady until Cilium runs on them.*call cluster.addCilium\(\)/,
    );
  });
});

describe('switching datapaths in place is refused', () => {
  test('Cilium with another datapath than the MeshCluster was created for', () => {
    const chaining = new MeshCluster(new Stack(new App(), 'S'), 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(() => chaining.addCilium({ datapath: Datapath.ENI })).toThrow(
      /^datapath 'eni' differs from the datapath 'aws-cni-chaining' the cluster 'S\/Mesh' was created for; switching in place would replace the CNI under running pods. Remove the datapath prop .*, or migrate: create a new cluster with the other datapath, move the workloads, delete the old one \(README, "Switching datapaths"\) \[at S\/Mesh\/Cilium\]$/,
    );
    const { cluster } = eniCluster();
    expect(() => cluster.addCilium({ datapath: Datapath.AWS_CNI_CHAINING })).toThrow(
      /datapath 'aws-cni-chaining' differs from the datapath 'eni'/,
    );
  });

  test('ENI on a plain eks.Cluster that runs the VPC CNI is refused; without it the datapath is taken as stated', () => {
    const { stack, cluster } = eksClusterStack({ id: 'P', env: false });
    expect(() => new Cilium(stack, 'Cilium', { cluster, datapath: Datapath.ENI })).toThrow(
      /^datapath 'eni' on cluster 'P\/Cluster', which was created with EKS's default networking add-ons \(VPC CNI\): Cilium would take over pod networking under running pods .*Create the cluster with bootstrapSelfManagedAddons: false and no vpc-cni add-on .* \[at P\/Cilium\]$/,
    );
    const bare = new Stack(new App(), 'B');
    const bareCluster = new eks.Cluster(bare, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      bootstrapSelfManagedAddons: false,
      kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(bare, 'Kubectl') },
    });
    const cilium = new Cilium(bare, 'Cilium', { cluster: bareCluster, datapath: Datapath.ENI });
    expect(cilium.profile.datapath).toBe(Datapath.ENI);
    const template = Template.fromStack(bare);
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    expect(Object.values(template.findResources('AWS::EKS::Addon')).map((r) => r.Properties.AddonName)).toEqual([
      'eks-pod-identity-agent',
    ]);
    new eks.CfnAddon(bareCluster, 'VpcCni', { addonName: 'vpc-cni', clusterName: bareCluster.clusterName });
    expect(() => new Cilium(bare, 'Cilium2', { cluster: bareCluster, datapath: Datapath.ENI })).toThrow(
      /which has a vpc-cni add-on \(B\/Cluster\/VpcCni\)/,
    );
    // An imported cluster cannot be checked: ENI is taken as stated and gets as far as the operator's credentials.
    const irsa = importedClusterStack({ id: 'J' });
    expect(
      () =>
        new Cilium(irsa.stack, 'Cilium', {
          cluster: irsa.cluster,
          datapath: Datapath.ENI,
          eni: { operatorCredentials: EniOperatorCredentials.IRSA },
        }),
    ).toThrow(
      /IRSA credentials for the Cilium operator need the cluster's OIDC provider, but the imported cluster 'J\/Cluster' has none; .* \[at J\/Cilium\]$/,
    );
  });
});

describe('Bottlerocket on 1.16/1.17', () => {
  test('the default masquerade interfaces (AL2023 ens+) are refused for Bottlerocket groups, eth+ is accepted', () => {
    const bottlerocket = { amiType: eks.NodegroupAmiType.BOTTLEROCKET_X86_64 };
    const { stack, cluster } = eniCluster({ defaultNodegroup: bottlerocket });
    cluster.addCilium({ version: CiliumVersion.V1_16 });
    expect(() => Template.fromStack(stack)).toThrow(
      /egressMasqueradeInterfaces is 'ens\+', but node group\(s\) Default run Bottlerocket, .*; pass eni: \{ egressMasqueradeInterfaces: \['eth\+', 'ens\+'\] \} to the MeshCluster/,
    );
    const ok = eniCluster({ defaultNodegroup: bottlerocket, eni: { egressMasqueradeInterfaces: ['eth+', 'ens+'] } });
    ok.cluster.addCilium({ version: CiliumVersion.V1_17 });
    Template.fromStack(ok.stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ UserData: { 'Fn::Base64': '[settings.kubernetes]\nmax-pods = 29\n' } }),
    });
  });
});
