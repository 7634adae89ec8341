import {
  AllowedRoutes,
  Backend,
  CiliumVersion,
  Gateway,
  GatewayApiChannel,
  GrpcRoute,
  HeaderMatch,
  HttpRouteFilter,
  Listener,
  ParentRef,
  RedirectScheme,
  TlsRoute,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { gatewayObjects, meshFor, objectsOf, V1_16 } from './util';

const cart = Backend.fromName('shop', 'cart', 50051);

describe('GrpcRoute', () => {
  test('service/method matches, headers, header filter, weights', () => {
    const mesh = meshFor({}, 'shop');
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http({ port: 50051 })] });
    new GrpcRoute(mesh, 'Cart', {
      parentRefs: [ParentRef.gateway(gw)],
      rules: [
        {
          matches: [
            { service: 'shop.v1.Cart', method: 'GetCart', headers: [HeaderMatch.exact('x-tenant', 'a')] },
            { service: 'shop.v1.Cart' },
          ],
          filters: [HttpRouteFilter.requestHeaderModifier({ set: { 'x-route': 'grpc' } })],
          backendRefs: [
            { backend: cart, weight: 9 },
            { backend: Backend.fromName('shop', 'cart-v2', 50051), weight: 1 },
          ],
        },
      ],
    });
    const objects = gatewayObjects(mesh);
    expect(objectsOf(mesh, 'GRPCRoute')[0].spec).toMatchSnapshot();
    recordManifests('routing-grpc-route', objects, 'cilium-1.20');
    const mesh16 = meshFor(V1_16, 'shop');
    const gw16 = new Gateway(mesh16, 'Gw', { listeners: [Listener.http({ port: 50051 })] });
    new GrpcRoute(mesh16, 'Cart', {
      parentRefs: [ParentRef.gateway(gw16)],
      rules: [{ matches: [{ method: 'GetCart' }], backendRefs: [{ backend: cart }] }],
    });
    recordManifests('routing-grpc-route-116', gatewayObjects(mesh16), 'cilium-1.16');
  });

  test('GAMMA (Service parent) GRPCRoute: from Cilium 1.19 (cilium/cilium#41936)', () => {
    const mesh = meshFor({}, 'shop');
    new GrpcRoute(mesh, 'Cart', {
      parentRefs: [ParentRef.service(cart)],
      rules: [{ backendRefs: [{ backend: cart, weight: 1 }] }],
    });
    expect(objectsOf(mesh, 'GRPCRoute')[0].spec.parentRefs).toEqual([
      { group: '', kind: 'Service', name: 'cart', port: 50051 },
    ]);
    recordManifests('routing-grpc-route-gamma', gatewayObjects(mesh), 'cilium-1.20');
    const mesh16 = meshFor(V1_16, 'shop');
    expect(
      () =>
        new GrpcRoute(mesh16, 'Cart', {
          parentRefs: [ParentRef.service(cart)],
          rules: [{ backendRefs: [{ backend: cart }] }],
        }),
    ).toThrow(
      /^GRPCRoute with a Service parent: GRPCRoute GAMMA needs Cilium 1.19\+ and Gateway API v1.1.0\+ \(standard channel\) \(cilium\/cilium#41936\); this install: Cilium 1.16 with Gateway API v1.1.0 experimental; use an HttpRoute or upgrade Cilium \[at mesh\/Cart\]$/,
    );
  });

  test('rejects redirect filters and malformed service names', () => {
    const mesh = meshFor({}, 'shop');
    const p = [ParentRef.service(cart)];
    expect(
      () =>
        new GrpcRoute(mesh, 'A', {
          parentRefs: p,
          rules: [
            {
              filters: [HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS })],
              backendRefs: [{ backend: cart }],
            },
          ],
        }),
    ).toThrow(/rule 0: GRPCRoute has no RequestRedirect filter.*\[at mesh\/A\]/);
    expect(
      () =>
        new GrpcRoute(mesh, 'B', {
          parentRefs: p,
          rules: [{ matches: [{ service: 'shop/Cart' }], backendRefs: [{ backend: cart }] }],
        }),
    ).toThrow(/gRPC service must be a fully qualified name such as 'shop.v1.Cart', got 'shop\/Cart'/);
    expect(() => new GrpcRoute(mesh, 'C', { parentRefs: p, rules: [{ backendRefs: [] }] })).toThrow(
      /rule 0 has no backend/,
    );
  });

  test('rule names as on HTTPRoute (GEP-995), refused on Cilium 1.16 (Gateway API v1.1.0 has none)', () => {
    const mesh = meshFor({}, 'shop');
    new GrpcRoute(mesh, 'Cart', {
      parentRefs: [ParentRef.service(cart)],
      rules: [{ name: 'cart', backendRefs: [{ backend: cart }] }],
    });
    expect(objectsOf(mesh, 'GRPCRoute')[0].spec.rules[0].name).toBe('cart');
    const mesh16 = meshFor(V1_16, 'shop');
    const gw = new Gateway(mesh16, 'Gw', { listeners: [Listener.http()] });
    expect(
      () =>
        new GrpcRoute(mesh16, 'Cart', {
          parentRefs: [ParentRef.gateway(gw)],
          rules: [{ name: 'cart', backendRefs: [{ backend: cart }] }],
        }),
    ).toThrow(
      /^rule 0 has name 'cart', but route rule names needs .*this install: Cilium 1.16 with Gateway API v1.1.0 experimental; .*\[at mesh\/Cart\]$/,
    );
  });
});

describe('TlsRoute', () => {
  function build(options = {}) {
    const mesh = meshFor(options, 'data');
    const gw = new Gateway(mesh, 'Gw', {
      listeners: [
        Listener.tlsPassthrough({ hostname: '*.db.example.com', allowedRoutes: AllowedRoutes.allNamespaces() }),
      ],
    });
    new TlsRoute(mesh, 'Pg', {
      parentRefs: [ParentRef.gateway(gw)],
      hostnames: ['pg.db.example.com'],
      backendRefs: [{ backend: Backend.fromName('data', 'postgres', 5432) }],
    });
    return mesh;
  }

  test('v1 on Cilium 1.20', () => {
    const mesh = build();
    const route = objectsOf(mesh, 'TLSRoute')[0];
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toMatchSnapshot();
    recordManifests('routing-tls-route', gatewayObjects(mesh), 'cilium-1.20');
  });

  test('v1alpha2 on Cilium 1.16 (experimental channel of Gateway API v1.1.0)', () => {
    const mesh = build(V1_16);
    expect(objectsOf(mesh, 'TLSRoute')[0].apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    recordManifests('routing-tls-route-116', gatewayObjects(mesh), 'cilium-1.16');
  });

  test('needs SNI hostnames, a Gateway parent and a TLS listener', () => {
    const mesh = meshFor();
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
    const backends = [{ backend: Backend.fromName('default', 'pg', 5432) }];
    expect(
      () => new TlsRoute(mesh, 'A', { parentRefs: [ParentRef.gateway(gw)], hostnames: [], backendRefs: backends }),
    ).toThrow(/^TLSRoute SNI hostnames: the CRD allows 1 to 16, got 0; .* \[at mesh\/A\]$/);
    expect(
      () =>
        new TlsRoute(mesh, 'B', {
          parentRefs: [ParentRef.service(backends[0].backend)],
          hostnames: ['a.example.com'],
          backendRefs: backends,
        }),
    ).toThrow(/a TLSRoute attaches to Gateways only/);
    expect(
      () =>
        new TlsRoute(mesh, 'C', {
          parentRefs: [ParentRef.gateway(gw)],
          hostnames: ['a.example.com'],
          backendRefs: backends,
        }),
    ).toThrow(
      /TLSRoute cannot attach to Gateway mesh\/Gw: listener 'http': HTTP listeners take GRPCRoute\/HTTPRoute, not TLSRoute/,
    );
  });

  test('on Cilium 1.17 to 1.19 TLSRoute needs the experimental-channel CRDs (not in their standard channel)', () => {
    const route = (options: object) => {
      const mesh = meshFor(options);
      const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.tlsPassthrough()] });
      new TlsRoute(mesh, 'Pg', {
        parentRefs: [ParentRef.gateway(gw)],
        hostnames: ['pg.example.com'],
        backendRefs: [{ backend: Backend.fromName('default', 'pg', 5432) }],
      });
      return objectsOf(mesh, 'TLSRoute')[0];
    };
    expect(() => route({ version: CiliumVersion.V1_18 })).toThrow(
      /^TLSRoute needs Gateway API v1.5.0\+ \(standard channel\) or Gateway API v0.4.0\+ with the experimental-channel CRDs .*this install: Cilium 1.18 with Gateway API v1.3.0 standard; install the experimental-channel CRDs .*\[at mesh\/Pg\]$/,
    );
    expect(route({ version: CiliumVersion.V1_18, gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL }).apiVersion).toBe(
      'gateway.networking.k8s.io/v1alpha2',
    );
    expect(route({}).apiVersion).toBe('gateway.networking.k8s.io/v1');
  });
});
