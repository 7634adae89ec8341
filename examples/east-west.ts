/**
 * East-west traffic management (GAMMA): calls from inside the cluster to the `reviews` Service are split
 * between v1 and v2 (80/20) with a 500 ms request timeout, without sidecars. The HTTPRoute's parent is the
 * Service that clients call.
 */
import { App, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import { Backend, CanaryRelease, KubeProxyMode, MeshCluster, ParentRef, ServiceMesh } from '../lib';

export class EastWestStack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      kubeProxyMode: KubeProxyMode.REPLACE,
    });
    const cilium = cluster.addCilium({ gatewayApi: true });

    this.mesh = new ServiceMesh(new cdk8s.App(), 'bookinfo', { namespace: 'bookinfo', cilium: cilium.profile });
    const service = (name: string, app: string, version?: string) =>
      new kplus.Service(this.mesh, name, {
        metadata: { name },
        ports: [{ port: 9080 }],
        selector: kplus.Pods.select(this.mesh, `${name}-pods`, { labels: { app, ...(version ? { version } : {}) } }),
      });

    new CanaryRelease(this.mesh, 'Reviews', {
      parentRef: ParentRef.service(Backend.fromService(service('reviews', 'reviews'))),
      stable: Backend.fromService(service('reviews-v1', 'reviews', 'v1')),
      canary: Backend.fromService(service('reviews-v2', 'reviews', 'v2')),
      canaryWeight: 20,
      timeouts: { request: Duration.millis(500) },
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
  new EastWestStack(new App(), 'CiliumMeshEastWest');
}
