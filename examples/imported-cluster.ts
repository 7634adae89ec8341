/**
 * Cilium and a mesh on an EKS cluster that already exists (created by another stack, eksctl or the console): one
 * call imports it with a kubectl provider and an access entry for it, which aws-eks-v2 does not create for imported
 * clusters. The endpoint and certificate authority come from `aws eks describe-cluster`; the mesh delivery handler
 * is bound to them. The cluster's own facts (kube-proxy, datapath, VPC CNI MTU) are stated to Cilium here, since an
 * imported cluster cannot state them itself.
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import type { Construct } from 'constructs';
import { Cilium, DefaultDeny, MeshCluster, Port, ServiceMesh, TransparentEncryption, Workload } from '../lib';

export class ImportedClusterStack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const cluster = MeshCluster.fromClusterAttributes(this, 'Prod', {
      clusterName: 'prod',
      clusterEndpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      clusterCertificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==',
    });
    const cilium = new Cilium(this, 'Cilium', {
      cluster,
      // The cluster runs the VPC CNI with POD_MTU 8906 on jumbo-frame ENIs: room for WireGuard's 95 bytes.
      encryption: TransparentEncryption.wireGuard({ podMtu: 8906, eniMtu: 9001 }),
    });

    this.mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: cilium.profile });
    const frontend = new Workload(this.mesh, 'Frontend', { namespace: 'shop', labels: { app: 'frontend' } });
    const backend = new Workload(this.mesh, 'Backend', {
      namespace: 'shop',
      labels: { app: 'backend' },
      ports: [Port.tcp(8080)],
    });
    new DefaultDeny(this.mesh, 'Shop', { namespace: 'shop' });
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)] });
    cilium.addMesh(this.mesh);
  }
}

if (require.main === module) {
  new ImportedClusterStack(new App(), 'CiliumMeshImportedCluster', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
}
