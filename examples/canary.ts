/**
 * North-south canary release through the Gateway API: an internet-facing HTTPS Gateway (NLB), `/api` split
 * 90/10 between stable and canary, requests with `x-canary: true` or cookie `beta=1` always on the canary,
 * 5% of the traffic mirrored to a shadow version (its responses are discarded), and a 3 s request timeout.
 *
 * Progressive rollout: change `canaryWeight` from 1 to 10, 50 and 100 in consecutive deploys.
 * Cilium 1.20 serves Gateway API only with kube-proxy replacement and the L7 proxy.
 */
import { App, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import {
  Backend,
  CanaryRelease,
  Gateway,
  HeaderMatch,
  KubeProxyMode,
  Listener,
  LoadBalancerScheme,
  MeshCluster,
  PathMatch,
  ParentRef,
  ServiceMesh,
} from '../lib';

export interface CanaryStackProps extends StackProps {
  /**
   * Percent of `/api` traffic on the canary.
   * @default 10
   */
  readonly canaryWeight?: number;
}

export class CanaryStack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props: CanaryStackProps = {}) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      kubeProxyMode: KubeProxyMode.REPLACE,
    });
    const cilium = cluster.addCilium({ gatewayApi: true });

    this.mesh = new ServiceMesh(new cdk8s.App(), 'shop', { namespace: 'shop', cilium: cilium.profile });
    const api = (name: string) =>
      new kplus.Service(this.mesh, name, {
        metadata: { name },
        ports: [{ port: 8080 }],
        selector: kplus.Pods.select(this.mesh, `${name}-pods`, { labels: { app: name } }),
      });

    const gateway = new Gateway(this.mesh, 'Public', {
      listeners: [Listener.https({ hostname: 'shop.example.com', certificates: [{ name: 'shop-example-com-tls' }] })],
      loadBalancer: { scheme: LoadBalancerScheme.INTERNET_FACING },
    });
    new CanaryRelease(this.mesh, 'ApiCanary', {
      parentRef: ParentRef.gateway(gateway, 'https'),
      hostnames: ['shop.example.com'],
      matches: [{ path: PathMatch.pathPrefix('/api') }],
      stable: Backend.fromService(api('api')),
      canary: Backend.fromService(api('api-canary')),
      canaryWeight: props.canaryWeight ?? 10,
      canaryWhen: [HeaderMatch.exact('x-canary', 'true'), HeaderMatch.cookie('beta', '1')],
      mirror: { backend: Backend.fromService(api('api-shadow')), percent: 5 },
      timeouts: { request: Duration.seconds(3) },
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
  new CanaryStack(new App(), 'CiliumMeshCanary');
}
