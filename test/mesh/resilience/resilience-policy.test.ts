import { Duration } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  ConsistentHash,
  Datapath,
  Fault,
  HttpRoute,
  LoadBalancer,
  ResiliencePolicy,
  ResilienceTarget,
  ParentRef,
  ServiceMesh,
  Workload,
  type ChainingProfileOptions,
  type CiliumProfile,
} from '../../../lib';
import { recordManifests } from '../../util/record';

const ENVOY: ChainingProfileOptions = { envoyConfig: true, kubeProxyReplacement: true };

function meshFor(options: ChainingProfileOptions = ENVOY, profile?: Partial<CiliumProfile>): ServiceMesh {
  return new ServiceMesh(Testing.app(), 'mesh', {
    namespace: 'shop',
    cilium: { ...chainingProfile(options), ...profile },
  });
}

function service(mesh: ServiceMesh, name: string, ports: number[]): kplus.Service {
  return new kplus.Service(mesh, name, {
    metadata: { name },
    ports: ports.map((port) => ({ port })),
    selector: kplus.Pods.select(mesh, `${name}-pods`, { labels: { app: name } }),
  });
}

const cecs = (mesh: ServiceMesh) => Testing.synth(mesh).filter((o: any) => o.kind === 'CiliumEnvoyConfig');
const untested = (mesh: ServiceMesh) =>
  mesh.warnings.filter((w) => w.includes('cdk-cilium-mesh:envoyUntestedInChaining'));

describe('ResiliencePolicy', () => {
  test('a CiliumEnvoyConfig in the Service namespace that redirects the Service port to its listener', () => {
    const mesh = meshFor();
    const reviews = service(mesh, 'reviews', [9080]);
    const policy = new ResiliencePolicy(mesh, 'ReviewsResilience', {
      service: ResilienceTarget.fromService(reviews),
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10 } },
      outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
      loadBalancer: LoadBalancer.leastRequest(),
    });
    const [cec] = cecs(mesh);
    expect(policy.service).toEqual({ namespace: 'shop', name: 'reviews', port: 9080 });
    expect(cec.metadata).toEqual({
      name: 'reviewsresilience',
      namespace: 'shop',
      annotations: { 'cec.cilium.io/use-original-source-address': 'false' },
    });
    expect(cec.spec.services).toEqual([{ name: 'reviews', namespace: 'shop', ports: [9080] }]);
    expect(cec.spec.resources.map((r: any) => r['@type'])).toEqual([
      'type.googleapis.com/envoy.config.listener.v3.Listener',
      'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    ]);
    recordManifests('resilience-policy', Testing.synth(mesh), 'cilium-1.20');
  });

  test('every setting on a workload and a named Service; Cilium 1.16 gets the use-original-source-address label', () => {
    const mesh = meshFor({ ...ENVOY, version: CiliumVersion.V1_16 });
    const orders = new Workload(mesh, 'OrdersWorkload', {
      namespace: 'shop',
      labels: { app: 'orders' },
      service: { name: 'orders', ports: [8080] },
    });
    new ResiliencePolicy(mesh, 'Orders', {
      service: ResilienceTarget.fromWorkload(orders),
      connectionPool: {
        tcp: { maxConnections: 50, connectTimeout: Duration.millis(250) },
        http: { http2MaxRequests: 100, maxRequestsPerConnection: 10, idleTimeout: Duration.seconds(30) },
        retryBudget: { percent: 20, minRetryConcurrency: 2 },
      },
      outlierDetection: {
        consecutiveGatewayErrors: 3,
        consecutiveLocalOriginFailures: 2,
        interval: Duration.seconds(5),
        minHealthPercent: 30,
      },
      loadBalancer: LoadBalancer.maglev(ConsistentHash.httpHeaderName('x-user-id'), { tableSize: 65537 }),
      timeouts: { request: Duration.seconds(5), idle: Duration.minutes(1) },
      retries: {
        attempts: 2,
        perTryTimeout: Duration.seconds(2),
        retriableStatusCodes: [503],
        backoff: { baseInterval: Duration.millis(25) },
      },
      localRateLimit: { tokensPerFill: 50, fillInterval: Duration.seconds(1), maxTokens: 100 },
      fault: Fault.abort({ percent: 5, httpStatus: 503 }),
    });
    new ResiliencePolicy(mesh, 'Payments', {
      service: ResilienceTarget.fromName('billing', 'payments', 8443),
      loadBalancer: LoadBalancer.ringHash(ConsistentHash.httpCookie({ name: 'session', ttl: Duration.hours(1) })),
    });
    const objects = cecs(mesh);
    expect(objects.map((o: any) => [o.metadata.namespace, o.metadata.name, o.metadata.labels])).toEqual([
      ['shop', 'orders-resilience', { 'cilium.io/use-original-source-address': 'false' }],
      ['billing', 'payments-resilience', { 'cilium.io/use-original-source-address': 'false' }],
    ]);
    expect(objects[0]).toMatchSnapshot();
    recordManifests('resilience-policy-116', Testing.synth(mesh), 'cilium-1.16');
  });

  test('a derived name that Cilium would give a generated CEC is suffixed; an explicit one is refused', () => {
    const mesh = meshFor();
    new ResiliencePolicy(mesh, 'Api', {
      service: ResilienceTarget.fromName('shop', 'api', 80),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(cecs(mesh)[0].metadata.name).toBe('api-resilience');
    expect(
      () =>
        new ResiliencePolicy(mesh, 'Web', {
          service: ResilienceTarget.fromName('shop', 'web', 80),
          name: 'web',
          timeouts: { request: Duration.seconds(1) },
        }),
    ).toThrow(
      /ResiliencePolicy name 'web' is the name Cilium's operator gives the CiliumEnvoyConfig it generates for Service 'web' .*pass another name, e.g. 'web-resilience' \[at mesh\/Web\]/,
    );
  });

  test('a load-balancing algorithm alone on a cdk8s-plus Service becomes the lb-l7 annotations when L7 load balancing is on', () => {
    const mesh = meshFor({ l7LoadBalancing: true, kubeProxyReplacement: true });
    const details = service(mesh, 'details', [9080]);
    const policy = new ResiliencePolicy(mesh, 'Details', {
      service: ResilienceTarget.fromService(details),
      loadBalancer: LoadBalancer.leastRequest(),
    });
    expect(policy.envoyConfig).toBeUndefined();
    const objects = Testing.synth(mesh);
    expect(objects.filter((o: any) => o.kind === 'CiliumEnvoyConfig')).toEqual([]);
    expect(objects.find((o: any) => o.kind === 'Service').metadata.annotations).toEqual({
      'service.cilium.io/lb-l7': 'enabled',
      'service.cilium.io/lb-l7-algorithm': 'least_request',
    });
    // A named Service cannot be annotated here: a CEC instead (L7 load balancing switches enable-envoy-config on).
    new ResiliencePolicy(mesh, 'Other', {
      service: ResilienceTarget.fromName('shop', 'other', 80),
      loadBalancer: LoadBalancer.random(),
    });
    expect(cecs(mesh).map((o: any) => o.spec.resources[2].lb_policy)).toEqual(['RANDOM']);
    recordManifests('resilience-lb-annotations', Testing.synth(mesh), 'cilium-1.20');
  });

  test('the aws-cni chaining warning comes once per mesh, on the mesh, naming the ENI datapath; none on ENI', () => {
    const mesh = meshFor();
    for (const name of ['a', 'b', 'c']) {
      new ResiliencePolicy(mesh, name.toUpperCase(), {
        service: ResilienceTarget.fromName('shop', name, 80),
        timeouts: { request: Duration.seconds(1) },
      });
    }
    expect(untested(mesh)).toEqual([
      expect.stringMatching(
        /^mesh: resilience policies: envoyConfig on aws-cni-chaining \(Cilium 1.20\) is untested: .*cilium\/cilium#42578.*use the ENI datapath \(datapath: Datapath.ENI.*the ENI datapath is the supported alternative/,
      ),
    ]);
    const eni = meshFor(ENVOY, { datapath: Datapath.ENI });
    new ResiliencePolicy(eni, 'A', {
      service: ResilienceTarget.fromName('shop', 'a', 80),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(eni.warnings).toEqual([]);
  });

  test('without kube-proxy replacement on 1.19+: one warning naming the documented prerequisite; none on 1.18', () => {
    const mesh = meshFor({ envoyConfig: true });
    new ResiliencePolicy(mesh, 'A', {
      service: ResilienceTarget.fromName('shop', 'a', 80),
      timeouts: { request: Duration.seconds(1) },
    });
    new ResiliencePolicy(mesh, 'B', {
      service: ResilienceTarget.fromName('shop', 'b', 80),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(mesh.warnings.filter((w) => w.includes('envoyConfigWithoutKubeProxyReplacement'))).toEqual([
      expect.stringMatching(
        /^mesh: resilience policies: Cilium's docs list kube-proxy replacement as a prerequisite of CiliumEnvoyConfig from 1.19 .*got kubeProxyReplacement: false on Cilium 1.20; .*use KubeProxyMode.REPLACE on the cluster/,
      ),
    ]);
    const old = meshFor({ envoyConfig: true, version: CiliumVersion.V1_18 });
    new ResiliencePolicy(old, 'A', {
      service: ResilienceTarget.fromName('shop', 'a', 80),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(old.warnings.filter((w) => w.includes('envoyConfigWithoutKubeProxyReplacement'))).toEqual([]);
  });

  test('a multi-port Service gets a warning citing the EDS port mix-up', () => {
    const mesh = meshFor();
    const api = service(mesh, 'api', [80, 9090]);
    new ResiliencePolicy(mesh, 'Api', {
      service: ResilienceTarget.fromService(api, 80),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(mesh.warnings).toContainEqual(
      expect.stringMatching(/^mesh\/Api: Service shop\/api has 2 ports; .*cilium\/cilium#27315/),
    );
  });
});

describe('ResiliencePolicy prerequisites and conflicts', () => {
  const target = () => ResilienceTarget.fromName('shop', 'reviews', 9080);

  test('an install without envoyConfig is refused, naming the option', () => {
    const mesh = meshFor({ kubeProxyReplacement: true });
    expect(
      () => new ResiliencePolicy(mesh, 'P', { service: target(), timeouts: { request: Duration.seconds(1) } }),
    ).toThrow(
      /^a resilience policy renders a CiliumEnvoyConfig, which this mesh's Cilium install does not handle; enable envoyConfig.enabled \(envoyConfig: true on the Cilium construct, or chainingProfile\(\{ envoyConfig: true \}\)\) \[at mesh\/P\]$/,
    );
    const svc = service(mesh, 'details', [80]);
    expect(
      () =>
        new ResiliencePolicy(mesh, 'Q', {
          service: ResilienceTarget.fromService(svc),
          loadBalancer: LoadBalancer.random(),
        }),
    ).toThrow(
      /enable envoyConfig.enabled .*, or loadBalancer.l7.backend: envoy \(l7LoadBalancing: true\) to express this algorithm as Service annotations \[at mesh\/Q\]$/,
    );
  });

  test('l7Proxy off, or a policy without settings, is refused', () => {
    expect(
      () =>
        new ResiliencePolicy(meshFor({ ...ENVOY, l7Proxy: false }), 'P', {
          service: target(),
          timeouts: { request: Duration.seconds(1) },
        }),
    ).toThrow(
      /the agent ignores CiliumEnvoyConfig when the L7 proxy is off, got l7Proxy: false .*; remove l7Proxy: false \[at mesh\/P\]/,
    );
    expect(() => new ResiliencePolicy(meshFor(), 'P', { service: target() })).toThrow(
      /^a resilience policy needs at least one setting .*, got none; add one or remove the policy \[at mesh\/P\]$/,
    );
  });

  test('bad values name the construct path', () => {
    expect(
      () => new ResiliencePolicy(meshFor(), 'Bad', { service: target(), outlierDetection: { maxEjectionPercent: 0 } }),
    ).toThrow(/^outlierDetection.maxEjectionPercent is 0, .* \[at mesh\/Bad\]$/);
    expect(
      () =>
        new ResiliencePolicy(meshFor(), 'Delay', {
          service: target(),
          fault: Fault.delay({ percent: 10, fixedDelay: Duration.seconds(1) }),
        }),
    ).toThrow(/^fault delay injection is not possible with Cilium: .*cilium\/proxy#62.* \[at mesh\/Delay\]$/);
  });

  test('a GAMMA route and a policy on one Service: a synth error naming both, in either order', () => {
    const routeFirst = meshFor({ ...ENVOY, gatewayApi: true });
    const reviews = Backend.fromName('shop', 'reviews', 9080);
    new HttpRoute(routeFirst, 'Split', {
      parentRefs: [ParentRef.service(reviews)],
      rules: [{ backendRefs: [{ backend: reviews }] }],
    });
    expect(
      () =>
        new ResiliencePolicy(routeFirst, 'Breaker', {
          service: target(),
          connectionPool: { tcp: { maxConnections: 1 } },
        }),
    ).toThrow(
      /^Service shop\/reviews \(port 9080\) would get two CiliumEnvoyConfigs, from the GAMMA route mesh\/Split \(every port\) and the resilience policy mesh\/Breaker; Cilium documents several configs for one Service as unpredictable; Cilium generates the GAMMA route's CiliumEnvoyConfig itself, so the two cannot be rendered into one; keep one of them for this Service .* \[at mesh\/Breaker\]$/,
    );

    const policyFirst = meshFor({ ...ENVOY, gatewayApi: true });
    new ResiliencePolicy(policyFirst, 'Breaker', { service: target(), connectionPool: { tcp: { maxConnections: 1 } } });
    expect(
      () =>
        new HttpRoute(policyFirst, 'Split', {
          parentRefs: [ParentRef.service(reviews)],
          rules: [{ backendRefs: [{ backend: reviews }] }],
        }),
    ).toThrow(
      /^Service shop\/reviews \(every port\) would get two CiliumEnvoyConfigs, from the resilience policy mesh\/Breaker \(port 9080\) and the GAMMA route mesh\/Split; .* \[at mesh\/Split\]$/,
    );
  });

  test('two policies on one Service port are refused; different ports are fine', () => {
    const mesh = meshFor();
    new ResiliencePolicy(mesh, 'A', { service: target(), timeouts: { request: Duration.seconds(1) } });
    new ResiliencePolicy(mesh, 'Grpc', {
      service: ResilienceTarget.fromName('shop', 'reviews', 9090),
      timeouts: { request: Duration.seconds(1) },
    });
    expect(() => new ResiliencePolicy(mesh, 'B', { service: target(), retries: { attempts: 2 } })).toThrow(
      /from the resilience policy mesh\/A \(port 9080\) and the resilience policy mesh\/B; .*put all settings for this Service into one resilience policy \[at mesh\/B\]$/,
    );
  });
});
