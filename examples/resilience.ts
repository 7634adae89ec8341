/**
 * Resilience for east-west traffic, the Istio DestinationRule / VirtualService settings as CiliumEnvoyConfigs:
 * - `reviews`: a circuit breaker (at most 100 connections, 10 waiting and 200 in-flight requests per node's Envoy),
 *   outlier detection (5 consecutive 5xx eject an endpoint for 30 s, at most half of them) and least-request
 *   load balancing;
 * - `ratings`: 10% of requests aborted with 503 (a fault for testing callers) and a local rate limit of 100
 *   requests per second, bursts of 200, per node (answering 429);
 * - `orders`: retries (2 attempts on connection failures, resets and 503, 2 s per try, 5 s in all). This install is
 *   Cilium 1.19, where an HTTPRoute `retry` is accepted but has no effect (cilium/cilium#46432, fixed in 1.20), so
 *   the retries go into Envoy directly.
 *
 * Cilium needs `envoyConfig.enabled`, and kube-proxy replacement on 1.19+ (its documented prerequisite). In aws-cni
 * chaining Cilium's Envoy path is untested upstream: synth warns once and names the ENI datapath.
 */
import { App, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import type { Construct } from 'constructs';
import {
  CiliumVersion,
  Fault,
  KubeProxyMode,
  LoadBalancer,
  MeshCluster,
  ResiliencePolicy,
  ResilienceTarget,
  RetryOn,
  ServiceMesh,
} from '../lib';

export class ResilienceStack extends Stack {
  public readonly mesh: ServiceMesh;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      kubeProxyMode: KubeProxyMode.REPLACE,
    });
    const cilium = cluster.addCilium({ version: CiliumVersion.V1_19, envoyConfig: true });

    this.mesh = new ServiceMesh(new cdk8s.App(), 'shop', { namespace: 'shop', cilium: cilium.profile });
    new kplus.Namespace(this.mesh, 'Namespace', { metadata: { name: 'shop' } });
    const service = (name: string, port: number) =>
      new kplus.Service(this.mesh, name, {
        metadata: { name },
        ports: [{ port }],
        selector: kplus.Pods.select(this.mesh, `${name}-pods`, { labels: { app: name } }),
      });

    new ResiliencePolicy(this.mesh, 'Reviews', {
      service: ResilienceTarget.fromService(service('reviews', 9080)),
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: Duration.seconds(1) },
        http: { http1MaxPendingRequests: 10, http2MaxRequests: 200 },
      },
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
        maxEjectionPercent: 50,
      },
      loadBalancer: LoadBalancer.leastRequest(),
    });

    new ResiliencePolicy(this.mesh, 'Ratings', {
      service: ResilienceTarget.fromService(service('ratings', 9080)),
      fault: Fault.abort({ percent: 10, httpStatus: 503 }),
      localRateLimit: { tokensPerFill: 100, fillInterval: Duration.seconds(1), maxTokens: 200 },
    });

    new ResiliencePolicy(this.mesh, 'Orders', {
      service: ResilienceTarget.fromService(service('orders', 8080)),
      timeouts: { request: Duration.seconds(5) },
      retries: {
        attempts: 2,
        retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.RESET],
        retriableStatusCodes: [503],
        perTryTimeout: Duration.seconds(2),
        backoff: { baseInterval: Duration.millis(50) },
      },
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
  new ResilienceStack(new App(), 'CiliumMeshResilience');
}
