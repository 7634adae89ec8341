import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  Backend,
  chainingProfile,
  Gateway,
  GrpcRoute,
  Listener,
  meshDiagram,
  renderMeshDiagram,
  ParentRef,
  ServiceMesh,
  TlsRoute,
} from '../../../lib';
import { CanaryStack } from '../../../examples/canary';
import { largeMesh, trickyMesh } from './fixtures';
import { sortForReview } from '../../../lib/delivery/review-manifest';
import { meshDiagramInput } from '../../../lib/mesh/review/diagram';

describe('meshDiagram', () => {
  test('50 workloads in 5 namespaces: one box per namespace, identical edges collapsed', () => {
    const text = meshDiagram(largeMesh(50, 5));
    expect(text).toMatchSnapshot();
    const edges = text.split('\n').filter((l) => / (-->|--x|==>|-\.->|-\.-)\|/.test(l));
    // 49 chain edges, 5 Gateway-identity edges, 5 DNS edges per namespace box, and Prometheus's 50 edges collapsed to 5
    expect(edges.length).toBe(64);
    expect(text.match(/subgraph /g)?.length).toBe(7);
    expect(edges.filter((e) => e.includes('(all 10 workloads)'))).toHaveLength(5);
  });

  test('deny rules, cluster-wide default deny zones, per-workload default deny, CIDRs and entities', () => {
    const text = meshDiagram(trickyMesh());
    expect(text).toMatchSnapshot();
    expect(text).toMatch(/subgraph ns_ops_\w+\["namespace ops · default deny: ingress"\]/);
    expect(text).toMatch(/--x\|"deny TCP\/9000"\|/);
    expect(text).toMatch(/\["Web<br\/>default deny: egress, ingress"\]/);
  });

  test('routes: listeners, weights, header matches, mirrors and timeouts', () => {
    const text = meshDiagram(new CanaryStack(new App(), 'C').mesh);
    expect(text).toMatch(/==>\|"HTTPRoute apicanary \/api 90% timeout 3s"\|/);
    expect(text).toMatch(/-\.->\|"mirror 5% \(apicanary\)"\|/);
    expect(text).toMatch(/x_entity_world_\w+ ==>\|"HTTPS :443 shop.example.com"\|/);
  });

  test('gRPC and TLS routes: service/method matches, weights, passthrough listeners', () => {
    const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', {
      namespace: 'rpc',
      cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }),
    });
    const svc = (name: string, port: number) =>
      Backend.fromService(
        new kplus.Service(mesh, name, {
          metadata: { name },
          ports: [{ port }],
          selector: kplus.Pods.select(mesh, `${name}-pods`, { labels: { app: name } }),
        }),
      );
    const gateway = new Gateway(mesh, 'Edge', {
      listeners: [Listener.http({ port: 8080 }), Listener.tlsPassthrough({ hostname: 'db.example.com' })],
    });
    new GrpcRoute(mesh, 'Greeter', {
      parentRefs: [ParentRef.gateway(gateway, 'http')],
      rules: [
        {
          matches: [{ service: 'foo.v1.Greeter', method: 'SayHello' }],
          backendRefs: [
            { backend: svc('greeter', 50051), weight: 3 },
            { backend: svc('greeter-next', 50051), weight: 1 },
          ],
        },
      ],
    });
    new TlsRoute(mesh, 'Db', {
      parentRefs: [ParentRef.gateway(gateway, 'tls')],
      hostnames: ['db.example.com'],
      backendRefs: [{ backend: svc('db', 5432) }],
    });
    const text = meshDiagram(mesh);
    expect(text).toMatch(/==>\|"GRPCRoute greeter foo.v1.Greeter\/SayHello 75%"\|/);
    expect(text).toMatch(/==>\|"GRPCRoute greeter foo.v1.Greeter\/SayHello 25%"\|/);
    expect(text).toMatch(/==>\|"TLSRoute db"\| s_rpc_db_/);
    expect(text).toMatch(/==>\|"HTTP :8080; TLS :443 db.example.com"\| g_rpc_edge_/);
  });

  test('CiliumEnvoyConfig resilience policies are shown at the Services they apply to', () => {
    const mesh = new cdk8s.Chart(cdk8s.Testing.app(), 'm');
    new ApiObject(mesh, 'Cec', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEnvoyConfig',
      metadata: { name: 'orders-resilience', namespace: 'store' },
      spec: {
        services: [{ name: 'orders', namespace: 'store' }],
        resources: [
          {
            '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
            name: 'store/orders',
            outlier_detection: { consecutive_5xx: 5 },
            circuitBreakers: { thresholds: [{ maxConnections: 100, priority: 'DEFAULT' }] },
          },
        ],
      },
    });
    const text = renderMeshDiagram({
      objects: mesh.toJson(),
      workloads: [{ name: 'Orders', namespace: 'store', labels: { app: 'orders' }, service: 'orders' }],
    });
    expect(text).toMatch(
      /r_\w+>"CiliumEnvoyConfig orders-resilience<br\/>circuitBreakers: maxConnections=100<br\/>outlierDetection: consecutive5xx=5"\]/,
    );
    expect(text).toMatch(/r_\w+ -\.-\|"applies to"\| w_store_Orders_\w+/);
  });

  test('deterministic: the same objects in another order give the same text', () => {
    const objects = trickyMesh().toJson();
    const workloads = [
      { name: 'Api', namespace: 'back', labels: { app: 'api' } },
      { name: 'Web', namespace: 'front', labels: { app: 'web' } },
    ];
    expect(renderMeshDiagram({ objects: [...objects].reverse(), workloads: [...workloads].reverse() })).toEqual(
      renderMeshDiagram({ objects, workloads }),
    );
  });

  test('objects the review files sorted (sortForReview) are drawn as the unsorted objects are', () => {
    for (const mesh of [trickyMesh(), largeMesh(), largeMesh(40, 3)]) {
      const objects = mesh.toJson();
      const input = meshDiagramInput(mesh, [...objects].reverse());
      const sorted = sortForReview(objects);
      expect(meshDiagramInput(mesh, sorted).objects).toBe(sorted);
      expect(renderMeshDiagram({ ...meshDiagramInput(mesh, sorted), workloads: input.workloads })).toEqual(
        renderMeshDiagram(input),
      );
    }
  });
});
