import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Cilium, ImportedMeshCluster, MeshCluster, MeshDelivery, ServiceMesh } from '../../lib';
import { CLUSTER_ADMIN_ACCESS_POLICIES } from '../util/clusters';

const ENDPOINT = 'https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com';
const ENV = { account: '111111111111', region: 'eu-west-1' };

function stack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

describe('MeshCluster.fromClusterAttributes', () => {
  test('plain aws-eks-v2 import: Cilium fails without a kubectl provider (the problem this solves)', () => {
    const s = stack();
    const cluster = eks.Cluster.fromClusterAttributes(s, 'Prod', { clusterName: 'prod' });
    expect(() => new Cilium(s, 'Cilium', { cluster })).toThrow(/Kubectl Provider is not defined in this cluster/);
  });

  test('creates the kubectl provider, its role and a cluster-admin access entry; the Helm release waits for it', () => {
    const s = stack();
    const cluster = MeshCluster.fromClusterAttributes(s, 'Prod', { clusterName: 'prod' });
    expect(cluster.node.path).toBe('Stack/Prod/Cluster');
    const imported = s.node.findChild('Prod') as ImportedMeshCluster;
    expect(cluster.kubectlProvider).toBe(imported.kubectlProvider);
    const cilium = new Cilium(s, 'Cilium', { cluster });
    const template = Template.fromStack(s);
    const roleId = s.getLogicalId(imported.kubectlRole.node.defaultChild as iam.CfnRole);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'prod',
      PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      AccessPolicies: CLUSTER_ADMIN_ACCESS_POLICIES,
    });
    template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    // The provider's handler runs with that role and may describe this cluster only.
    const handler = imported.kubectlProvider.node.findChild('Handler').node.defaultChild as CfnResource;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'onEvent handler for EKS kubectl resource provider',
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'eks:DescribeCluster',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:111111111111:cluster/prod']],
            },
          },
        ],
      },
    });
    // Ordering: the handler waits for the access entry, and the Helm release references the provider.
    const accessId = s.getLogicalId(imported.accessEntry.node.defaultChild as CfnResource);
    expect(template.toJSON().Resources[s.getLogicalId(handler)].DependsOn).toContain(accessId);
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { ClusterName: 'prod', Release: 'cilium' });
    // The Cilium release goes through the imported cluster's provider, not another one.
    const release = template.toJSON().Resources[s.getLogicalId(cilium.release.node.defaultChild as CfnResource)];
    expect(release.Properties.ServiceToken).toEqual(s.resolve(imported.kubectlProvider.serviceToken));
  });

  test('kubectlProviderOptions are used: the layer, a VPC provider with the cluster security group', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc');
    const kubectlLayer = new KubectlV35Layer(s, 'MyLayer');
    MeshCluster.fromClusterAttributes(s, 'Prod', {
      clusterName: 'prod',
      vpc,
      clusterSecurityGroupId: 'sg-0123456789abcdef0',
      kubectlProviderOptions: { kubectlLayer, privateSubnets: vpc.privateSubnets },
    });
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'onEvent handler for EKS kubectl resource provider',
      VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'] },
    });
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2); // MyLayer and the AWS CLI layer, no bundled one
  });

  test('missing attributes fail with our error and the construct path', () => {
    const s = stack();
    const kubectlLayer = new KubectlV35Layer(s, 'MyLayer');
    const subnet = ec2.Subnet.fromSubnetId(s, 'Subnet', 'subnet-1');
    expect(() =>
      MeshCluster.fromClusterAttributes(s, 'NoVpc', {
        clusterName: 'prod',
        kubectlProviderOptions: { kubectlLayer, privateSubnets: [subnet] },
      }),
    ).toThrow(
      /^kubectlProviderOptions.privateSubnets puts the kubectl provider in the VPC, but cluster 'prod' is imported without vpc; pass vpc .*\[at Stack\/NoVpc\]$/,
    );
    const vpc = ec2.Vpc.fromVpcAttributes(s, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] });
    expect(() =>
      MeshCluster.fromClusterAttributes(s, 'NoSg', {
        clusterName: 'prod',
        vpc,
        kubectlProviderOptions: { kubectlLayer, privateSubnets: [subnet] },
      }),
    ).toThrow(
      /^the kubectl provider in privateSubnets needs a security group .*pass clusterSecurityGroupId .* or securityGroups \[at Stack\/NoSg\]$/,
    );
  });

  test('with a kubectlProvider it is a plain import', () => {
    const s = stack();
    const kubectlProvider = eks.KubectlProvider.fromKubectlProviderAttributes(s, 'Provider', {
      serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl',
      role: iam.Role.fromRoleArn(s, 'ProviderRole', 'arn:aws:iam::111111111111:role/kubectl'),
    });
    const cluster = MeshCluster.fromClusterAttributes(s, 'Prod', { clusterName: 'prod', kubectlProvider });
    expect(cluster.kubectlProvider).toBe(kubectlProvider);
    expect(cluster.node.path).toBe('Stack/Prod');
    Template.fromStack(s).resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  test('mesh delivery needs the endpoint and CA: their absence names the delivery and where to find them', () => {
    const s = stack();
    const cluster = MeshCluster.fromClusterAttributes(s, 'Prod', { clusterName: 'prod' });
    const cilium = new Cilium(s, 'Cilium', { cluster });
    const mesh = new ServiceMesh(new App(), 'Mesh', { cilium: cilium.profile });
    expect(() => cilium.addMesh(mesh)).toThrow(
      /^delivering objects to the imported cluster 'Stack\/Prod\/Cluster' needs its clusterEndpoint, .*pass clusterEndpoint to MeshCluster.fromClusterAttributes \(aws eks describe-cluster --query cluster.endpoint\) \[at Stack\/Cilium\/Mesh-Mesh\]$/,
    );
    const withEndpoint = stack();
    const c2 = MeshCluster.fromClusterAttributes(withEndpoint, 'Prod', {
      clusterName: 'prod',
      clusterEndpoint: ENDPOINT,
    });
    expect(
      () => new MeshDelivery(withEndpoint, 'Delivery', { cluster: c2, charts: [new ServiceMesh(new App(), 'M2', {})] }),
    ).toThrow(
      /needs its clusterCertificateAuthorityData, .*\(aws eks describe-cluster --query cluster.certificateAuthority.data\) \[at Stack\/Delivery\]$/,
    );
  });
});
