import { Duration } from 'aws-cdk-lib';
import {
  Backend,
  CanaryRelease,
  canaryRules,
  CiliumVersion,
  Gateway,
  GatewayApiChannel,
  HeaderMatch,
  HttpRoute,
  Listener,
  PathMatch,
  ParentRef,
  type ChainingProfileOptions,
  type HttpRouteRule,
} from '../../../lib';
import { renderRetry } from '../../../lib/mesh/routing/retry';
import { recordManifests } from '../../util/record';
import { gatewayObjects, meshFor, objectsOf, V1_16 } from './util';

const api = Backend.fromName('shop', 'api', 8080);
const EXPERIMENTAL = { gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL };

function route(rules: HttpRouteRule[], options: ChainingProfileOptions = EXPERIMENTAL) {
  const mesh = meshFor(options, 'shop');
  const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http({ hostname: '*.example.com' })] });
  new HttpRoute(mesh, 'Route', { parentRefs: [ParentRef.gateway(gw)], rules });
  return mesh;
}

describe('renderRetry', () => {
  test('codes sorted, attempts, backoff in the Gateway API duration format', () => {
    expect(renderRetry('rule 0', { codes: [504, 502, 503], attempts: 2, backoff: Duration.millis(1250) })).toEqual({
      codes: [502, 503, 504],
      attempts: 2,
      backoff: '1s250ms',
    });
    expect(renderRetry('rule 0', {})).toEqual({ codes: undefined, attempts: undefined, backoff: undefined });
    expect(renderRetry('rule 0', { codes: [400, 599] }).codes).toEqual([400, 599]);
  });

  test('codes outside 400-599, not whole, repeated or empty are refused', () => {
    expect(() => renderRetry('rule 1', { codes: [399] })).toThrow(
      /^rule 1: retry.codes must be HTTP status codes from 400 to 599, got 399; pass e.g. 503$/,
    );
    expect(() => renderRetry('rule 1', { codes: [600] })).toThrow(/got 600/);
    expect(() => renderRetry('rule 1', { codes: [502.5] })).toThrow(/got 502.5/);
    expect(() => renderRetry('rule 1', { codes: [503, 502, 503] })).toThrow(
      /rule 1: retry.codes lists 503 twice \(the field is a set\); list each code once/,
    );
    expect(() => renderRetry('rule 1', { codes: [] })).toThrow(
      /rule 1: retry.codes is empty; omit codes to retry on connection errors only/,
    );
  });

  test('attempts must be a whole number >= 1; backoff whole milliseconds', () => {
    expect(() => renderRetry('rule 0', { attempts: 0 })).toThrow(
      /rule 0: retry.attempts must be a whole number of at least 1, got 0; pass e.g. 2, or drop retry/,
    );
    expect(() => renderRetry('rule 0', { attempts: 1.5 })).toThrow(/got 1.5/);
    expect(() => renderRetry('rule 0', { backoff: Duration.millis(0.5) })).toThrow(
      /rule 0: retry.backoff must be a whole number of milliseconds/,
    );
  });
});

describe('HttpRoute retry', () => {
  test('Cilium 1.20 with the experimental CRDs: the route carries retry per rule', () => {
    const mesh = route([
      {
        matches: [{ path: PathMatch.pathPrefix('/api') }],
        backendRefs: [{ backend: api }],
        timeouts: { request: Duration.seconds(10) },
        retry: { codes: [503, 502], attempts: 3, backoff: Duration.millis(100) },
      },
      { backendRefs: [{ backend: api }] },
    ]);
    const [obj] = objectsOf(mesh, 'HTTPRoute');
    expect(obj.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(obj.spec.rules[1].retry).toBeUndefined();
    expect(obj).toMatchSnapshot();
    recordManifests('routing-http-route-retry', gatewayObjects(mesh), 'cilium-1.20-experimental');
  });

  test('routes without retry stay standard-channel objects on an experimental install', () => {
    const mesh = route([{ backendRefs: [{ backend: api }], timeouts: { request: Duration.seconds(1) } }]);
    const [obj] = objectsOf(mesh, 'HTTPRoute');
    expect(obj.spec.rules[0]).toEqual({ backendRefs: [{ name: 'api', port: 8080 }], timeouts: { request: '1s' } });
    recordManifests('routing-http-route-no-retry-experimental', gatewayObjects(mesh), 'cilium-1.20-experimental');
  });

  test('refused before Cilium 1.20, naming the version that adds it', () => {
    const rules: HttpRouteRule[] = [{ backendRefs: [{ backend: api }], retry: { attempts: 2 } }];
    expect(() => route(rules, { ...EXPERIMENTAL, version: CiliumVersion.V1_19 })).toThrow(
      /HTTPRoute retry \(GEP-1731\) takes effect from Cilium 1.20 \(earlier lines generate an Envoy retry policy without retry_on, so nothing is retried: cilium\/cilium#46432, fixed by #46433\), got Cilium 1.19.\d+; upgrade to CiliumVersion.V1_20 or drop retry \[at mesh\/Route\]/,
    );
    expect(() => route(rules, V1_16)).toThrow(/takes effect from Cilium 1.20 .*got Cilium 1.16.\d+/);
  });

  test('refused on the standard channel, saying how to install the experimental CRDs', () => {
    const rules: HttpRouteRule[] = [{ backendRefs: [{ backend: api }], retry: { codes: [503] } }];
    const expected = new RegExp(
      'HTTPRoute retry is in the experimental channel only in Gateway API v1.6.1 \\(standard from v1.7.0\\), but this install ' +
        'has the standard-channel CRDs; install the experimental CRDs with gatewayApiCrds: \\{ channel: GatewayApiChannel.EXPERIMENTAL \\} ' +
        'on the Cilium construct \\(or pass chainingProfile\\(\\{ gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL \\}\\) for a ' +
        'cluster installed elsewhere\\), or drop retry \\[at mesh/Route\\]',
    );
    expect(() => route(rules, {})).toThrow(expected);
    expect(() => route(rules, { gatewayApiChannel: GatewayApiChannel.STANDARD })).toThrow(expected);
  });

  test('bad retry values name the rule and the route', () => {
    expect(() =>
      route([{ backendRefs: [{ backend: api }] }, { backendRefs: [{ backend: api }], retry: { codes: [302] } }]),
    ).toThrow(
      /rule 1: retry.codes must be HTTP status codes from 400 to 599, got 302; pass e.g. 503 \[at mesh\/Route\]/,
    );
  });
});

describe('CanaryRelease retry', () => {
  const stable = Backend.fromName('shop', 'api', 80);
  const canary = Backend.fromName('shop', 'api-canary', 80);

  test('canaryRules puts retry on every rule', () => {
    const retry = { codes: [503], attempts: 2 };
    const rules = canaryRules({ stable, canary, canaryWeight: 10, canaryWhen: [], retry });
    expect(rules.map((r) => r.retry)).toEqual([retry]);
    const targeted = canaryRules({
      stable,
      canary,
      canaryWeight: 10,
      retry,
      canaryWhen: [HeaderMatch.exact('x-canary', 'true')],
    });
    expect(targeted.map((r) => r.retry)).toEqual([retry, retry]);
  });

  test('a canary with retry on an experimental 1.20 install validates; refused on standard', () => {
    const mesh = meshFor(EXPERIMENTAL, 'shop');
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http({})] });
    new CanaryRelease(mesh, 'Canary', {
      parentRef: ParentRef.gateway(gw),
      stable,
      canary,
      canaryWeight: 10,
      timeouts: { request: Duration.seconds(5) },
      retry: { codes: [503], attempts: 2, backoff: Duration.millis(50) },
    });
    const [obj] = objectsOf(mesh, 'HTTPRoute');
    expect(obj.spec.rules[0].retry).toEqual({ codes: [503], attempts: 2, backoff: '50ms' });
    expect(obj.spec.rules[0].timeouts).toEqual({ request: '5s' });
    recordManifests('routing-canary-retry', gatewayObjects(mesh), 'cilium-1.20-experimental');

    const standard = meshFor({}, 'shop');
    const gw2 = new Gateway(standard, 'Gw', { listeners: [Listener.http({})] });
    expect(
      () =>
        new CanaryRelease(standard, 'Canary', {
          parentRef: ParentRef.gateway(gw2),
          stable,
          canary,
          canaryWeight: 10,
          retry: { attempts: 2 },
        }),
    ).toThrow(/HTTPRoute retry is in the experimental channel only .*\[at mesh\/Canary\/Route\]/);
  });
});
