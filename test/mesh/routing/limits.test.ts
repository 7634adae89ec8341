/**
 * CRD limits at synth (issue #13, items 1-5): what the API server or Envoy would refuse at deploy is refused here,
 * with the construct path. The limits come from lib/imports/crd-limits.ts, generated from the CRD schemas.
 */
import { Token } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import {
  Backend,
  CanaryRelease,
  chainingProfile,
  CiliumVersion,
  GatewayApiChannel,
  ServiceMesh,
  Gateway,
  GrpcRoute,
  HeaderMatch,
  HttpMethod,
  HttpRoute,
  HttpRouteFilter,
  Listener,
  PathMatch,
  PathModifier,
  QueryParamMatch,
  RedirectStatusCode,
  ParentRef,
  type HttpRouteRule,
} from '../../../lib';
import { CRD_LIMITS } from '../../../lib/imports/crd-limits';
import { recordManifests } from '../../util/record';
import { meshFor, objectsOf } from './util';

const svc = (name: string, ns = 'default') => Backend.fromName(ns, name, 80);
const gamma = () => ParentRef.service(svc('front'));
const route = (rule: HttpRouteRule) => {
  const mesh = meshFor();
  new HttpRoute(mesh, 'R', { parentRefs: [gamma()], rules: [rule] });
  return mesh;
};
const withMatch = (m: HttpRouteRule['matches']) => ({ matches: m, backendRefs: [{ backend: svc('b') }] });

describe('generated CRD limits', () => {
  test('come from the schemas of every release a line renders for', () => {
    expect(CRD_LIMITS.HTTPRoute['spec.rules[].matches[].headers[].value']).toMatchObject({
      minLength: 1,
      maxLength: 4096,
    });
    expect(CRD_LIMITS.HTTPRoute['spec.rules[].matches[].queryParams[].value']).toMatchObject({
      minLength: 1,
      maxLength: 1024,
    });
    expect(CRD_LIMITS.ReferenceGrant['spec.to'].maxItems).toBe(16);
    expect(CRD_LIMITS.CiliumNetworkPolicy['spec.ingress[].toPorts[].ports'].maxItems).toBe(40);
    // TLSRoute allows 1024 hostnames in v1.6.1 but 16 in v1.1.0: the strictest wins.
    expect(CRD_LIMITS.TLSRoute['spec.hostnames'].maxItems).toBe(16);
    const charset = CRD_LIMITS.HTTPRoute['spec.rules[].matches[].path'].cel.find((r) => r.check === 'matches');
    expect(charset).toMatchObject({ field: 'value', whenType: ['Exact', 'PathPrefix'] });
  });
});

describe('header and query parameter matches', () => {
  test('values must be 1-4096 (headers) and 1-1024 (query) characters', () => {
    expect(() => route(withMatch([{ headers: [HeaderMatch.exact('x-a', '')] }]))).toThrow(
      /^header 'x-a' value must be 1 to 4096 characters long, got 0 \(''\); pass a non-empty value.* \[at mesh\/R\]$/,
    );
    expect(() => route(withMatch([{ headers: [HeaderMatch.exact('x-a', 'x'.repeat(4097))] }]))).toThrow(
      /^header 'x-a' value must be 1 to 4096 characters long, got 4097; .* \[at mesh\/R\]$/,
    );
    expect(() => route(withMatch([{ queryParams: [QueryParamMatch.exact('q', '')] }]))).toThrow(
      /^query parameter 'q' value must be 1 to 1024 characters long, got 0/,
    );
    expect(() => route(withMatch([{ queryParams: [QueryParamMatch.exact('q', 'x'.repeat(1025))] }]))).toThrow(
      /^query parameter 'q' value must be 1 to 1024 characters long, got 1025; .* \[at mesh\/R\]$/,
    );
    route(
      withMatch([
        {
          headers: [HeaderMatch.exact('x-a', 'x'.repeat(4096))],
          queryParams: [QueryParamMatch.exact('q', 'x'.repeat(1024))],
        },
      ]),
    );
    // The experimental channel's pattern (visible ASCII, single spaces or tabs between words) holds on every channel.
    expect(() => route(withMatch([{ headers: [HeaderMatch.exact('x-a', 'a  b')] }]))).toThrow(
      /^header 'x-a' value must match \^\[!-~\]\+\(\[\\t \]\?\[!-~\]\+\)\*\$ \(CRD schema\), got 'a {2}b'/,
    );
  });

  test('at most 16 headers and query parameters per match, also after canary targeting adds one', () => {
    const headers = Array.from({ length: 16 }, (_, i) => HeaderMatch.exact(`x-h${i}`, '1'));
    const mesh = meshFor();
    expect(
      () =>
        new CanaryRelease(mesh, 'C', {
          parentRef: gamma(),
          stable: svc('s'),
          canary: svc('c'),
          canaryWeight: 10,
          matches: [{ headers }],
          canaryWhen: [HeaderMatch.exact('x-canary', 'true')],
        }),
    ).toThrow(/^a match's headers: the CRD allows at most 16, got 17; match on fewer headers \[at mesh\/C\/Route\]$/);
    const query = Array.from({ length: 17 }, (_, i) => QueryParamMatch.exact(`q${i}`, '1'));
    expect(() => route(withMatch([{ queryParams: query }]))).toThrow(
      /^a match's query parameters: the CRD allows at most 16, got 17/,
    );
    recordManifests('routing-limits-16-headers', objectsOf(route(withMatch([{ headers }])), 'HTTPRoute'));
  });

  test('regular expressions are RE2: (?i) is accepted, lookarounds and back-references are refused', () => {
    expect(() => route(withMatch([{ path: PathMatch.regularExpression('/(?!internal).*') }]))).toThrow(
      /^regular expression path '\/\(\?!internal\)\.\*' is not an RE2 regular expression \(invalid or unsupported Perl syntax: `\(\?!`\).* \[at mesh\/R\]$/,
    );
    expect(() => route(withMatch([{ headers: [HeaderMatch.regularExpression('x-a', '(a)\\1')] }]))).toThrow(
      /^header 'x-a' pattern '\(a\)\\1' is not an RE2 regular expression \(invalid escape sequence/,
    );
    expect(() => route(withMatch([{ headers: [HeaderMatch.regularExpression('x-a', '[')] }]))).toThrow(
      /pattern '\[' is not an RE2 regular expression \(missing closing \]/,
    );
    expect(() => route(withMatch([{ queryParams: [QueryParamMatch.regularExpression('q', '*')] }]))).toThrow(
      /query parameter 'q' pattern '\*' is not an RE2 regular expression \(missing argument to repetition operator/,
    );
    expect(() => route(withMatch([{ path: PathMatch.regularExpression('/a{1001}') }]))).toThrow(/invalid repeat count/);
    const ok = route(
      withMatch([
        { path: PathMatch.regularExpression('(?i)/api'), headers: [HeaderMatch.regularExpression('x-a', '(?i)yes|y')] },
      ]),
    );
    expect(objectsOf(ok, 'HTTPRoute')[0].spec.rules[0].matches[0].path).toEqual({
      type: 'RegularExpression',
      value: '(?i)/api',
    });
    recordManifests('routing-limits-re2-inline-flag', objectsOf(ok, 'HTTPRoute'));
  });

  test("Exact and PathPrefix paths follow the CRD's CEL rules (character set included)", () => {
    for (const [path, rule] of [
      ['/a b', 'must only contain valid characters'],
      ['/café', 'must only contain valid characters'],
      ['/search?q=1', 'must only contain valid characters'],
      ['/a/..', "must not end with '/..'"],
      ['/a%2Fb', "must not contain '%2F'"],
    ]) {
      expect(() => route(withMatch([{ path: PathMatch.exact(path) }]))).toThrow(
        new RegExp(`^Exact path '.*': ${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* \\[at mesh/R\\]$`),
      );
    }
    expect(() => route(withMatch([{ path: PathMatch.pathPrefix('/a b') }]))).toThrow(
      /^PathPrefix path '\/a b': must only contain valid characters .*percent-encode/,
    );
    recordManifests(
      'routing-limits-encoded-path',
      objectsOf(route(withMatch([{ path: PathMatch.pathPrefix('/a%20b/caf%C3%A9') }])), 'HTTPRoute'),
    );
  });

  test('JavaScript callers cannot pass a method outside HttpMethod', () => {
    expect(() => route(withMatch([{ method: 'get' as HttpMethod }]))).toThrow(
      /^match method must be one of 'GET', 'HEAD', .*, got 'get'; use the enum's constants \[at mesh\/R\]$/,
    );
  });
});

describe('rule, route and filter counts', () => {
  test('at most 16 backends, filters and hostnames', () => {
    const backends = Array.from({ length: 17 }, (_, i) => ({ backend: svc(`b${i}`) }));
    expect(() => route({ backendRefs: backends })).toThrow(
      /^rule 0 backendRefs: the CRD allows at most 16, got 17; .* \[at mesh\/R\]$/,
    );
    const mirrors = Array.from({ length: 17 }, (_, i) => HttpRouteFilter.requestMirror(svc(`m${i}`)));
    expect(() => route({ filters: mirrors, backendRefs: [{ backend: svc('b') }] })).toThrow(
      /^rule 0 filters: the CRD allows at most 16, got 17/,
    );
    const mesh = meshFor();
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
    const hostnames = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    expect(
      () =>
        new HttpRoute(mesh, 'H', {
          parentRefs: [ParentRef.gateway(gw)],
          hostnames,
          rules: [{ backendRefs: [{ backend: svc('b') }] }],
        }),
    ).toThrow(/^HTTPRoute hostnames: the CRD allows at most 16, got 17; .* \[at mesh\/H\]$/);
    expect(
      () => new GrpcRoute(mesh, 'G', { parentRefs: [ParentRef.gateway(gw)], rules: [{ backendRefs: backends }] }),
    ).toThrow(/^rule 0 backendRefs: the CRD allows at most 16, got 17; .* \[at mesh\/G\]$/);
    recordManifests(
      'routing-limits-16-backends',
      objectsOf(route({ backendRefs: backends.slice(0, 16) }), 'HTTPRoute'),
    );
  });

  test('header modifiers: at most 16 entries per operation, values 1-4096 characters', () => {
    const set = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x-h${i}`, '1']));
    expect(() =>
      route({ filters: [HttpRouteFilter.requestHeaderModifier({ set })], backendRefs: [{ backend: svc('b') }] }),
    ).toThrow(/^header modifier set: the CRD allows at most 16, got 17; .* \[at mesh\/R\]$/);
    expect(() =>
      route({
        filters: [HttpRouteFilter.responseHeaderModifier({ add: { 'x-a': '' } })],
        backendRefs: [{ backend: svc('b') }],
      }),
    ).toThrow(
      /^header modifier add 'x-a' value must be 1 to 4096 characters long, got 0 \(''\); pass a non-empty value \(use remove to drop a header\) \[at mesh\/R\]$/,
    );
    expect(() =>
      route({ filters: [HttpRouteFilter.requestHeaderModifier({})], backendRefs: [{ backend: svc('b') }] }),
    ).toThrow(/^header modifier changes nothing; .* \[at mesh\/R\]$/);
  });

  test('filter options are checked at render and name the route', () => {
    expect(() => route({ filters: [HttpRouteFilter.requestRedirect({ port: 0 })] })).toThrow(
      /^redirect port must be an integer from 1 to 65535, got 0.* \[at mesh\/R\]$/,
    );
    expect(() =>
      route({ filters: [HttpRouteFilter.requestRedirect({ path: PathModifier.replaceFullPath('v2') })] }),
    ).toThrow(/^path modifier value must start with '\/', got 'v2'.* \[at mesh\/R\]$/);
    expect(() =>
      route({ filters: [HttpRouteFilter.requestRedirect({ statusCode: 300 as RedirectStatusCode })] }),
    ).toThrow(
      /^redirect status code must be one of 301, 302, 303, 307, 308 on Cilium 1.20 \(its Gateway API CRD\), got 300; .* \[at mesh\/R\]$/,
    );
    // Gateway API v1.1.0 (Cilium 1.16) knows 301 and 302 only.
    const old = meshFor({ version: CiliumVersion.V1_16 });
    expect(
      () =>
        new HttpRoute(old, 'R', {
          parentRefs: [gamma()],
          rules: [
            { filters: [HttpRouteFilter.requestRedirect({ statusCode: RedirectStatusCode.PERMANENT_REDIRECT_308 })] },
          ],
        }),
    ).toThrow(
      /^redirect status code must be one of 301, 302 on Cilium 1.16 \(its Gateway API CRD\), got 308; .* \[at mesh\/R\]$/,
    );
    expect(() =>
      route({
        filters: [HttpRouteFilter.requestMirror(svc('m'), { percent: 101 })],
        backendRefs: [{ backend: svc('b') }],
      }),
    ).toThrow(/^mirror percent must be a whole number from 0 to 100, got 101; pass e.g. 5 \[at mesh\/R\]$/);
    expect(() =>
      route({
        filters: [HttpRouteFilter.urlRewrite({ hostname: '*.example.com' })],
        backendRefs: [{ backend: svc('b') }],
      }),
    ).toThrow(/^rewrite hostname may use '\*' only as the whole leftmost label \(not at all here\).* \[at mesh\/R\]$/);
  });
});

describe('Gateway infrastructure annotations', () => {
  test("the source ranges annotation stays within the CRD's 4096 characters", () => {
    const ranges = Array.from({ length: 400 }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`);
    expect(
      () => new Gateway(meshFor(), 'Gw', { listeners: [Listener.http()], loadBalancer: { sourceRanges: ranges } }),
    ).toThrow(
      /^Gateway infrastructure annotation 'service.beta.kubernetes.io\/load-balancer-source-ranges' must be 0 to 4096 characters long, got \d+; use fewer or wider source ranges \[at mesh\/Gw\]$/,
    );
  });
});

describe('CDK tokens in numeric props', () => {
  test('get an error that says tokens are not supported, with the path', () => {
    const token = Token.asNumber({ Ref: 'Weight' });
    expect(() => route({ backendRefs: [{ backend: svc('b'), weight: token }] })).toThrow(
      /^rule 0: backend weight is an unresolved CDK token; .*pass a literal number \[at mesh\/R\]$/,
    );
    expect(() => route({ backendRefs: [{ backend: Backend.fromName('default', 'b', token) }] })).toThrow(
      /^backend port is an unresolved CDK token/,
    );
    const mesh = meshFor();
    expect(
      () =>
        new CanaryRelease(mesh, 'C', { parentRef: gamma(), stable: svc('s'), canary: svc('c'), canaryWeight: token }),
    ).toThrow(/^canary weight is an unresolved CDK token; .* \[at mesh\/C\]$/);
  });
});

describe('CiliumVersion.of on the mesh profile', () => {
  test('an invalid version is refused by the mesh, with its path', () => {
    expect(
      () =>
        new ServiceMesh(Testing.app(), 'mesh', {
          cilium: chainingProfile({
            version: CiliumVersion.of('1.020.0'),
            gatewayApi: true,
            gatewayApiChannel: GatewayApiChannel.STANDARD,
          }),
        }),
    ).toThrow(
      /^Cilium version must be MAJOR.MINOR.PATCH \(SemVer 2.0.0: no leading zeros, e.g. '1.20.0'\), got '1.020.0'; .* \[at mesh\]$/,
    );
  });
});
