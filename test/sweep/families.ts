/**
 * The input families of the property sweep: one fast-check arbitrary of plain data per public area (policy, HTTP
 * routes, Gateways with their routes, canaries, ReferenceGrant fan-in, resilience, Cilium versions, Ingress), and the
 * function that builds the constructs from it. Inputs are plain JSON so that a counterexample prints as it was
 * generated; strings that stand for enums are passed through as they are, as a JavaScript caller could.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import fc from 'fast-check';
import {
  AllowedRoutes,
  Backend,
  CanaryRelease,
  chainingProfile,
  CiliumIngress,
  CiliumVersion,
  ClusterSelector,
  ClusterwidePolicy,
  ConsistentHash,
  DefaultDeny,
  DnsRule,
  Entity,
  Fault,
  Gateway,
  GatewayApiChannel,
  GrpcRoute,
  HeaderMatch,
  HttpMethod,
  HttpRoute,
  HttpRouteFilter,
  HttpRule,
  IngressLoadBalancerMode,
  IngressPathType,
  Listener,
  LoadBalancer,
  LoadBalancerScheme,
  NlbTargetType,
  PathMatch,
  PathModifier,
  Peer,
  Port,
  Protocol,
  QueryParamMatch,
  RedirectScheme,
  RedirectStatusCode,
  ResiliencePolicy,
  ResilienceTarget,
  RetryOn,
  ParentRef,
  ServiceMesh,
  TlsRoute,
  Workload,
  type AllowOptions,
  type HttpRouteRule,
  type IBackend,
  type IMeshPeer,
} from '../../lib';
import {
  cidr,
  dnsLabel,
  durationMs,
  fqdn,
  fqdnPattern,
  headerName,
  headerValue,
  hostname,
  labels,
  listAround,
  mostly,
  name,
  path,
  opt,
  portNumber,
  rare,
  regex,
  versionString,
  wholeIn,
} from './arbitraries';

/** The upstream reference set an accepted input's objects are validated against (as in .ci/run). */
export type Target = 'cilium-1.20' | 'cilium-1.16' | 'cilium-1.20-experimental';

/** What building an input produced: the objects and the reference set they are checked against. */
export interface Built {
  readonly target: Target;
  readonly objects: unknown[];
}

export interface Family {
  readonly name: string;
  /** Inputs per seed. */
  readonly runs: number;
  readonly input: fc.Arbitrary<unknown>;
  build(input: any): Built;
}

// ------------------------------------------------------------------------------------------------- shared pieces

/** A CDK number token now and then, where a number prop is expected. */
const TOKEN = 'TOKEN';
const num = (v: number | string): number => (v === TOKEN ? Token.asNumber({ Ref: 'Param' }) : (v as number));
const numberOrToken = (a: fc.Arbitrary<number>) => mostly<number | string>(a, fc.constant(TOKEN), 40);

const minor = fc.constantFrom(20, 20, 20, 16);

/** An enum's values, and now and then a string only a JavaScript caller could pass. */
const jsEnum = (values: readonly (string | number)[], wrong: readonly (string | number)[]) =>
  mostly<string | number>(fc.constantFrom(...values), fc.constantFrom(...wrong));
/** An empty list, typed as any list (for the "none at all" cases). */
const none = <T>() => fc.constant<T[]>([]);
const versionOf = (m: number) => (m === 16 ? CiliumVersion.V1_16 : CiliumVersion.V1_20);
const targetOf = (m: number): Target => (m === 16 ? 'cilium-1.16' : 'cilium-1.20');

function meshFor(m: number, options: Parameters<typeof chainingProfile>[0] = {}): ServiceMesh {
  return new ServiceMesh(new App(), 'mesh', {
    cilium: chainingProfile({ version: versionOf(m), gatewayApi: true, ...options }),
  });
}

const objectsOf = (mesh: ServiceMesh): unknown[] => mesh.toJson();

interface BackendInput {
  ns: string;
  svc: string;
  port: number | string;
  weight?: number | string;
}
const backendInput = fc.record({
  ns: mostly(fc.constant('default'), name, 3),
  svc: name,
  port: numberOrToken(portNumber),
  weight: opt(numberOrToken(wholeIn(0, 1_000_000))),
});
const backendOf = (b: BackendInput): IBackend => Backend.fromName(b.ns, b.svc, num(b.port));

// -------------------------------------------------------------------------------------------- HTTPRoute matches

const matchInput = fc.record({
  path: opt(
    fc.oneof(fc.tuple(fc.constantFrom('Exact', 'PathPrefix'), path), fc.tuple(fc.constant('RegularExpression'), regex)),
  ),
  headers: listAround(
    fc.tuple(fc.constantFrom('Exact', 'RegularExpression', 'cookie'), headerName, mostly(headerValue, regex, 4)),
    2,
    16,
  ),
  query: listAround(
    fc.tuple(fc.constantFrom('Exact', 'RegularExpression'), headerName, mostly(headerValue, regex, 4)),
    1,
    16,
  ),
  method: opt(jsEnum(Object.values(HttpMethod), ['get', 'PURGE', 'Post'])),
});
type MatchInput = typeof matchInput extends fc.Arbitrary<infer T> ? T : never;

const headerOf = ([t, n, v]: [string, string, string]) =>
  t === 'Exact'
    ? HeaderMatch.exact(n, v)
    : t === 'cookie'
      ? HeaderMatch.cookie(n, v)
      : HeaderMatch.regularExpression(n, v);

function matchOf(m: MatchInput) {
  return {
    path:
      m.path &&
      (m.path[0] === 'Exact'
        ? PathMatch.exact(m.path[1])
        : m.path[0] === 'PathPrefix'
          ? PathMatch.pathPrefix(m.path[1])
          : PathMatch.regularExpression(m.path[1])),
    headers: m.headers.map(headerOf),
    queryParams: m.query.map(([t, n, v]) =>
      t === 'Exact' ? QueryParamMatch.exact(n, v) : QueryParamMatch.regularExpression(n, v),
    ),
    method: m.method as HttpMethod | undefined,
  };
}

const headerMap = listAround(fc.tuple(headerName, headerValue), 2, 16).map((e) => Object.fromEntries(e));
const filterInput = fc.oneof(
  fc.record({
    f: fc.constantFrom('request', 'response', 'request'),
    set: opt(headerMap),
    add: opt(headerMap),
    remove: opt(listAround(headerName, 2, 16)),
  }),
  fc.record({
    f: fc.constantFrom('redirect'),
    scheme: opt(jsEnum(['http', 'https'], ['ftp'])),
    hostname: opt(hostname),
    port: opt(portNumber),
    path: opt(fc.tuple(fc.boolean(), path)),
    status: opt(jsEnum([301, 302, 303, 307, 308], [300, 304])),
  }),
  fc.record({ f: fc.constant('rewrite'), hostname: opt(hostname), path: opt(fc.tuple(fc.boolean(), path)) }),
  fc.record({ f: fc.constant('mirror'), svc: name, percent: opt(wholeIn(0, 100)) }),
);
type FilterInput = typeof filterInput extends fc.Arbitrary<infer T> ? T : never;

function filterOf(f: FilterInput): HttpRouteFilter {
  const modifier = (p?: [boolean, string]) =>
    p && (p[0] ? PathModifier.replaceFullPath(p[1]) : PathModifier.replacePrefixMatch(p[1]));
  switch (f.f) {
    case 'request':
      return HttpRouteFilter.requestHeaderModifier({ set: f.set, add: f.add, remove: f.remove });
    case 'response':
      return HttpRouteFilter.responseHeaderModifier({ set: f.set, add: f.add, remove: f.remove });
    case 'redirect':
      return HttpRouteFilter.requestRedirect({
        scheme: f.scheme as RedirectScheme | undefined,
        hostname: f.hostname,
        port: f.port,
        path: modifier(f.path),
        statusCode: f.status as RedirectStatusCode | undefined,
      });
    case 'rewrite':
      return HttpRouteFilter.urlRewrite({ hostname: f.hostname, path: modifier(f.path) });
    default:
      return HttpRouteFilter.requestMirror(Backend.fromName('default', f.svc, 80), { percent: f.percent });
  }
}

const timeoutsInput = opt(fc.record({ request: opt(durationMs), backendRequest: rare(durationMs) }));
const timeoutsOf = (t?: { request?: number; backendRequest?: number }) =>
  t && {
    request: t.request === undefined ? undefined : Duration.millis(t.request),
    backendRequest: t.backendRequest === undefined ? undefined : Duration.millis(t.backendRequest),
  };

const retryInput = rare(
  fc.record({
    codes: opt(fc.array(wholeIn(400, 599), { maxLength: 3 })),
    attempts: opt(wholeIn(1, 5)),
    backoff: opt(durationMs),
  }),
);

const ruleInput = fc.record({
  /** A rule with a redirect usually has no backends (both is a mistake the library refuses). */
  redirectOnly: mostly(fc.constant(true), fc.constant(false), 8),
  matches: fc.array(matchInput, { maxLength: 2 }),
  filters: mostly(
    fc.array(filterInput, { maxLength: 1 }),
    fc.array(fc.record({ f: fc.constant('mirror'), svc: dnsLabel, percent: fc.constant(undefined) }), {
      minLength: 16,
      maxLength: 17,
    }),
    15,
  ),
  backendRefs: listAround(backendInput, 2, 16, 1),
  timeouts: timeoutsInput,
  retry: retryInput,
});
type RuleInput = typeof ruleInput extends fc.Arbitrary<infer T> ? T : never;

const ruleOf = (r: RuleInput): HttpRouteRule => ({
  matches: r.matches.map(matchOf),
  filters: (r.filters as FilterInput[]).map(filterOf),
  backendRefs:
    r.redirectOnly && (r.filters as FilterInput[]).some((f) => f.f === 'redirect')
      ? []
      : r.backendRefs.map((b: BackendInput) => ({
          backend: backendOf(b),
          weight: b.weight === undefined ? undefined : num(b.weight),
        })),
  timeouts: timeoutsOf(r.timeouts),
  retry: r.retry && {
    codes: r.retry.codes,
    attempts: r.retry.attempts,
    backoff: r.retry.backoff === undefined ? undefined : Duration.millis(r.retry.backoff),
  },
});

// ---------------------------------------------------------------------------------------------------- families

const peerInput = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('entity'),
      v: jsEnum(Object.values(Entity), ['World', 'internet', 'CLUSTER']),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('cidr'), v: cidr, except: rare(fc.oneof(fc.constant('sub'), cidr)) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fqdn'), v: fqdn }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fqdnPattern'), v: fqdnPattern }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('service'), v: name, ns: name }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('workload') }) },
);
type PeerInput = typeof peerInput extends fc.Arbitrary<infer T> ? T : never;

const portInput = fc.record({
  // Ports come in lists, so a wrong protocol string is rarer per port than other wrong values.
  proto: mostly<string | number>(fc.constantFrom(...Object.values(Protocol)), fc.constantFrom('tcp', 'ICMP'), 120),
  port: numberOrToken(portNumber),
  range: rare(mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 70000))),
});
type PortInput = typeof portInput extends fc.Arbitrary<infer T> ? T : never;
const portOf = (p: PortInput): Port => {
  const protocol = p.proto as Protocol;
  const port = num(p.port);
  if (p.range === undefined) return Port.range(protocol, port, port);
  return Port.range(protocol, port, p.range < 0 || p.range > 1000 ? p.range : port + p.range);
};

const httpRuleInput = fc.record({
  method: opt(mostly(fc.constantFrom('GET', 'GET|HEAD', 'POST', 'PUT|PATCH'), regex, 6)),
  path: opt(regex),
  host: opt(mostly(fc.constantFrom('api\\.example\\.com', '(?i)api\\..*', '.*'), regex, 6)),
  headers: opt(fc.dictionary(headerName, headerValue, { maxKeys: 2 })),
});

const policyRuleInput = fc.record({
  op: fc.constantFrom('allowFrom', 'allowTo', 'allowFrom', 'allowTo', 'allowTo', 'denyFrom', 'denyTo'),
  peer: peerInput,
  ports: mostly(listAround(portInput, 3, 40, 1), fc.constant(undefined), 5),
  l7: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.record({ http: fc.array(httpRuleInput, { minLength: 1, maxLength: 2 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        dns: fc.array(fc.tuple(fc.boolean(), mostly(fqdnPattern, fqdn, 1)), { minLength: 1, maxLength: 2 }),
      }),
    },
  ),
  mutualAuth: mostly(fc.constant(false), fc.constant(true), 6),
});

/** A sub-range of an IPv4 network two bits longer (its first quarter), for `except`; other CIDRs as they are. */
function subRange(c: string): string {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(c);
  return m && Number(m[2]) <= 30 ? `${m[1]}/${Number(m[2]) + 2}` : c;
}

const policyFamily: Family = {
  name: 'policy',
  runs: 280,
  input: fc.record({
    minor,
    mutualAuthentication: fc.boolean(),
    ns: name,
    labels: labels(1),
    ports: listAround(portInput, 3, 40),
    rules: fc.array(policyRuleInput, { minLength: 1, maxLength: 3 }),
    deny: mostly(fc.constantFrom('none', 'none', 'namespace', 'workload'), fc.constant('neither'), 20),
    clusterwide: rare(
      fc.record({
        selector: fc.oneof(
          fc.record({ k: fc.constantFrom('namespaces', 'except'), nss: fc.array(name, { maxLength: 2 }) }),
          fc.record({ k: fc.constant('labels'), labels: labels(0) }),
          fc.record({ k: fc.constant('all') }),
        ),
        ingress: fc.boolean(),
        egress: fc.boolean(),
        peer: peerInput,
      }),
    ),
  }),
  build(i) {
    const mesh = meshFor(i.minor, { mutualAuthentication: i.mutualAuthentication });
    const w = new Workload(mesh, 'W', { namespace: i.ns, labels: i.labels, ports: i.ports.map(portOf) });
    const other = new Workload(mesh, 'P', { namespace: 'peers', labels: { app: 'p' }, ports: [Port.tcp(8080)] });
    const peerOf = (p: PeerInput): IMeshPeer => {
      switch (p.k) {
        case 'entity':
          return Peer.entity(p.v as Entity);
        case 'cidr':
          return Peer.cidr(p.v, {
            except: p.except === undefined ? undefined : [p.except === 'sub' ? subRange(p.v) : p.except],
          });
        case 'fqdn':
          return Peer.fqdn(p.v);
        case 'fqdnPattern':
          return Peer.fqdnPattern(p.v);
        case 'service':
          return Peer.service(p.v, p.ns);
        default:
          return other;
      }
    };
    for (const r of i.rules) {
      const ports = r.ports?.map(portOf);
      if (r.op === 'denyFrom' || r.op === 'denyTo') {
        w[r.op as 'denyFrom' | 'denyTo'](peerOf(r.peer), { ports });
        continue;
      }
      const options: AllowOptions = {
        ports,
        mutualAuth: r.mutualAuth,
        http: r.l7?.http?.map(
          (h: { method?: string; path?: string; host?: string; headers?: Record<string, string> }) => HttpRule.of(h),
        ),
        dns: r.l7?.dns?.map(([pattern, v]: [boolean, string]) =>
          pattern ? DnsRule.matchPattern(v) : DnsRule.matchName(v),
        ),
      };
      w[r.op as 'allowFrom' | 'allowTo'](peerOf(r.peer), options);
    }
    if (i.deny === 'namespace') new DefaultDeny(mesh, 'Deny', { namespace: i.ns });
    if (i.deny === 'workload') new DefaultDeny(mesh, 'Deny', { workload: w, ingress: true, egress: false });
    if (i.deny === 'neither') new DefaultDeny(mesh, 'Deny', { namespace: i.ns, ingress: false, egress: false });
    if (i.clusterwide) {
      const c = i.clusterwide;
      const selector =
        c.selector.k === 'namespaces'
          ? ClusterSelector.namespaces(...c.selector.nss)
          : c.selector.k === 'except'
            ? ClusterSelector.allNamespacesExcept(...c.selector.nss)
            : c.selector.k === 'labels'
              ? ClusterSelector.podLabels(c.selector.labels)
              : ClusterSelector.allPods();
      const cw = new ClusterwidePolicy(mesh, 'Base', {
        selector,
        defaultDeny: c.ingress || c.egress ? { ingress: c.ingress, egress: c.egress } : undefined,
      });
      cw.allowTo(peerOf(c.peer));
    }
    return { target: targetOf(i.minor), objects: objectsOf(mesh) };
  },
};

const httpRouteFamily: Family = {
  name: 'httproute',
  runs: 280,
  input: fc.record({
    minor: fc.constantFrom(20, 20, 16, 0), // 0: Cilium 1.20 with the experimental-channel CRDs (retry)
    ns: opt(name),
    name: opt(name),
    hostnames: listAround(hostname, 2, 16),
    gateway: fc.boolean(),
    /** Retry outside the experimental channel is refused; mostly it is only set where it can work. */
    retryAnywhere: mostly(fc.constant(false), fc.constant(true), 8),
    rules: mostly(
      fc.array(ruleInput, { minLength: 1, maxLength: 3 }),
      fc.oneof(none<RuleInput>(), fc.array(ruleInput, { minLength: 17, maxLength: 17 })),
    ),
  }),
  build(i) {
    const experimental = i.minor === 0;
    const mesh = meshFor(
      experimental ? 20 : i.minor,
      experimental ? { gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL } : {},
    );
    const ns = i.ns ?? 'default';
    const parent = i.gateway
      ? ParentRef.gateway(new Gateway(mesh, 'Gw', { namespace: i.ns, listeners: [Listener.http()] }))
      : ParentRef.service(Backend.fromName(ns, 'front', 80));
    const rules = (i.rules as RuleInput[]).map((r) =>
      ruleOf({ ...r, retry: experimental || i.retryAnywhere ? r.retry : undefined }),
    );
    new HttpRoute(mesh, 'Route', {
      namespace: i.ns,
      name: i.name,
      parentRefs: [parent],
      hostnames: i.hostnames,
      rules,
    });
    return { target: experimental ? 'cilium-1.20-experimental' : targetOf(i.minor), objects: objectsOf(mesh) };
  },
};

const listenerInput = fc.record({
  proto: fc.constantFrom('http', 'https', 'tls'),
  name: opt(name),
  port: opt(portNumber),
  hostname: opt(hostname),
  certs: mostly(
    fc.array(
      fc.record({
        name: mostly(
          fc.tuple(dnsLabel, dnsLabel).map(([a, b]) => `${a}.${b}`),
          name,
        ),
        ns: rare(name),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    none<{ name: string; ns: string | undefined }>(),
  ),
  allowed: opt(fc.oneof(fc.constantFrom('same', 'all'), labels(0))),
});

const gatewayFamily: Family = {
  name: 'gateway',
  runs: 220,
  input: fc.record({
    minor,
    ns: rare(name),
    name: opt(name),
    listeners: mostly(
      fc.array(listenerInput, { minLength: 1, maxLength: 3 }),
      none<typeof listenerInput extends fc.Arbitrary<infer T> ? T : never>(),
    ),
    lb: opt(
      fc.record({
        scheme: opt(jsEnum(Object.values(LoadBalancerScheme), ['public'])),
        target: opt(jsEnum([NlbTargetType.INSTANCE, NlbTargetType.INSTANCE, NlbTargetType.IP], ['IP'])),
        ranges: fc.array(cidr, { maxLength: 3 }),
      }),
    ),
    routes: fc.array(
      fc.record({
        kind: fc.constantFrom('http', 'grpc', 'tls'),
        hostnames: fc.array(hostname, { maxLength: 2 }),
        listener: rare(name),
        grpc: fc.record({
          service: opt(
            mostly(fc.constantFrom('shop.v1.Cart', 'Greeter', '_x.y'), fc.oneof(name, fc.constant('a'.repeat(1025)))),
          ),
          method: opt(mostly(fc.constantFrom('Get', 'SayHello'), name)),
        }),
        backendRefs: fc.array(backendInput, { minLength: 1, maxLength: 2 }),
        grpcHeaders: listAround(
          fc.tuple(fc.constantFrom('Exact', 'RegularExpression'), headerName, mostly(headerValue, regex, 4)),
          1,
          16,
        ),
        filters: fc.array(filterInput, { maxLength: 1 }),
      }),
      { maxLength: 2 },
    ),
  }),
  build(i) {
    const mesh = meshFor(i.minor);
    const listeners = (i.listeners as any[]).map((l) => {
      const allowedRoutes =
        l.allowed === undefined
          ? undefined
          : l.allowed === 'same'
            ? AllowedRoutes.sameNamespace()
            : l.allowed === 'all'
              ? AllowedRoutes.allNamespaces()
              : AllowedRoutes.fromNamespacesLabelled(l.allowed);
      const o = { name: l.name, port: l.port, hostname: l.hostname, allowedRoutes };
      return l.proto === 'http'
        ? Listener.http(o)
        : l.proto === 'tls'
          ? Listener.tlsPassthrough(o)
          : Listener.https({
              ...o,
              certificates: l.certs.map((c: { name: string; ns?: string }) => ({ name: c.name, namespace: c.ns })),
            });
    });
    const gw = new Gateway(mesh, 'Gw', {
      namespace: i.ns,
      name: i.name,
      listeners,
      loadBalancer: i.lb && {
        scheme: i.lb.scheme as LoadBalancerScheme | undefined,
        targetType: i.lb.target as NlbTargetType | undefined,
        sourceRanges: i.lb.ranges,
      },
    });
    (i.routes as any[]).forEach((r, n) => {
      const parentRefs = [ParentRef.gateway(gw, r.listener)];
      const backendRefs = r.backendRefs.map((b: BackendInput) => ({
        backend: backendOf(b),
        weight: b.weight === undefined ? undefined : num(b.weight),
      }));
      const common = { namespace: i.ns, parentRefs, hostnames: r.hostnames };
      if (r.kind === 'http') new HttpRoute(mesh, `R${n}`, { ...common, rules: [{ backendRefs }] });
      else if (r.kind === 'grpc')
        new GrpcRoute(mesh, `R${n}`, {
          ...common,
          rules: [
            {
              matches: [{ ...r.grpc, headers: r.grpcHeaders.map(headerOf) }],
              filters: r.filters.map(filterOf),
              backendRefs,
            },
          ],
        });
      else new TlsRoute(mesh, `R${n}`, { ...common, backendRefs });
    });
    return { target: targetOf(i.minor), objects: objectsOf(mesh) };
  },
};

const canaryFamily: Family = {
  name: 'canary',
  runs: 180,
  input: fc.record({
    weight: numberOrToken(wholeIn(0, 100)),
    gateway: fc.boolean(),
    name: opt(name),
    hostnames: rare(fc.array(hostname, { maxLength: 2 })),
    matches: fc.array(matchInput, { maxLength: 2 }),
    when: listAround(fc.tuple(fc.constantFrom('Exact', 'cookie'), headerName, headerValue), 2, 16),
    mirror: opt(fc.record({ svc: name, percent: opt(wholeIn(0, 100)) })),
    timeouts: timeoutsInput,
    stable: backendInput,
    canary: backendInput,
  }),
  build(i) {
    const mesh = meshFor(20);
    const parent = i.gateway
      ? ParentRef.gateway(new Gateway(mesh, 'Gw', { listeners: [Listener.http()] }))
      : ParentRef.service(Backend.fromName('default', 'front', 80));
    new CanaryRelease(mesh, 'Canary', {
      parentRef: parent,
      name: i.name,
      hostnames: i.hostnames,
      canaryWeight: num(i.weight),
      stable: backendOf(i.stable),
      canary: backendOf(i.canary),
      matches: i.matches.map(matchOf),
      canaryWhen: i.when.map((w: [string, string, string]) => headerOf(w)),
      mirror: i.mirror && { backend: Backend.fromName('default', i.mirror.svc, 80), percent: i.mirror.percent },
      timeouts: timeoutsOf(i.timeouts),
    });
    return { target: 'cilium-1.20', objects: objectsOf(mesh) };
  },
};

/** Many routes into one shared namespace: ReferenceGrant fan-in past the CRD's 16 `from` and 16 `to`. */
const grantsFamily: Family = {
  name: 'referencegrants',
  runs: 60,
  input: fc.record({
    minor,
    routes: fc.array(fc.record({ from: fc.integer({ min: 0, max: 24 }), to: fc.integer({ min: 0, max: 40 }) }), {
      minLength: 1,
      maxLength: 45,
    }),
    certs: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 20 }),
  }),
  build(i) {
    const mesh = meshFor(i.minor);
    (i.routes as { from: number; to: number }[]).forEach((r, n) => {
      const ns = `team${r.from}`;
      new HttpRoute(mesh, `R${n}`, {
        namespace: ns,
        parentRefs: [ParentRef.service(Backend.fromName(ns, `front${n}`, 80))],
        rules: [{ backendRefs: [{ backend: Backend.fromName('shared', `api${r.to}`, 80) }] }],
      });
    });
    if (i.certs.length) {
      const certificates = [...new Set<number>(i.certs)].map((c) => ({ name: `cert${c}`, namespace: 'shared' }));
      new Gateway(mesh, 'Gw', { namespace: 'edge', listeners: [Listener.https({ certificates })] });
    }
    return { target: targetOf(i.minor), objects: objectsOf(mesh) };
  },
};

const hashInput = fc.oneof(
  fc.record({ k: fc.constant('header'), name: headerName }),
  fc.record({
    k: fc.constant('cookie'),
    name: headerName,
    path: opt(mostly(path, fc.constant('x'))),
    ttl: opt(durationMs),
  }),
  fc.record({ k: fc.constant('sourceIp') }),
);
type HashInput = typeof hashInput extends fc.Arbitrary<infer T> ? T : never;
const hashOf = (h: HashInput) =>
  h.k === 'header'
    ? ConsistentHash.httpHeaderName(h.name)
    : h.k === 'cookie'
      ? ConsistentHash.httpCookie({
          name: h.name,
          path: h.path,
          ttl: h.ttl === undefined ? undefined : Duration.millis(h.ttl),
        })
      : ConsistentHash.sourceIp();
const optionalMs = opt(durationMs);
const ms = (v?: number) => (v === undefined ? undefined : Duration.millis(v));

const resilienceFamily: Family = {
  name: 'resilience',
  runs: 220,
  input: fc.record({
    minor,
    target: backendInput,
    name: rare(name),
    /** A cdk8s-plus Service target (its ports), with or without L7 load balancing on the install. */
    kplusPorts: rare(
      fc.array(mostly(fc.integer({ min: 1, max: 65535 }), fc.constant(0)), { minLength: 1, maxLength: 2 }),
    ),
    l7LoadBalancing: fc.boolean(),
    pool: opt(
      fc.record({
        maxConnections: opt(wholeIn(1, 100000)),
        connectTimeout: optionalMs,
        pending: opt(wholeIn(1, 100000)),
        maxRequests: opt(wholeIn(1, 100000)),
        perConnection: opt(wholeIn(0, 1000)),
        maxRetries: opt(wholeIn(0, 100)),
        budget: rare(fc.record({ percent: wholeIn(0, 100), min: opt(wholeIn(1, 100)) })),
      }),
    ),
    outlier: opt(
      fc.record({
        c5xx: opt(wholeIn(0, 100)),
        gateway: opt(wholeIn(0, 100)),
        interval: optionalMs,
        ejection: optionalMs,
        maxPercent: opt(wholeIn(0, 100)),
      }),
    ),
    lb: opt(
      fc.oneof(
        fc.record({ a: fc.constantFrom('roundRobin', 'leastRequest', 'random') }),
        fc.record({ a: fc.constant('ringHash'), hash: hashInput, size: opt(wholeIn(1, 8_388_608)) }),
        fc.record({
          a: fc.constant('maglev'),
          hash: hashInput,
          size: opt(mostly(fc.constantFrom(65537, 131071, 251, 5), wholeIn(1, 5_000_011), 3)),
        }),
      ),
    ),
    timeouts: opt(fc.record({ request: optionalMs, idle: optionalMs })),
    retries: opt(
      fc.record({
        attempts: numberOrToken(wholeIn(0, 10)),
        on: opt(fc.array(jsEnum(Object.values(RetryOn), ['timeout', '5XX']), { maxLength: 3 })),
        codes: opt(fc.array(wholeIn(100, 599), { maxLength: 3 })),
        perTry: optionalMs,
        backoff: opt(fc.record({ base: durationMs, max: optionalMs })),
      }),
    ),
    rateLimit: opt(fc.record({ perFill: wholeIn(1, 10000), fill: durationMs, max: opt(wholeIn(1, 10000)) })),
    fault: opt(
      fc.record({
        delay: mostly(fc.constant(false), fc.constant(true), 6),
        percent: wholeIn(0, 100),
        status: wholeIn(200, 599),
        ms: durationMs,
      }),
    ),
  }),
  build(i) {
    const mesh = meshFor(i.minor, {
      envoyConfig: true,
      kubeProxyReplacement: true,
      l7LoadBalancing: i.l7LoadBalancing,
    });
    const target = i.kplusPorts
      ? ResilienceTarget.fromService(
          new kplus.Service(mesh, 'Svc', {
            metadata: { name: 'api', namespace: 'shop' },
            ports: (i.kplusPorts as number[]).map((port) => ({ port })),
            selector: kplus.Pods.select(mesh, 'Pods', { labels: { app: 'api' } }),
          }),
          i.kplusPorts.length > 1 ? num(i.target.port) : undefined,
        )
      : ResilienceTarget.fromName(i.target.ns, i.target.svc, num(i.target.port));
    const lb =
      i.lb &&
      (i.lb.a === 'ringHash'
        ? LoadBalancer.ringHash(hashOf(i.lb.hash), { minimumRingSize: i.lb.size })
        : i.lb.a === 'maglev'
          ? LoadBalancer.maglev(hashOf(i.lb.hash), { tableSize: i.lb.size })
          : LoadBalancer[i.lb.a as 'roundRobin' | 'leastRequest' | 'random']());
    new ResiliencePolicy(mesh, 'Resilience', {
      service: target,
      name: i.name,
      connectionPool: i.pool && {
        tcp: { maxConnections: i.pool.maxConnections, connectTimeout: ms(i.pool.connectTimeout) },
        http: {
          http1MaxPendingRequests: i.pool.pending,
          http2MaxRequests: i.pool.maxRequests,
          maxRequestsPerConnection: i.pool.perConnection,
          maxRetries: i.pool.maxRetries,
        },
        retryBudget: i.pool.budget && { percent: i.pool.budget.percent, minRetryConcurrency: i.pool.budget.min },
      },
      outlierDetection: i.outlier && {
        consecutive5xxErrors: i.outlier.c5xx,
        consecutiveGatewayErrors: i.outlier.gateway,
        interval: ms(i.outlier.interval),
        baseEjectionTime: ms(i.outlier.ejection),
        maxEjectionPercent: i.outlier.maxPercent,
      },
      loadBalancer: lb,
      timeouts: i.timeouts && { request: ms(i.timeouts.request), idle: ms(i.timeouts.idle) },
      retries: i.retries && {
        attempts: num(i.retries.attempts),
        retryOn: i.retries.on as RetryOn[] | undefined,
        retriableStatusCodes: i.retries.codes,
        perTryTimeout: ms(i.retries.perTry),
        backoff: i.retries.backoff && {
          baseInterval: Duration.millis(i.retries.backoff.base),
          maxInterval: ms(i.retries.backoff.max),
        },
      },
      localRateLimit: i.rateLimit && {
        tokensPerFill: i.rateLimit.perFill,
        fillInterval: Duration.millis(i.rateLimit.fill),
        maxTokens: i.rateLimit.max,
      },
      fault:
        i.fault &&
        (i.fault.delay
          ? Fault.delay({ percent: i.fault.percent, fixedDelay: Duration.millis(i.fault.ms) })
          : Fault.abort({ percent: i.fault.percent, httpStatus: i.fault.status })),
    });
    return { target: targetOf(i.minor), objects: objectsOf(mesh) };
  },
};

/**
 * Cilium versions: `CiliumVersion.of` is checked by the first construct that uses the version; the mesh's objects for
 * that line are then rendered (a policy and a GAMMA route). The profile states its Gateway API channel, as a profile
 * for a cluster installed elsewhere does: without it, `chainingProfile` looks up the line's default channel at once,
 * before any construct exists, and an invalid version fails there without a construct path.
 */
const versionFamily: Family = {
  name: 'version',
  runs: 150,
  input: versionString,
  build(v: string) {
    const version = CiliumVersion.of(v);
    const channel = v.startsWith('1.16.') ? GatewayApiChannel.EXPERIMENTAL : GatewayApiChannel.STANDARD;
    const target = new ServiceMesh(new App(), 'mesh', {
      cilium: chainingProfile({ version, gatewayApi: true, gatewayApiChannel: channel }),
    });
    new Workload(target, 'W', { namespace: 'team', labels: { app: 'w' } }).allowFrom(Peer.entity(Entity.INGRESS), {
      ports: [Port.tcp(8080)],
    });
    new HttpRoute(target, 'R', {
      namespace: 'team',
      parentRefs: [ParentRef.service(Backend.fromName('team', 'front', 80))],
      rules: [{ backendRefs: [{ backend: Backend.fromName('team', 'api', 80) }] }],
    });
    const objects = target.toJson();
    // Helm chart versions are SemVer 2.0.0 (semver.org's grammar for MAJOR.MINOR.PATCH).
    if (!/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(version.chartVersion)) {
      objects.push({ sweepOracle: `chart version '${version.chartVersion}' is not SemVer 2.0.0` });
    }
    return { target: version.minor === 16 ? 'cilium-1.16' : 'cilium-1.20', objects };
  },
};

const ingressFamily: Family = {
  name: 'ingress',
  runs: 100,
  input: fc.record({
    ns: opt(name),
    name: opt(name),
    rules: mostly(
      fc.array(
        fc.record({
          host: opt(hostname),
          path: mostly(path, fc.constant('api'), 6),
          type: opt(jsEnum(Object.values(IngressPathType), ['ImplementationSpecific'])),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      none<{ host: string | undefined; path: string; type: string | number | undefined }>(),
    ),
    tls: opt(
      fc.array(fc.record({ hosts: fc.array(hostname, { minLength: 1, maxLength: 2 }), secret: name }), {
        maxLength: 1,
      }),
    ),
    dedicated: fc.boolean(),
    mode: mostly<string | undefined>(fc.constant(undefined), fc.constantFrom('Dedicated', 'none'), 30),
    lb: opt(fc.record({ ranges: fc.array(cidr, { maxLength: 2 }) })),
  }),
  build(i) {
    const mesh = meshFor(20, { ingressController: true });
    const service = new kplus.Service(mesh, 'Svc', {
      metadata: { name: 'web', namespace: i.ns },
      ports: [{ port: 80 }],
      selector: kplus.Pods.select(mesh, 'Pods', { labels: { app: 'web' } }),
    });
    new CiliumIngress(mesh, 'Ingress', {
      namespace: i.ns,
      name: i.name,
      rules: i.rules.map((r: { host?: string; path: string; type?: string }) => ({
        host: r.host,
        path: r.path,
        pathType: r.type as IngressPathType | undefined,
        service,
      })),
      tls: i.tls?.map((t: { hosts: string[]; secret: string }) => ({ hosts: t.hosts, secretName: t.secret })),
      loadBalancerMode:
        (i.mode as IngressLoadBalancerMode | undefined) ??
        (i.dedicated ? IngressLoadBalancerMode.DEDICATED : undefined),
      loadBalancer: i.lb && { sourceRanges: i.lb.ranges },
    });
    return { target: 'cilium-1.20', objects: objectsOf(mesh) };
  },
};

export const FAMILIES: readonly Family[] = [
  policyFamily,
  httpRouteFamily,
  gatewayFamily,
  canaryFamily,
  grantsFamily,
  resilienceFamily,
  versionFamily,
  ingressFamily,
];
