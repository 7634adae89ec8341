import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MeshCluster, MeshClusterProps, MeshValidationError } from '../../lib';
import { CLUSTER_ADMIN_ACCESS_POLICIES } from '../util/clusters';

function build(props: Partial<MeshClusterProps>): () => MeshCluster {
  return () => new MeshCluster(new Stack(new App(), 'S'), 'Mesh', { version: eks.KubernetesVersion.V1_35, ...props });
}

describe('MeshCluster rejects bad input at synth with path, value and fix', () => {
  test.each([
    [
      70000,
      /^vpcCni.mtu must be an integer from 576 to 9001, got 70000; use 9001 inside a VPC or 1500 when traffic leaves it \[at S\/Mesh\]$/,
    ],
    [500, /^vpcCni.mtu must be an integer from 576 to 9001, got 500; .* \[at S\/Mesh\]$/],
  ])('MTU %p', (mtu, message) => {
    expect(build({ vpcCni: { mtu } })).toThrow(message);
    expect(build({ vpcCni: { mtu } })).toThrow(MeshValidationError);
  });

  test('Kubernetes 1.29', () => {
    expect(build({ version: eks.KubernetesVersion.V1_29 })).toThrow(
      /^Kubernetes version 1.29 cannot be created: .*pass version: eks.KubernetesVersion.V1_35 or another version from 1.31 on \[at S\/Mesh\]$/,
    );
  });

  test('a version other than 1.35 without a kubectl layer', () => {
    expect(build({ version: eks.KubernetesVersion.V1_33 })).toThrow(
      /^Kubernetes version 1.33 needs a kubectl layer .*new KubectlV33Layer\(this, 'KubectlLayer'\) } from '@aws-cdk\/lambda-layer-kubectl-v33'.* \[at S\/Mesh\]$/,
    );
  });

  test('EKS Auto Mode and self-managed capacity', () => {
    expect(build({ defaultCapacityType: eks.DefaultCapacityType.AUTOMODE })).toThrow(
      /^defaultCapacityType AUTOMODE is not supported: EKS Auto Mode does not allow a custom CNI.*use eks.DefaultCapacityType.NODEGROUP \(the default\) \[at S\/Mesh\]$/,
    );
    expect(build({ defaultCapacityType: eks.DefaultCapacityType.EC2 })).toThrow(
      /^defaultCapacityType EC2 is not supported: mesh nodes are managed node groups.* \[at S\/Mesh\]$/,
    );
    expect(build({ defaultCapacityType: eks.DefaultCapacityType.NODEGROUP })).not.toThrow();
  });

  test('self-managed capacity added later (Auto Scaling groups) is refused: it would join without the Cilium taint', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(() =>
      cluster.addAutoScalingGroupCapacity('Asg', { instanceType: new ec2.InstanceType('m7i.large') }),
    ).toThrow(
      /^addAutoScalingGroupCapacity\('Asg'\) is not supported: self-managed nodes join without the taint node.cilium.io\/agent-not-ready.*use addMeshNodegroup\(id, options\).* \[at S\/Mesh\]$/,
    );
    const asg = new autoscaling.AutoScalingGroup(stack, 'Own', {
      vpc: cluster.vpc,
      instanceType: new ec2.InstanceType('m7i.large'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    expect(() => cluster.connectAutoScalingGroupCapacity(asg, {})).toThrow(
      /^connectAutoScalingGroupCapacity\(S\/Own\) is not supported: .* \[at S\/Mesh\]$/,
    );
  });

  test('eks.ClusterProps left out on purpose: compute (Auto Mode)', () => {
    expect(build({ compute: { nodePools: ['system'] } } as unknown as MeshClusterProps)).toThrow(
      /^compute \(EKS Auto Mode\) is not supported: .*managed node groups \(addMeshNodegroup\) \[at S\/Mesh\]$/,
    );
  });

  test('ClusterCommonOptions the mesh cannot run with: IPv6, hybrid nodes, CoreDNS on Fargate', () => {
    expect(build({ ipFamily: eks.IpFamily.IP_V6 })).toThrow(
      /^ipFamily IP_V6 is not supported: Cilium's ENI IPAM has no IPv6 \(cilium\/cilium#18405\), .*\(cilium\/cilium#28409\).*remove ipFamily \(IPv4\) \[at S\/Mesh\]$/,
    );
    expect(build({ ipFamily: eks.IpFamily.IP_V4 })).not.toThrow();
    expect(
      build({ remoteNodeNetworks: [{ cidrs: ['10.90.0.0/16'] }], remotePodNetworks: [{ cidrs: ['10.91.0.0/16'] }] }),
    ).toThrow(
      /^remoteNodeNetworks and remotePodNetworks \(EKS Hybrid Nodes\) are not supported: .*remove them and run the mesh on managed node groups \[at S\/Mesh\]$/,
    );
    expect(build({ coreDnsComputeType: eks.CoreDnsComputeType.FARGATE })).toThrow(
      /^coreDnsComputeType FARGATE is not supported: Cilium does not run on Fargate.*remove coreDnsComputeType .*\[at S\/Mesh\]$/,
    );
  });

  test('an unknown kubeProxyMode', () => {
    expect(build({ kubeProxyMode: 'STRICT' } as unknown as MeshClusterProps)).toThrow(
      /^kubeProxyMode must be KubeProxyMode.KEEP or KubeProxyMode.REPLACE, got 'STRICT'; pass one of them \[at S\/Mesh\]$/,
    );
  });

  test('node group min > max, in the default group and in addMeshNodegroup', () => {
    expect(build({ defaultNodegroup: { minSize: 3, maxSize: 2 } })).toThrow(
      /^node group 'Default': minSize \(3\) must not exceed maxSize \(2\); lower minSize or raise maxSize \[at S\/Mesh\]$/,
    );
    const cluster = build({ createDefaultNodegroup: false })();
    expect(() => cluster.addMeshNodegroup('Big', { minSize: 10, maxSize: 5 })).toThrow(
      /^node group 'Big': minSize \(10\) must not exceed maxSize \(5\).* \[at S\/Mesh\]$/,
    );
    expect(() =>
      cluster.addNodegroupCapacity('Plain', {
        taints: [{ key: 'node.cilium.io/agent-not-ready', value: 'false', effect: eks.TaintEffect.NO_EXECUTE }],
      }),
    ).toThrow(
      /^node group 'Plain': node taint 'node.cilium.io\/agent-not-ready=false:NO_EXECUTE' conflicts with the Cilium taint/,
    );
  });

  test('defaultNodegroup together with createDefaultNodegroup: false', () => {
    expect(build({ createDefaultNodegroup: false, defaultNodegroup: { minSize: 1 } })).toThrow(
      /^defaultNodegroup is set but createDefaultNodegroup is false; drop one of them \[at S\/Mesh\]$/,
    );
  });

  test('admins: not an IAM ARN, an assumed-role session, a duplicate', () => {
    expect(build({ admins: ['alice'] })).toThrow(
      /^admins entry 'alice' is not an IAM role or user ARN; pass e.g. 'arn:aws:iam::123456789012:role\/Admin' \[at S\/Mesh\]$/,
    );
    expect(build({ admins: ['arn:aws:sts::123456789012:assumed-role/Admin/alice'] })).toThrow(
      /^admins entry 'arn:aws:sts::123456789012:assumed-role\/Admin\/alice' is an assumed-role session ARN.*pass the role ARN/,
    );
    const arn = 'arn:aws:iam::123456789012:role/Admin';
    expect(build({ admins: [arn, arn] })).toThrow(
      /^admins lists 'arn:aws:iam::123456789012:role\/Admin' twice; list each principal once \[at S\/Mesh\]$/,
    );
  });
});

describe('MeshCluster passes aws-eks-v2 ClusterCommonOptions through', () => {
  test('albController installs the AWS Load Balancer Controller; mastersRole becomes a cluster-admin access entry', () => {
    const stack = new Stack(new App(), 'S');
    const mastersRole = new iam.Role(stack, 'Masters', { assumedBy: new iam.AccountRootPrincipal() });
    const cluster = new MeshCluster(stack, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      albController: { version: eks.AlbControllerVersion.V2_17_1 },
      mastersRole,
      controlPlaneScalingTier: eks.ControlPlaneScalingTier.TIER_XL,
    });
    const cilium = cluster.addCilium();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Namespace: 'kube-system',
    });
    // Its chart waits for its pods, which run once Cilium clears the node taint: it goes after Cilium's release.
    const [alb] = Object.entries(
      template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-load-balancer-controller' } }),
    );
    expect(alb[1].DependsOn).toEqual(
      expect.arrayContaining([stack.getLogicalId(cilium.release.node.defaultChild as CfnResource)]),
    );
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [stack.getLogicalId(mastersRole.node.defaultChild as iam.CfnRole), 'Arn'] },
      AccessPolicies: CLUSTER_ADMIN_ACCESS_POLICIES,
    });
    template.hasResourceProperties('AWS::EKS::Cluster', { ControlPlaneScalingConfig: { Tier: 'tier-xl' } });
  });
});
