import { Duration } from 'aws-cdk-lib';
import {
  AllowedRoutes, Backend, Gateway, HeaderMatch, HttpMethod, HttpRoute, HttpRouteFilter, Listener, PathMatch, PathModifier,
  QueryParamMatch, RedirectStatusCode, RouteParent, type HttpRouteRule,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { gatewayObjects, meshFor, objectsOf, V1_16 } from './util';

const api = Backend.fromName('shop', 'api', 8080);

function setup(options = {}, namespace?: string) {
  const mesh = meshFor(options, namespace);
  const gw = new Gateway(mesh, 'Gw', {
    listeners: [Listener.http({ hostname: '*.example.com', allowedRoutes: AllowedRoutes.allNamespaces() })],
  });
  return { mesh, gw };
}

function route(rules: HttpRouteRule[], extra: { hostnames?: string[]; namespace?: string } = {}) {
  const { mesh, gw } = setup();
  new HttpRoute(mesh, 'Route', { parents: [RouteParent.gateway(gw)], rules, ...extra });
  return mesh;
}

describe('HttpRoute', () => {
  test('every match kind and filter, weighted backends, timeouts, cross-namespace grant', () => {
    const { mesh, gw } = setup({}, 'web');
    new HttpRoute(mesh, 'Shop', {
      parents: [RouteParent.gateway(gw, 'http')],
      hostnames: ['shop.example.com'],
      rules: [
        {
          matches: [
            { path: PathMatch.exact('/healthz'), method: HttpMethod.GET },
            { path: PathMatch.regularExpression('/items/[0-9]+'), queryParams: [QueryParamMatch.exact('view', 'full')] },
          ],
          filters: [
            HttpRouteFilter.requestHeaderModifier({ set: { 'x-env': 'prod' }, add: { 'x-via': 'gw' }, remove: ['x-debug'] }),
            HttpRouteFilter.responseHeaderModifier({ set: { 'cache-control': 'no-store' } }),
            HttpRouteFilter.requestMirror(Backend.fromName('web', 'shadow', 80), { percent: 5 }),
          ],
          backends: [{ backend: api, weight: 90 }, { backend: Backend.fromName('shop', 'api-v2', 8080), weight: 10 }],
          timeouts: { request: Duration.seconds(3), backendRequest: Duration.millis(1500) },
        },
        {
          matches: [{ path: PathMatch.pathPrefix('/old'), headers: [HeaderMatch.regularExpression('user-agent', '.*Mobile.*')] }],
          filters: [HttpRouteFilter.urlRewrite({ hostname: 'new.example.com', path: PathModifier.replacePrefixMatch('/new') })],
          backends: [{ backend: api }],
        },
        {
          matches: [{ path: PathMatch.pathPrefix('/legacy') }],
          filters: [HttpRouteFilter.requestRedirect({ scheme: 'https', hostname: 'www.example.com', statusCode: RedirectStatusCode.MOVED_PERMANENTLY_301, path: PathModifier.replaceFullPath('/') })],
        },
      ],
    });
    const objects = gatewayObjects(mesh);
    expect(objects.filter((o) => o.kind !== 'Gateway')).toMatchSnapshot();
    expect(objectsOf(mesh, 'ReferenceGrant')[0]).toMatchObject({
      metadata: { namespace: 'shop' },
      spec: { from: [{ kind: 'HTTPRoute', namespace: 'web' }], to: [{ name: 'api' }, { name: 'api-v2' }] },
    });
    recordManifests('routing-http-route', objects, 'cilium-1.20');
  });

  test('the same route renders for Cilium 1.16 (Gateway API v1.1.0) without mirror percent', () => {
    const { mesh, gw } = setup(V1_16);
    new HttpRoute(mesh, 'Route', {
      parents: [RouteParent.gateway(gw)],
      rules: [{
        matches: [{ path: PathMatch.regularExpression('/v[0-9]+/.*') }],
        filters: [HttpRouteFilter.requestMirror(Backend.fromName('default', 'shadow', 80))],
        backends: [{ backend: api, weight: 1 }],
        timeouts: { request: Duration.seconds(10) },
      }],
    });
    expect(objectsOf(mesh, 'ReferenceGrant')[0].apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    recordManifests('routing-http-route-116', gatewayObjects(mesh), 'cilium-1.16');
  });

  test('on Cilium 1.16 timeouts need the experimental HTTPRoute CRD (warning)', () => {
    const { mesh, gw } = setup(V1_16);
    new HttpRoute(mesh, 'Route', { parents: [RouteParent.gateway(gw)], rules: [{ backends: [{ backend: api }], timeouts: { request: Duration.seconds(1) } }] });
    expect(mesh.warnings).toContainEqual(expect.stringMatching(/mesh\/Route: Cilium 1.16 uses Gateway API v1.1.0, where HTTPRoute timeouts exist only in the experimental-channel CRD/));
  });

  test('a route in another namespace gets parentRefs.namespace; hostnames on Service parents warn', () => {
    const { mesh, gw } = setup({}, 'edge');
    new HttpRoute(mesh, 'Team', { namespace: 'team-a', parents: [RouteParent.gateway(gw)], rules: [{ backends: [{ backend: Backend.fromName('team-a', 'web', 80) }] }] });
    expect(objectsOf(mesh, 'HTTPRoute')[0].spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, namespace: 'edge' }]);
    new HttpRoute(mesh, 'Gamma', { namespace: 'team-a', hostnames: ['web.example.com'], parents: [RouteParent.service(Backend.fromName('team-a', 'web', 80))], rules: [{ backends: [{ backend: Backend.fromName('team-a', 'web-v2', 80) }] }] });
    expect(mesh.warnings).toContainEqual(expect.stringMatching(/mesh\/Gamma: hostnames are ignored on routes whose parents are Services/));
  });

  test('mirror percent is an error before Cilium 1.20, naming the versions', () => {
    const { mesh, gw } = setup(V1_16);
    expect(() => new HttpRoute(mesh, 'Route', {
      parents: [RouteParent.gateway(gw)],
      rules: [{ filters: [HttpRouteFilter.requestMirror(api, { percent: 5 })], backends: [{ backend: api }] }],
    })).toThrow(/mirror percent 5 needs the RequestMirror 'percent' field \(Gateway API v1.3\+.*Cilium 1.16.*Gateway API v1.1.0.*\[at mesh\/Route\]/);
  });

  test('a rule needs a backend or a redirect', () => {
    expect(() => route([{ matches: [{ path: PathMatch.pathPrefix('/x') }] }])).toThrow(
      /rule 0 has no backend and no redirect.*add backends or a RequestRedirect filter \[at mesh\/Route\]/,
    );
    expect(() => route([{ backends: [{ backend: api }], filters: [HttpRouteFilter.requestRedirect({ scheme: 'https' })] }])).toThrow(
      /rule 0 has both backends and a RequestRedirect filter/,
    );
  });

  test('a filter type other than RequestMirror appears at most once per rule', () => {
    expect(() => route([{
      filters: [HttpRouteFilter.requestHeaderModifier({ set: { a: '1' } }), HttpRouteFilter.requestHeaderModifier({ set: { b: '2' } })],
      backends: [{ backend: api }],
    }])).toThrow(/rule 0 has 2 RequestHeaderModifier filters, Gateway API allows one per rule; merge them into one \[at mesh\/Route\]/);
  });

  test('one condition per header name in a match', () => {
    expect(() => route([{
      matches: [{ headers: [HeaderMatch.exact('X-Canary', 'true'), HeaderMatch.exact('x-canary', 'yes')] }],
      backends: [{ backend: api }],
    }])).toThrow(/a match has two header conditions on 'x-canary' \(Gateway API allows one per name\).*\[at mesh\/Route\]/);
  });

  test('weights: whole numbers, at least one above zero', () => {
    expect(() => route([{ backends: [{ backend: api, weight: 0 }] }])).toThrow(/rule 0: all backend weights are 0 \(0\).*\[at mesh\/Route\]/);
    expect(() => route([{ backends: [{ backend: api, weight: 0.5 }] }])).toThrow(/backend weight must be a whole number from 0 to 1000000, got 0.5/);
  });

  test('hostnames: no ports, wildcard only leftmost', () => {
    expect(() => route([{ backends: [{ backend: api }] }], { hostnames: ['shop.example.com:443'] })).toThrow(
      /HTTPRoute hostname must not contain a port, got 'shop.example.com:443'.*\[at mesh\/Route\]/,
    );
    expect(() => route([{ backends: [{ backend: api }] }], { hostnames: ['shop.*.com'] })).toThrow(/only as the whole leftmost label/);
  });

  test('timeouts: Gateway API duration format, backendRequest <= request', () => {
    expect(() => route([{ backends: [{ backend: api }], timeouts: { request: Duration.millis(2.5) } }])).toThrow(
      /timeouts.request must be a whole number of milliseconds.*\[at mesh\/Route\]/,
    );
    expect(() => route([{ backends: [{ backend: api }], timeouts: { request: Duration.seconds(1), backendRequest: Duration.seconds(2) } }])).toThrow(
      /timeouts.backendRequest \(2s\) must not exceed timeouts.request \(1s\)/,
    );
  });

  test('ReplacePrefixMatch needs exactly one PathPrefix match', () => {
    expect(() => route([{
      matches: [{ path: PathMatch.exact('/a') }],
      filters: [HttpRouteFilter.urlRewrite({ path: PathModifier.replacePrefixMatch('/b') })],
      backends: [{ backend: api }],
    }])).toThrow(/rule 0 uses ReplacePrefixMatch, which needs exactly one match with a PathPrefix path/);
  });

  test('a rule shadowed by an earlier regex gets a warning citing Cilium ordering', () => {
    const mesh = route([
      { matches: [{ path: PathMatch.regularExpression('/impl.*') }], backends: [{ backend: api }] },
      { matches: [{ path: PathMatch.pathPrefix('/impl') }], backends: [{ backend: Backend.fromName('shop', 'impl', 80) }] },
    ]);
    expect(mesh.warnings).toContainEqual(expect.stringMatching(
      /mesh\/Route: rule 1 match PathPrefix '\/impl' is shadowed by rule 0 RegularExpression '\/impl\.\*'.*cilium\/cilium#28852.*reorder or narrow the rules/,
    ));
  });

  test('cannot attach: hostname mismatch', () => {
    expect(() => route([{ backends: [{ backend: api }] }], { hostnames: ['shop.other.org'] })).toThrow(
      /HTTPRoute cannot attach to Gateway mesh\/Gw: listener 'http': hostname '\*.example.com' matches none of the route's hostnames \(shop.other.org\).*\[at mesh\/Route\]/,
    );
  });

  test('cannot attach: namespace not allowed, unknown listener, wrong protocol', () => {
    const mesh = meshFor();
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http(), Listener.tlsPassthrough()] });
    expect(() => new HttpRoute(mesh, 'Other', { namespace: 'team-a', parents: [RouteParent.gateway(gw, 'http')], rules: [{ backends: [{ backend: api }] }] })).toThrow(
      /listener 'http': allows routes from namespace 'default' only \(allowedRoutes Same\), route is in 'team-a'/,
    );
    expect(() => new HttpRoute(mesh, 'Missing', { parents: [RouteParent.gateway(gw, 'https')], rules: [{ backends: [{ backend: api }] }] })).toThrow(
      /listener 'https' does not exist on Gateway mesh\/Gw \(listeners: http, tls\)/,
    );
    expect(() => new HttpRoute(mesh, 'Tls', { parents: [RouteParent.gateway(gw, 'tls')], rules: [{ backends: [{ backend: api }] }] })).toThrow(
      /TLS listeners take TLSRoute, not HTTPRoute/,
    );
  });

  test('requires Gateway API on the install', () => {
    const mesh = meshFor({ gatewayApi: false });
    expect(() => new HttpRoute(mesh, 'R', { parents: [RouteParent.service(api)], rules: [{ backends: [{ backend: api }] }] })).toThrow(
      /HTTPRoute needs Cilium's Gateway API controller.*gatewayApi: true/,
    );
  });

  test('synthesizing twice gives identical output', () => {
    const build = () => gatewayObjects(route([{ backends: [{ backend: api, weight: 3 }, { backend: Backend.fromName('b', 'c', 1), weight: 1 }] }]));
    expect(JSON.stringify(build())).toEqual(JSON.stringify(build()));
  });
});
