/**
 * The ENI datapath: Cilium is the only CNI and pods get VPC addresses from ENIs its operator attaches (no VPC
 * CNI), so L7 HTTP rules, FQDN rules and the Gateway run on a datapath where upstream CI tests them. Zero trust
 * in `shop`: default deny, frontend → backend on 8080 with GET /api/.* only, backend → database on 5432, backend
 * egress to one FQDN, and an internet-facing Gateway in front of the frontend. No capability warning.
 *
 * The cluster is created without the VPC CNI; Cilium (1.20, kube-proxy replacement for the Gateway) is installed
 * before the node groups, whose max-pods follows ENI IPAM with prefix delegation. The operator manages ENIs with
 * its own role through EKS Pod Identity, never the node role.
 */
import { App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import type { Construct } from 'constructs';
import {
  Backend,
  Datapath,
  DefaultDeny,
  Entity,
  Gateway,
  HttpRoute,
  HttpRule,
  KubeProxyMode,
  Listener,
  LoadBalancerScheme,
  MeshCluster,
  ParentRef,
  PathMatch,
  Peer,
  Port,
  ServiceMesh,
  Workload,
} from '../lib';

export class EniL7Stack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      datapath: Datapath.ENI,
      kubeProxyMode: KubeProxyMode.REPLACE,
      eni: { prefixDelegation: true },
    });
    const cilium = cluster.addCilium({ gatewayApi: true, hubble: { relay: true } });

    this.mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: cilium.profile });
    const frontend = new Workload(this.mesh, 'Frontend', {
      namespace: 'shop',
      labels: { app: 'frontend' },
      ports: [Port.tcp(8080)],
      service: { name: 'frontend', ports: [8080] },
    });
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

    new DefaultDeny(this.mesh, 'Shop', { namespace: 'shop' });
    frontend.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    backend.allowTo(database, { ports: [Port.tcp(5432)] });
    backend.allowTo(Peer.fqdn('api.payments.example.com'), { ports: [Port.tcp(443)] });

    const gateway = new Gateway(this.mesh, 'Public', {
      namespace: 'shop',
      listeners: [Listener.http({ hostname: 'shop.example.com' })],
      loadBalancer: { scheme: LoadBalancerScheme.INTERNET_FACING },
    });
    new HttpRoute(this.mesh, 'Storefront', {
      namespace: 'shop',
      parentRefs: [ParentRef.gateway(gateway, 'http')],
      hostnames: ['shop.example.com'],
      rules: [
        { matches: [{ path: PathMatch.pathPrefix('/') }], backendRefs: [{ backend: Backend.fromWorkload(frontend) }] },
      ],
    });

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
  new EniL7Stack(new App(), 'CiliumMeshEniL7');
}
