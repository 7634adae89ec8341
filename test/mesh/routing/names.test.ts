import { Testing } from 'cdk8s';
import {
  Backend,
  CanaryRelease,
  chainingProfile,
  CiliumIngress,
  Gateway,
  GrpcRoute,
  HttpRoute,
  Listener,
  ParentRef,
  ServiceMesh,
  TlsRoute,
} from '../../../lib';
import { meshFor, service } from './util';

const api = Backend.fromName('shop', 'api', 8080);

describe('object names of Gateway API objects and Ingresses', () => {
  test('default: derived from the construct path below the mesh, like policy names', () => {
    const mesh = meshFor({}, 'shop');
    const team = new HttpRoute(mesh, 'Team', {
      parentRefs: [ParentRef.service(api)],
      rules: [{ backendRefs: [{ backend: api }] }],
    });
    const gw = new Gateway(mesh, 'Public', { listeners: [Listener.http()] });
    const canary = new CanaryRelease(mesh, 'ApiCanary', {
      parentRef: ParentRef.gateway(gw),
      stable: api,
      canary: Backend.fromName('shop', 'api-v2', 8080),
      canaryWeight: 10,
    });
    expect([team.name, gw.name, canary.route.name]).toEqual(['team', 'public', 'apicanary']);
    const names = Testing.synth(mesh)
      .map((o: any) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(names).toEqual(['Gateway/public', 'HTTPRoute/apicanary', 'HTTPRoute/team']);
  });

  test('explicit names go to metadata.name and into the routes that refer to the Gateway', () => {
    const mesh = meshFor({}, 'shop');
    const gw = new Gateway(mesh, 'Gw', {
      name: 'edge',
      listeners: [Listener.http(), Listener.tlsPassthrough({ hostname: 'db.example.com' })],
    });
    new HttpRoute(mesh, 'R', {
      name: 'storefront',
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: api }] }],
    });
    new GrpcRoute(mesh, 'G', {
      name: 'orders-grpc',
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: api }] }],
    });
    new TlsRoute(mesh, 'T', {
      name: 'db',
      parentRefs: [ParentRef.gateway(gw, 'tls')],
      hostnames: ['db.example.com'],
      backendRefs: [{ backend: api }],
    });
    new CanaryRelease(mesh, 'C', {
      name: 'api-canary',
      parentRef: ParentRef.gateway(gw),
      stable: api,
      canary: api,
      canaryWeight: 0,
    });
    const objects = Testing.synth(mesh);
    expect(objects.map((o: any) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'GRPCRoute/orders-grpc',
      'Gateway/edge',
      'HTTPRoute/api-canary',
      'HTTPRoute/storefront',
      'TLSRoute/db',
    ]);
    for (const o of objects.filter((x: any) => x.kind !== 'Gateway')) {
      expect({ kind: o.kind, parentRefs: o.spec.parentRefs.map((p: any) => p.name) }).toEqual({
        kind: o.kind,
        parentRefs: ['edge'],
      });
    }
  });

  test('a CiliumIngress takes a name too', () => {
    const mesh = new ServiceMesh(Testing.app(), 'mesh', {
      namespace: 'shop',
      cilium: chainingProfile({ ingressController: true }),
    });
    new CiliumIngress(mesh, 'Site', { name: 'site-v2', rules: [{ path: '/', service: service(mesh, 'web', [80]) }] });
    expect(
      Testing.synth(mesh)
        .filter((o: any) => o.kind === 'Ingress')
        .map((o: any) => o.metadata.name),
    ).toEqual(['site-v2']);
  });

  test.each([
    [
      'Storefront',
      /^HTTPRoute name must be a DNS-1123 label .*got 'Storefront'; use a name such as 'storefront' \[at mesh\/R\]$/,
    ],
    ['a'.repeat(64), /^HTTPRoute name must be a DNS-1123 label \(at most 63 characters.*got 'a{64}'.* \[at mesh\/R\]$/],
  ])('an invalid name %p is refused with path, value and fix', (name, message) => {
    const mesh = meshFor({}, 'shop');
    expect(
      () =>
        new HttpRoute(mesh, 'R', {
          name,
          parentRefs: [ParentRef.service(api)],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(message);
  });

  test('two meshes of one cdk8s app may not emit the same object either (names leave out the mesh)', () => {
    const app = Testing.app();
    const a = new ServiceMesh(app, 'a', { namespace: 'shop', cilium: chainingProfile({ gatewayApi: true }) });
    const b = new ServiceMesh(app, 'b', { namespace: 'shop', cilium: chainingProfile({ gatewayApi: true }) });
    new Gateway(a, 'Public', { listeners: [Listener.http()] });
    expect(() => new Gateway(b, 'Public', { listeners: [Listener.http()] })).toThrow(
      /^Gateway 'shop\/public' is already emitted by a\/Public; .* \[at b\/Public\]$/,
    );
    // a mesh in another cdk8s app is separate
    const c = new ServiceMesh(Testing.app(), 'c', { namespace: 'shop', cilium: chainingProfile({ gatewayApi: true }) });
    expect(new Gateway(c, 'Public', { listeners: [Listener.http()] }).name).toBe('public');
  });

  test('two objects of one kind with the same name in one namespace are refused; other kinds or namespaces are fine', () => {
    const mesh = meshFor({}, 'shop');
    const gw = new Gateway(mesh, 'Gw', { name: 'shop', listeners: [Listener.http()] });
    new HttpRoute(mesh, 'A', {
      name: 'shop',
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: api }] }],
    });
    new HttpRoute(mesh, 'Elsewhere', {
      name: 'shop',
      namespace: 'other',
      parentRefs: [ParentRef.service(Backend.fromName('other', 'x', 80))],
      rules: [{ backendRefs: [{ backend: Backend.fromName('other', 'x', 80) }] }],
    });
    expect(
      () =>
        new HttpRoute(mesh, 'B', {
          name: 'shop',
          parentRefs: [ParentRef.gateway(gw)],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(
      /^HTTPRoute 'shop\/shop' is already emitted by mesh\/A; pass a different name, or give one of the constructs a different id \(names derive from construct paths\) \[at mesh\/B\]$/,
    );
    // a default name that collides with an explicit one is caught the same way
    expect(
      () =>
        new HttpRoute(mesh, 'Shop', {
          parentRefs: [ParentRef.gateway(gw)],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(/^HTTPRoute 'shop\/shop' is already emitted by mesh\/A; .* \[at mesh\/Shop\]$/);
  });
});
