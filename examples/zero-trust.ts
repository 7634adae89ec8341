/**
 * Zero trust for one namespace: default deny in `shop`, frontend → backend on 8080 with GET /api/.* only,
 * backend → database on 5432, backend egress to one FQDN, and kube-apiserver access for one ServiceAccount.
 * The policies are delivered to the cluster after Cilium is ready.
 *
 * On aws-cni chaining the HTTP and FQDN rules produce synth warnings: Cilium does not enforce L7 or FQDN
 * policy in that datapath (cilium/cilium#42578, #47269). They are kept here to show what the warning says.
 */
import { App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import type { Construct } from 'constructs';
import { DefaultDeny, Entity, HttpRule, MeshCluster, Peer, Port, ServiceMesh, Workload } from '../lib';

export class ZeroTrustStack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', { version: eks.KubernetesVersion.V1_35 });
    const cilium = cluster.addCilium();

    // The mesh is a cdk8s chart; its objects are checked against what this Cilium install can enforce.
    this.mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: cilium.profile });
    const frontend = new Workload(this.mesh, 'Frontend', { namespace: 'shop', labels: { app: 'frontend' } });
    const backend = new Workload(this.mesh, 'Backend', {
      namespace: 'shop',
      labels: { app: 'backend' },
      ports: [Port.tcp(8080)],
    });
    const database = new Workload(this.mesh, 'Database', {
      namespace: 'shop',
      labels: { app: 'database' },
      ports: [Port.tcp(5432)],
    });
    const operator = Workload.fromServiceAccount(this.mesh, 'Operator', { namespace: 'shop', name: 'shop-operator' });

    new DefaultDeny(this.mesh, 'Shop', { namespace: 'shop' });
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    backend.allowTo(database, { ports: [Port.tcp(5432)] });
    backend.allowTo(Peer.fqdn('api.payments.example.com'), { ports: [Port.tcp(443)] });
    operator.allowTo(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(443)] });

    cilium.addMesh(this.mesh);
    // An example: the API endpoint stays open so that kubectl works from your machine. Restrict it on real clusters
    // with endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('<your CIDR>') (README, "Defaults").
    Validations.of(cluster).acknowledge(
      { id: 'cdk-cilium-mesh:publicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
      { id: 'CdkCiliumMesh-EKSPublicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
    );
  }
}

if (require.main === module) {
  new ZeroTrustStack(new App(), 'CiliumMeshZeroTrust');
}
