import { Duration } from 'aws-cdk-lib';
import {
  Backend,
  CanaryRelease,
  canaryRules,
  Gateway,
  HeaderMatch,
  Listener,
  LoadBalancerScheme,
  PathMatch,
  ParentRef,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { gatewayObjects, meshFor, objectsOf, service, V1_16 } from './util';

describe('canaryRules', () => {
  const stable = Backend.fromName('shop', 'api', 80);
  const canary = Backend.fromName('shop', 'api-canary', 80);

  test('progressive rollout changes only the two weights', () => {
    const weights = [1, 10, 50, 100].map((w) =>
      canaryRules({ stable, canary, canaryWeight: w })[0].backendRefs!.map((b) => b.weight),
    );
    expect(weights).toEqual([
      [99, 1],
      [90, 10],
      [50, 50],
      [0, 100],
    ]);
  });

  test('weight must be a whole percentage', () => {
    expect(() => canaryRules({ stable, canary, canaryWeight: 101 })).toThrow(
      /canary weight must be a whole percentage from 0 to 100, got 101/,
    );
    expect(() => canaryRules({ stable, canary, canaryWeight: 2.5 })).toThrow(/got 2.5/);
  });

  test('targeting: one match per base match and header, canary only', () => {
    const rules = canaryRules({
      stable,
      canary,
      canaryWeight: 0,
      matches: [{ path: PathMatch.pathPrefix('/api') }],
      canaryWhen: [HeaderMatch.exact('x-canary', 'true'), HeaderMatch.cookie('beta', '1')],
    });
    expect(rules).toHaveLength(2);
    expect(rules[0].matches).toHaveLength(2);
    expect(rules[0].matches![1].headers![0]).toMatchObject({ name: 'cookie', type: 'RegularExpression' });
    expect(rules[0].backendRefs).toEqual([{ backend: canary, weight: 1 }]);
  });
});

describe('scenario: north-south canary (examples/canary.ts)', () => {
  test('internet-facing HTTPS Gateway, /api canary at 10% with header/cookie targeting, 5% mirrored to a shadow, 3 s timeout', () => {
    const mesh = meshFor({}, 'shop');
    const stableSvc = service(mesh, 'api', [8080]);
    const canarySvc = service(mesh, 'api-canary', [8080]);
    const shadowSvc = service(mesh, 'api-shadow', [8080]);
    const gateway = new Gateway(mesh, 'Public', {
      listeners: [Listener.https({ hostname: 'shop.example.com', certificates: [{ name: 'shop-example-com-tls' }] })],
      loadBalancer: { scheme: LoadBalancerScheme.INTERNET_FACING },
    });
    const release = new CanaryRelease(mesh, 'ApiCanary', {
      parentRef: ParentRef.gateway(gateway, 'https'),
      hostnames: ['shop.example.com'],
      matches: [{ path: PathMatch.pathPrefix('/api') }],
      stable: Backend.fromService(stableSvc),
      canary: Backend.fromService(canarySvc),
      canaryWeight: 10,
      canaryWhen: [HeaderMatch.exact('x-canary', 'true'), HeaderMatch.cookie('beta', '1')],
      mirror: { backend: Backend.fromService(shadowSvc), percent: 5 },
      timeouts: { request: Duration.seconds(3) },
    });
    expect(release.canaryWeight).toBe(10);
    const objects = gatewayObjects(mesh);
    expect(objects).toMatchSnapshot();
    const routeSpec = objectsOf(mesh, 'HTTPRoute')[0].spec;
    expect(routeSpec.rules[1].backendRefs).toEqual([
      { name: 'api', port: 8080, weight: 90 },
      { name: 'api-canary', port: 8080, weight: 10 },
    ]);
    expect(routeSpec.rules[1].filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'api-shadow', port: 8080 }, percent: 5 } },
    ]);
    expect(routeSpec.rules[1].timeouts).toEqual({ request: '3s' });
    expect(
      objectsOf(mesh, 'Gateway')[0].spec.infrastructure.annotations[
        'service.beta.kubernetes.io/aws-load-balancer-scheme'
      ],
    ).toBe('internet-facing');
    expect(mesh.warnings.filter((w) => !w.includes('is untested'))).toEqual([]);
    recordManifests('routing-scenario-canary', objects, 'cilium-1.20');
  });
});

describe('progressive rollout', () => {
  test('going from 1% to 10% changes exactly two numbers in the synthesized output', () => {
    const synth = (w: number) => {
      const mesh = meshFor({}, 'shop');
      new CanaryRelease(mesh, 'Api', {
        parentRef: ParentRef.service(Backend.fromName('shop', 'api', 80)),
        stable: Backend.fromName('shop', 'api-v1', 80),
        canary: Backend.fromName('shop', 'api-v2', 80),
        canaryWeight: w,
      });
      return JSON.stringify(gatewayObjects(mesh), null, 1).split('\n');
    };
    const [a, b] = [synth(1), synth(10)];
    expect(a).toHaveLength(b.length);
    const changed = a.map((line, i) => [line.trim(), b[i].trim()]).filter(([x, y]) => x !== y);
    expect(changed).toEqual([
      ['"weight": 99', '"weight": 90'],
      ['"weight": 1', '"weight": 10'],
    ]);
  });
});

describe('scenario: east-west canary (examples/east-west.ts, GAMMA)', () => {
  test('an HTTPRoute whose parent is the Service clients call, splitting between two versions', () => {
    const mesh = meshFor({}, 'shop');
    const frontend = service(mesh, 'reviews', [9080]);
    const v1 = service(mesh, 'reviews-v1', [9080]);
    const v2 = service(mesh, 'reviews-v2', [9080]);
    new CanaryRelease(mesh, 'Reviews', {
      parentRef: ParentRef.service(Backend.fromService(frontend)),
      stable: Backend.fromService(v1),
      canary: Backend.fromService(v2),
      canaryWeight: 20,
      timeouts: { request: Duration.millis(500) },
    });
    const objects = gatewayObjects(mesh);
    expect(objects).toMatchSnapshot();
    expect(objects).toHaveLength(1);
    expect(objects[0].spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    recordManifests('routing-scenario-east-west', objects, 'cilium-1.20');
  });

  test('renders for Cilium 1.16 too (GAMMA HTTPRoute v1)', () => {
    const mesh = meshFor(V1_16, 'shop');
    new CanaryRelease(mesh, 'Reviews', {
      parentRef: ParentRef.service(Backend.fromName('shop', 'reviews', 9080)),
      stable: Backend.fromName('shop', 'reviews-v1', 9080),
      canary: Backend.fromName('shop', 'reviews-v2', 9080),
      canaryWeight: 1,
      canaryWhen: [HeaderMatch.exact('x-canary', 'true')],
    });
    recordManifests('routing-scenario-east-west-116', gatewayObjects(mesh), 'cilium-1.16');
    expect(objectsOf(mesh, 'HTTPRoute')[0].spec.rules).toHaveLength(2);
  });

  test('a consumer route (Service in another namespace) is refused: Cilium lacks MeshConsumerRoute', () => {
    const mesh = meshFor({}, 'frontend');
    expect(
      () =>
        new CanaryRelease(mesh, 'C', {
          parentRef: ParentRef.service(Backend.fromName('shop', 'reviews', 9080)),
          stable: Backend.fromName('shop', 'reviews-v1', 9080),
          canary: Backend.fromName('shop', 'reviews-v2', 9080),
          canaryWeight: 5,
        }),
    ).toThrow(
      /HTTPRoute in namespace 'frontend' has Service parent shop\/reviews: a GAMMA consumer route .*cilium\/cilium#32744.*create the route in namespace 'shop' \[at mesh\/C\/Route\]/,
    );
  });

  test('a second route on the same Service gets a warning (cilium/cilium#39830)', () => {
    const mesh = meshFor({}, 'shop');
    const parent = ParentRef.service(Backend.fromName('shop', 'reviews', 9080));
    const props = {
      parentRef: parent,
      stable: Backend.fromName('shop', 'reviews-v1', 9080),
      canary: Backend.fromName('shop', 'reviews-v2', 9080),
      canaryWeight: 5,
    };
    new CanaryRelease(mesh, 'A', props);
    new CanaryRelease(mesh, 'B', props);
    expect(mesh.warnings).toContainEqual(
      expect.stringMatching(
        /mesh\/B\/Route: Service shop\/reviews:9080 already has the GAMMA route mesh\/A\/Route.*cilium\/cilium#39830/,
      ),
    );
  });

  test('hostnames are refused on a Service parent', () => {
    const mesh = meshFor();
    expect(
      () =>
        new CanaryRelease(mesh, 'C', {
          parentRef: ParentRef.service(Backend.fromName('default', 'reviews', 80)),
          hostnames: ['reviews.example.com'],
          stable: Backend.fromName('default', 'a', 80),
          canary: Backend.fromName('default', 'b', 80),
          canaryWeight: 5,
        }),
    ).toThrow(/hostnames apply to Gateway parents only.*\[at mesh\/C\]/);
  });
});
