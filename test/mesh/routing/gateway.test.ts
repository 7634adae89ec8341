import { Testing } from 'cdk8s';
import {
  AllowedRoutes,
  Backend,
  Gateway,
  GatewayApiChannel,
  HttpRoute,
  Listener,
  ParentRef,
  LoadBalancerScheme,
  loadBalancerAnnotations,
  NlbTargetType,
  ReferenceGrants,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { gatewayObjects, meshFor, objectsOf, V1_16 } from './util';

describe('loadBalancerAnnotations', () => {
  test('AWS Load Balancer Controller NLB annotations, sorted source ranges', () => {
    expect(
      loadBalancerAnnotations({
        scheme: LoadBalancerScheme.INTERNET_FACING,
        sourceRanges: ['198.51.100.0/24', '203.0.113.0/24', '198.51.100.0/24'],
      }),
    ).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
      'service.beta.kubernetes.io/load-balancer-source-ranges': '198.51.100.0/24,203.0.113.0/24',
    });
  });
  test('defaults to an internal NLB with instance targets', () => {
    expect(loadBalancerAnnotations({})).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
    });
  });
  test('ip targets cannot reach Cilium Gateway Services', () => {
    expect(() => loadBalancerAnnotations({ targetType: NlbTargetType.IP })).toThrow(
      /target type 'ip' cannot work .*placeholder endpoint.*use NlbTargetType.INSTANCE/,
    );
  });
  test('source ranges must be CIDRs', () => {
    expect(() => loadBalancerAnnotations({ sourceRanges: ['10.0.0.1'] })).toThrow(
      /source range must be a CIDR with a prefix length .*got '10.0.0.1'/,
    );
    // What the AWS Load Balancer Controller's net.ParseCIDR refuses is refused here too.
    expect(() => loadBalancerAnnotations({ sourceRanges: ['999.1.1.1/99'] })).toThrow(
      /invalid IPv4 address in '999.1.1.1\/99'/,
    );
    expect(() => loadBalancerAnnotations({ sourceRanges: ['10.0.0.0/33'] })).toThrow(
      /prefix length must be 0-32 for IPv4, got '10.0.0.0\/33'/,
    );
    expect(
      loadBalancerAnnotations({ sourceRanges: ['2001:db8::/32', '203.0.113.0/24'] })[
        'service.beta.kubernetes.io/load-balancer-source-ranges'
      ],
    ).toBe('2001:db8::/32,203.0.113.0/24');
  });
  test('JavaScript callers cannot pass other strings than the enums', () => {
    expect(() => loadBalancerAnnotations({ scheme: 'public' as LoadBalancerScheme })).toThrow(
      /load balancer scheme must be one of 'internet-facing', 'internal', got 'public'/,
    );
  });
});

describe('Gateway', () => {
  test('HTTP, HTTPS and TLS passthrough listeners, allowed routes, LB settings', () => {
    const mesh = meshFor({}, 'edge');
    new Gateway(mesh, 'Public', {
      listeners: [
        Listener.http({ hostname: '*.example.com', allowedRoutes: AllowedRoutes.allNamespaces() }),
        Listener.https({
          hostname: '*.example.com',
          certificates: [{ name: 'wildcard-tls' }, { name: 'legacy-tls', namespace: 'certs' }],
          allowedRoutes: AllowedRoutes.fromNamespacesLabelled({ 'gateway-access': 'public' }),
        }),
        Listener.tlsPassthrough({ name: 'db', port: 8443, hostname: 'db.example.com' }),
      ],
      loadBalancer: { scheme: LoadBalancerScheme.INTERNET_FACING, sourceRanges: ['203.0.113.0/24'] },
    });
    const objects = gatewayObjects(mesh);
    expect(objects).toMatchSnapshot();
    const grant = objects.find((o) => o.kind === 'ReferenceGrant');
    expect(grant).toMatchObject({
      metadata: { namespace: 'certs' },
      spec: { from: [{ kind: 'Gateway', namespace: 'edge' }], to: [{ group: '', kind: 'Secret', name: 'legacy-tls' }] },
    });
    recordManifests('routing-gateway', objects, 'cilium-1.20');
    expect(mesh.warnings).toEqual([
      expect.stringMatching(/gatewayApi on aws-cni-chaining \(Cilium 1.20\) is untested.*cilium\/cilium#42578/),
    ]);
  });

  test('requires the Gateway API controller on the install', () => {
    const mesh = meshFor({ gatewayApi: false });
    expect(() => new Gateway(mesh, 'Gw', { listeners: [Listener.http()] })).toThrow(
      /Gateway needs Cilium's Gateway API controller.*enable it on the Cilium construct \(gatewayApi: true.*\[at mesh\/Gw\]/,
    );
  });

  test('listener names and port/hostname pairs are unique', () => {
    const mesh = meshFor();
    expect(() => new Gateway(mesh, 'A', { listeners: [Listener.http(), Listener.http({ port: 8080 })] })).toThrow(
      /listener name 'http' is used twice.*\[at mesh\/A\]/,
    );
    expect(() => new Gateway(mesh, 'B', { listeners: [Listener.http(), Listener.http({ name: 'other' })] })).toThrow(
      /two listeners use port 80 with hostname '\(any\)'/,
    );
    expect(() => new Gateway(mesh, 'C', { listeners: [] })).toThrow(
      /^Gateway listeners: the CRD allows 1 to 64, got 0; .* \[at mesh\/C\]$/,
    );
  });

  test('HTTPS needs a certificate; listener hostnames are validated (by the Gateway, which the error names)', () => {
    const mesh = meshFor();
    expect(() => new Gateway(mesh, 'A', { listeners: [Listener.https({ certificates: [] })] })).toThrow(
      /^HTTPS listener 'https' certificates: the CRD allows 1 to 64, got 0; pass the TLS Secret\(s\) \[at mesh\/A\]$/,
    );
    expect(() => new Gateway(mesh, 'B', { listeners: [Listener.http({ hostname: 'example.com:80' })] })).toThrow(
      /^listener hostname must not contain a port.* \[at mesh\/B\]$/,
    );
    expect(
      () =>
        new Gateway(mesh, 'C', {
          listeners: [Listener.http({ allowedRoutes: AllowedRoutes.fromNamespacesLabelled({}) })],
        }),
    ).toThrow(/^namespace selector needs at least one label.* \[at mesh\/C\]$/);
    expect(() => new Gateway(mesh, 'D', { listeners: [Listener.http({ port: 0 })] })).toThrow(
      /^listener port must be an integer from 1 to 65535, got 0.* \[at mesh\/D\]$/,
    );
  });

  test('on Cilium 1.16 the infrastructure annotations need the experimental Gateway CRD (warning with standard-channel CRDs only)', () => {
    const standard = meshFor({ ...V1_16, gatewayApiChannel: GatewayApiChannel.STANDARD });
    new Gateway(standard, 'Gw', {
      listeners: [Listener.http()],
      loadBalancer: { scheme: LoadBalancerScheme.INTERNAL },
    });
    expect(standard.warnings).toContainEqual(
      expect.stringMatching(
        /mesh\/Gw: the load balancer settings are written to Gateway spec.infrastructure, but Gateway infrastructure needs Cilium 1.15\+ and Gateway API v1.2.0\+ \(standard channel\) or Gateway API v1.1.0\+ with the experimental-channel CRDs .*this install: Cilium 1.16 with Gateway API v1.1.0 standard/,
      ),
    );
    const mesh = meshFor(V1_16);
    new Gateway(mesh, 'Gw', { listeners: [Listener.http()], loadBalancer: { scheme: LoadBalancerScheme.INTERNAL } });
    expect(mesh.warnings.filter((w) => /infrastructure/.test(w))).toEqual([]);
    recordManifests('routing-gateway-116', gatewayObjects(mesh), 'cilium-1.16');
  });

  test('ReferenceGrants are one per target namespace, sorted and deduplicated, independent of call order', () => {
    const a = meshFor();
    const b = meshFor();
    const reqs = [
      { fromKind: 'HTTPRoute', fromNamespace: 'web', toKind: 'Service' as const, toNamespace: 'shop', toName: 'cart' },
      { fromKind: 'HTTPRoute', fromNamespace: 'api', toKind: 'Service' as const, toNamespace: 'shop', toName: 'cart' },
      {
        fromKind: 'GRPCRoute',
        fromNamespace: 'api',
        toKind: 'Service' as const,
        toNamespace: 'shop',
        toName: 'billing',
      },
    ];
    reqs.forEach((r) => ReferenceGrants.of(a).allow(r));
    [...reqs].reverse().forEach((r) => ReferenceGrants.of(b).allow(r));
    const grants = objectsOf(a, 'ReferenceGrant');
    expect(grants).toHaveLength(1);
    expect(grants[0].spec).toEqual({
      from: [
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'api' },
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'api' },
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'web' },
      ],
      to: [
        { group: '', kind: 'Service', name: 'billing' },
        { group: '', kind: 'Service', name: 'cart' },
      ],
    });
    expect(Testing.synth(b)).toEqual(Testing.synth(a));
  });
});

describe('Gateway.fromName', () => {
  test('a route attaches to a Gateway the platform team owns; nothing is rendered for the Gateway', () => {
    const mesh = meshFor({}, 'shop');
    const shared = Gateway.fromName(mesh, 'Shared', { namespace: 'infra', name: 'public' });
    new HttpRoute(mesh, 'Web', {
      parentRefs: [ParentRef.gateway(shared, 'https')],
      rules: [{ backendRefs: [{ backend: Backend.fromName('shop', 'web', 80) }] }],
    });
    const objects = Testing.synth(mesh);
    expect(objects.filter((o: any) => o.kind === 'Gateway')).toEqual([]);
    expect(objects.find((o: any) => o.kind === 'HTTPRoute').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'infra', sectionName: 'https' },
    ]);
    recordManifests('routing-imported-gateway', gatewayObjects(mesh), 'cilium-1.20');
  });

  test('with its listeners declared, routes are checked against them as for a Gateway of this app', () => {
    const mesh = meshFor({}, 'shop');
    const shared = Gateway.fromName(mesh, 'Shared', {
      namespace: 'infra',
      name: 'public',
      listeners: [Listener.http({ hostname: '*.example.com' })],
    });
    expect(
      () =>
        new HttpRoute(mesh, 'Web', {
          parentRefs: [ParentRef.gateway(shared)],
          rules: [{ backendRefs: [{ backend: Backend.fromName('shop', 'web', 80) }] }],
        }),
    ).toThrow(
      /^HTTPRoute cannot attach to Gateway mesh\/Shared: listener 'http': allows routes from namespace 'infra' only \(allowedRoutes Same\), route is in 'shop'; .* \[at mesh\/Web\]$/,
    );
    expect(
      () =>
        new HttpRoute(mesh, 'Api', {
          parentRefs: [ParentRef.gateway(shared, 'https')],
          rules: [{ backendRefs: [{ backend: Backend.fromName('shop', 'web', 80) }] }],
        }),
    ).toThrow(
      /^listener 'https' does not exist on Gateway mesh\/Shared \(listeners: http\); pass one of them \[at mesh\/Api\]$/,
    );
  });

  test("bad names and listeners fail with the import's path", () => {
    const mesh = meshFor();
    expect(() => Gateway.fromName(mesh, 'A', { namespace: 'Infra', name: 'public' })).toThrow(
      /Gateway namespace.*'Infra'.*\[at mesh\/A\]$/,
    );
    expect(() =>
      Gateway.fromName(mesh, 'B', {
        namespace: 'infra',
        name: 'public',
        listeners: [Listener.http(), Listener.http()],
      }),
    ).toThrow(/^listener name 'http' is used twice; give each listener a distinct name \[at mesh\/B\]$/);
  });
});
