import { Duration } from 'aws-cdk-lib';
import {
  AllowedRoutes,
  Backend,
  Gateway,
  HeaderMatch,
  HttpMethod,
  HttpRoute,
  HttpRouteFilter,
  Listener,
  PathMatch,
  PathModifier,
  CiliumVersion,
  GatewayApiChannel,
  QueryParamMatch,
  RedirectScheme,
  RedirectStatusCode,
  ParentRef,
  type HttpRouteRule,
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
  new HttpRoute(mesh, 'Route', { parentRefs: [ParentRef.gateway(gw)], rules, ...extra });
  return mesh;
}

describe('HttpRoute', () => {
  test('every match kind and filter, weighted backends, timeouts, cross-namespace grant', () => {
    const { mesh, gw } = setup({}, 'web');
    new HttpRoute(mesh, 'Shop', {
      parentRefs: [ParentRef.gateway(gw, 'http')],
      hostnames: ['shop.example.com'],
      rules: [
        {
          matches: [
            { path: PathMatch.exact('/healthz'), method: HttpMethod.GET },
            {
              path: PathMatch.regularExpression('/items/[0-9]+'),
              queryParams: [QueryParamMatch.exact('view', 'full')],
            },
          ],
          filters: [
            HttpRouteFilter.requestHeaderModifier({
              set: { 'x-env': 'prod' },
              add: { 'x-via': 'gw' },
              remove: ['x-debug'],
            }),
            HttpRouteFilter.responseHeaderModifier({ set: { 'cache-control': 'no-store' } }),
            HttpRouteFilter.requestMirror(Backend.fromName('web', 'shadow', 80), { percent: 5 }),
          ],
          backendRefs: [
            { backend: api, weight: 90 },
            { backend: Backend.fromName('shop', 'api-v2', 8080), weight: 10 },
          ],
          timeouts: { request: Duration.seconds(3), backendRequest: Duration.millis(1500) },
        },
        {
          matches: [
            {
              path: PathMatch.pathPrefix('/old'),
              headers: [HeaderMatch.regularExpression('user-agent', '.*Mobile.*')],
            },
          ],
          filters: [
            HttpRouteFilter.urlRewrite({ hostname: 'new.example.com', path: PathModifier.replacePrefixMatch('/new') }),
          ],
          backendRefs: [{ backend: api }],
        },
        {
          matches: [{ path: PathMatch.pathPrefix('/legacy') }],
          filters: [
            HttpRouteFilter.requestRedirect({
              scheme: RedirectScheme.HTTPS,
              hostname: 'www.example.com',
              statusCode: RedirectStatusCode.MOVED_PERMANENTLY_301,
              path: PathModifier.replaceFullPath('/'),
            }),
          ],
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
      parentRefs: [ParentRef.gateway(gw)],
      rules: [
        {
          matches: [{ path: PathMatch.regularExpression('/v[0-9]+/.*') }],
          filters: [HttpRouteFilter.requestMirror(Backend.fromName('default', 'shadow', 80))],
          backendRefs: [{ backend: api, weight: 1 }],
          timeouts: { request: Duration.seconds(10) },
        },
      ],
    });
    expect(objectsOf(mesh, 'ReferenceGrant')[0].apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    recordManifests('routing-http-route-116', gatewayObjects(mesh), 'cilium-1.16');
  });

  test('on Cilium 1.16 timeouts need the experimental HTTPRoute CRD (warning with standard-channel CRDs only)', () => {
    const rules = [{ backendRefs: [{ backend: api }], timeouts: { request: Duration.seconds(1) } }];
    const standard = setup({ ...V1_16, gatewayApiChannel: GatewayApiChannel.STANDARD });
    new HttpRoute(standard.mesh, 'Route', { parentRefs: [ParentRef.gateway(standard.gw)], rules });
    expect(standard.mesh.warnings).toContainEqual(
      expect.stringMatching(
        /mesh\/Route: HTTPRoute timeouts needs Cilium 1.16\+ and Gateway API v1.2.0\+ \(standard channel\) or Gateway API v1.0.0\+ with the experimental-channel CRDs \(GEP-1742.*\); this install: Cilium 1.16 with Gateway API v1.1.0 standard; install the experimental HTTPRoute CRD/,
      ),
    );
    // The default channel of 1.16 is experimental (TLSRoute), whose HTTPRoute CRD has timeouts.
    const experimental = setup(V1_16);
    new HttpRoute(experimental.mesh, 'Route', { parentRefs: [ParentRef.gateway(experimental.gw)], rules });
    expect(experimental.mesh.warnings.filter((w) => /timeouts/.test(w))).toEqual([]);
  });

  test('a route in another namespace gets parentRefs.namespace; hostnames on Service parents warn', () => {
    const { mesh, gw } = setup({}, 'edge');
    new HttpRoute(mesh, 'Team', {
      namespace: 'team-a',
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: Backend.fromName('team-a', 'web', 80) }] }],
    });
    expect(objectsOf(mesh, 'HTTPRoute')[0].spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, namespace: 'edge' },
    ]);
    new HttpRoute(mesh, 'Gamma', {
      namespace: 'team-a',
      hostnames: ['web.example.com'],
      parentRefs: [ParentRef.service(Backend.fromName('team-a', 'web', 80))],
      rules: [{ backendRefs: [{ backend: Backend.fromName('team-a', 'web-v2', 80) }] }],
    });
    expect(mesh.warnings).toContainEqual(
      expect.stringMatching(/mesh\/Gamma: hostnames are ignored on routes whose parents are Services/),
    );
  });

  test('mirror percent needs Cilium 1.18+ with CRDs that have the field (the feature table), naming the versions', () => {
    const rules = [{ filters: [HttpRouteFilter.requestMirror(api, { percent: 5 })], backendRefs: [{ backend: api }] }];
    const old = setup(V1_16);
    expect(() => new HttpRoute(old.mesh, 'Route', { parentRefs: [ParentRef.gateway(old.gw)], rules })).toThrow(
      /^mirror percent 5: RequestMirror percent needs Cilium 1.18\+ and Gateway API v1.3.0\+ \(standard channel\) or Gateway API v1.2.0\+ with the experimental-channel CRDs \(GEP-3171.*\); this install: Cilium 1.16 with Gateway API v1.1.0 experimental; without the field every request would be mirrored, so drop 'percent' or upgrade Cilium \[at mesh\/Route\]$/,
    );
    const v17 = setup({ version: CiliumVersion.V1_17 });
    expect(() => new HttpRoute(v17.mesh, 'Route', { parentRefs: [ParentRef.gateway(v17.gw)], rules })).toThrow(
      /this install: Cilium 1.17 with Gateway API v1.2.0 standard/,
    );
    const v18 = setup({ version: CiliumVersion.V1_18 });
    new HttpRoute(v18.mesh, 'Route', { parentRefs: [ParentRef.gateway(v18.gw)], rules });
    expect(objectsOf(v18.mesh, 'HTTPRoute')[0].spec.rules[0].filters[0].requestMirror.percent).toBe(5);
  });

  test('a rule needs a backend or a redirect', () => {
    expect(() => route([{ matches: [{ path: PathMatch.pathPrefix('/x') }] }])).toThrow(
      /rule 0 has no backend and no redirect.*add backendRefs or a RequestRedirect filter \[at mesh\/Route\]/,
    );
    expect(() =>
      route([
        {
          backendRefs: [{ backend: api }],
          filters: [HttpRouteFilter.requestRedirect({ scheme: RedirectScheme.HTTPS })],
        },
      ]),
    ).toThrow(/rule 0 has both backendRefs and a RequestRedirect filter/);
  });

  test('a filter type other than RequestMirror appears at most once per rule', () => {
    expect(() =>
      route([
        {
          filters: [
            HttpRouteFilter.requestHeaderModifier({ set: { a: '1' } }),
            HttpRouteFilter.requestHeaderModifier({ set: { b: '2' } }),
          ],
          backendRefs: [{ backend: api }],
        },
      ]),
    ).toThrow(
      /rule 0 has 2 RequestHeaderModifier filters, Gateway API allows one per rule; merge them into one \[at mesh\/Route\]/,
    );
  });

  test('one condition per header name in a match', () => {
    expect(() =>
      route([
        {
          matches: [{ headers: [HeaderMatch.exact('X-Canary', 'true'), HeaderMatch.exact('x-canary', 'yes')] }],
          backendRefs: [{ backend: api }],
        },
      ]),
    ).toThrow(
      /a match has two header conditions on 'x-canary' \(Gateway API allows one per name\).*\[at mesh\/Route\]/,
    );
  });

  test('weights: whole numbers, at least one above zero', () => {
    expect(() => route([{ backendRefs: [{ backend: api, weight: 0 }] }])).toThrow(
      /rule 0: all backend weights are 0 \(0\).*\[at mesh\/Route\]/,
    );
    expect(() => route([{ backendRefs: [{ backend: api, weight: 0.5 }] }])).toThrow(
      /backend weight must be a whole number from 0 to 1000000, got 0.5/,
    );
  });

  test('hostnames: no ports, wildcard only leftmost', () => {
    expect(() => route([{ backendRefs: [{ backend: api }] }], { hostnames: ['shop.example.com:443'] })).toThrow(
      /HTTPRoute hostname must not contain a port, got 'shop.example.com:443'.*\[at mesh\/Route\]/,
    );
    expect(() => route([{ backendRefs: [{ backend: api }] }], { hostnames: ['shop.*.com'] })).toThrow(
      /only as the whole leftmost label/,
    );
  });

  test('timeouts: Gateway API duration format, backendRequest <= request', () => {
    expect(() => route([{ backendRefs: [{ backend: api }], timeouts: { request: Duration.millis(2.5) } }])).toThrow(
      /timeouts.request must be a whole number of milliseconds.*\[at mesh\/Route\]/,
    );
    expect(() =>
      route([
        {
          backendRefs: [{ backend: api }],
          timeouts: { request: Duration.seconds(1), backendRequest: Duration.seconds(2) },
        },
      ]),
    ).toThrow(/timeouts.backendRequest \(2s\) must not exceed timeouts.request \(1s\)/);
  });

  test('ReplacePrefixMatch needs exactly one PathPrefix match', () => {
    expect(() =>
      route([
        {
          matches: [{ path: PathMatch.exact('/a') }],
          filters: [HttpRouteFilter.urlRewrite({ path: PathModifier.replacePrefixMatch('/b') })],
          backendRefs: [{ backend: api }],
        },
      ]),
    ).toThrow(/rule 0 uses ReplacePrefixMatch, which needs exactly one match with a PathPrefix path/);
  });

  test('a rule shadowed by an earlier regex gets a warning citing Cilium ordering', () => {
    const mesh = route([
      { matches: [{ path: PathMatch.regularExpression('/impl.*') }], backendRefs: [{ backend: api }] },
      {
        matches: [{ path: PathMatch.pathPrefix('/impl') }],
        backendRefs: [{ backend: Backend.fromName('shop', 'impl', 80) }],
      },
    ]);
    expect(mesh.warnings).toContainEqual(
      expect.stringMatching(
        /mesh\/Route: rule 1 match PathPrefix '\/impl' is shadowed by rule 0 RegularExpression '\/impl\.\*'.*cilium\/cilium#28852.*reorder or narrow the rules/,
      ),
    );
  });

  test('cannot attach: hostname mismatch', () => {
    expect(() => route([{ backendRefs: [{ backend: api }] }], { hostnames: ['shop.other.org'] })).toThrow(
      /HTTPRoute cannot attach to Gateway mesh\/Gw: listener 'http': hostname '\*.example.com' matches none of the route's hostnames \(shop.other.org\).*\[at mesh\/Route\]/,
    );
  });

  test('cannot attach: namespace not allowed, unknown listener, wrong protocol', () => {
    const mesh = meshFor();
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http(), Listener.tlsPassthrough()] });
    expect(
      () =>
        new HttpRoute(mesh, 'Other', {
          namespace: 'team-a',
          parentRefs: [ParentRef.gateway(gw, 'http')],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(
      /listener 'http': allows routes from namespace 'default' only \(allowedRoutes Same\), route is in 'team-a'/,
    );
    expect(
      () =>
        new HttpRoute(mesh, 'Missing', {
          parentRefs: [ParentRef.gateway(gw, 'https')],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(/listener 'https' does not exist on Gateway mesh\/Gw \(listeners: http, tls\)/);
    expect(
      () =>
        new HttpRoute(mesh, 'Tls', {
          parentRefs: [ParentRef.gateway(gw, 'tls')],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(/TLS listeners take TLSRoute, not HTTPRoute/);
  });

  test('requires Gateway API on the install', () => {
    const mesh = meshFor({ gatewayApi: false });
    expect(
      () =>
        new HttpRoute(mesh, 'R', {
          parentRefs: [ParentRef.service(api)],
          rules: [{ backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(/HTTPRoute needs Cilium's Gateway API controller.*gatewayApi: true/);
  });

  test('synthesizing twice gives identical output', () => {
    const build = () =>
      gatewayObjects(
        route([
          {
            backendRefs: [
              { backend: api, weight: 3 },
              { backend: Backend.fromName('b', 'c', 1), weight: 1 },
            ],
          },
        ]),
      );
    expect(JSON.stringify(build())).toEqual(JSON.stringify(build()));
  });

  test('rule names (GEP-995): rendered where the CRDs have them, unique, DNS subdomains; a synth error elsewhere', () => {
    const { mesh, gw } = setup({}, undefined);
    new HttpRoute(mesh, 'Named', {
      parentRefs: [ParentRef.gateway(gw)],
      rules: [
        { name: 'canary-split', backendRefs: [{ backend: api }] },
        { backendRefs: [{ backend: api }], matches: [{ path: PathMatch.exact('/x') }] },
      ],
    });
    expect(objectsOf(mesh, 'HTTPRoute')[0].spec.rules.map((r: any) => r.name)).toEqual(['canary-split', undefined]);
    recordManifests('routing-rule-names', gatewayObjects(mesh), 'cilium-1.20');
    expect(
      () =>
        new HttpRoute(mesh, 'Twice', {
          parentRefs: [ParentRef.gateway(gw)],
          rules: [
            { name: 'a', backendRefs: [{ backend: api }] },
            { name: 'a', backendRefs: [{ backend: api }], matches: [{ path: PathMatch.exact('/x') }] },
          ],
        }),
    ).toThrow(/^rules 0 and 1 are both named 'a'; rule names must be unique within a route \[at mesh\/Twice\]$/);
    expect(
      () =>
        new HttpRoute(mesh, 'Bad', {
          parentRefs: [ParentRef.gateway(gw)],
          rules: [{ name: 'Canary_Split', backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(/rule 0 name.*'Canary_Split'.*\[at mesh\/Bad\]$/);
    const v17 = setup({ version: CiliumVersion.V1_17 });
    expect(
      () =>
        new HttpRoute(v17.mesh, 'Named', {
          parentRefs: [ParentRef.gateway(v17.gw)],
          rules: [{ name: 'split', backendRefs: [{ backend: api }] }],
        }),
    ).toThrow(
      /^rule 0 has name 'split', but route rule names needs Gateway API v1.4.0\+ \(standard channel\) or Gateway API v1.2.0\+ with the experimental-channel CRDs \(GEP-995.*\); this install: Cilium 1.17 with Gateway API v1.2.0 standard; drop the name, or install CRDs that have it .*\[at mesh\/Named\]$/,
    );
    const v17x = setup({ version: CiliumVersion.V1_17, gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL });
    new HttpRoute(v17x.mesh, 'Named', {
      parentRefs: [ParentRef.gateway(v17x.gw)],
      rules: [{ name: 'split', backendRefs: [{ backend: api }] }],
    });
    expect(objectsOf(v17x.mesh, 'HTTPRoute')[0].spec.rules[0].name).toBe('split');
  });
});
