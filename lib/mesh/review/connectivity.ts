import { MeshValidationError } from '../../private/errors';
import { compareText } from '../../delivery/review-manifest';

/**
 * Static connectivity evaluation over a mesh's rendered objects (CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy specs), with Cilium's semantics. Pure: it reads only the objects and the
 * endpoints it is asked about, never construct internals, so it checks what is delivered. docs/review.md lists
 * every rule applied here with its upstream source.
 */

/** The pod label Cilium puts the namespace into. */
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The pod label Cilium puts the ServiceAccount into. */
const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
/** The prefix of namespace labels on pods' identities. */
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** Label key prefixes that name a label source; selectors may carry them (`k8s:app`). */
const SOURCE_PREFIXES = ['k8s:', 'any:'];
/** Identities that the `cluster` entity covers besides the cluster's pods (Cilium's InitEntities). */
const CLUSTER_IDENTITIES = new Set(['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver']);

/** Something traffic comes from or goes to. */
export type ConnectivityEndpoint =
  /** Pods selected by labels: the mesh knows these labels, the pods may carry more. */
  | {
      readonly type: 'pods';
      readonly namespace: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly name: string;
      /** `namespace/name` of Services known to front these pods (for `toServices`). */
      readonly services?: readonly string[];
    }
  /** A reserved identity: world, host, remote-node, kube-apiserver, ingress, health, init, unmanaged. */
  | { readonly type: 'entity'; readonly entity: string; readonly name: string }
  /** An address outside the cluster. */
  | { readonly type: 'address'; readonly address: string; readonly name: string }
  /** A DNS name outside the cluster. */
  | { readonly type: 'fqdn'; readonly fqdn: string; readonly name: string };

/** An HTTP request for L7 rules. Unset fields are not compared (a rule that needs them does not match). */
export interface HttpRequestInfo {
  /**
   * The request method, e.g. `GET`.
   * @default - none: rules that name a method do not match
   */
  readonly method?: string;
  /**
   * The request path, e.g. `/api/orders`.
   * @default - none: rules that name a path do not match
   */
  readonly path?: string;
  /**
   * The `Host` header.
   * @default - none: rules that name a host do not match
   */
  readonly host?: string;
  /**
   * Request headers; names are case-insensitive.
   * @default - none: rules that require headers do not match
   */
  readonly headers?: { [name: string]: string };
}

/** One question: may `from` open a connection to `to` on `port`/`protocol` (and send `http`, if given)? */
export interface ConnectivityQuery {
  readonly from: ConnectivityEndpoint;
  readonly to: ConnectivityEndpoint;
  readonly port: number;
  /** TCP, UDP or SCTP. */
  readonly protocol: string;
  readonly http?: HttpRequestInfo;
}

/** A policy rule that took part in a verdict. */
export interface RuleReference {
  /** e.g. `CiliumNetworkPolicy shop/backend-policy` */
  readonly policy: string;
  /** e.g. `ingress[0]`, `egressDeny[1]`, `specs[1].ingress[0]` */
  readonly rule: string;
}

/** The direction of traffic as a policy of the deciding endpoint sees it. */
export enum TrafficDirection {
  /** Traffic into the endpoint (its policy's `ingress` and `ingressDeny`). */
  INGRESS = 'ingress',
  /** Traffic out of the endpoint (its policy's `egress` and `egressDeny`). */
  EGRESS = 'egress',
}

/** How one side (the source's egress or the destination's ingress) decided. */
export interface SideVerdict {
  /** Egress at the source, or ingress at the destination. */
  readonly direction: TrafficDirection;
  /** The endpoint whose policy decided (the source for egress, the destination for ingress). */
  readonly endpoint: string;
  readonly allowed: boolean;
  /** Whether the endpoint is in default deny in this direction, and which policies put it there. */
  readonly defaultDeny: boolean;
  readonly defaultDenyBy: string[];
  /** The rule that decided: a deny rule, the allow rules that matched, or none (default allow/deny). */
  readonly decidedBy: RuleReference[];
  /** HTTP rules that filter requests on this connection (empty: no L7 filtering). */
  readonly httpRules: string[];
  /** DNS rules (`matchName`/`matchPattern`) that filter lookups on this connection (empty: no DNS filtering). */
  readonly dnsRules: string[];
  /** One sentence. */
  readonly reason: string;
}

/** The answer to a `ConnectivityQuery`. */
export interface ConnectivityVerdict {
  readonly allowed: boolean;
  /**
   * What the verdict depends on that the mesh cannot see (pod labels set elsewhere, addresses of DNS names, ...).
   * Empty when the verdict follows from the objects alone.
   */
  readonly conditions: string[];
  /** The sides that were evaluated: egress at the source (when it is a pod), ingress at the destination (likewise). */
  readonly sides: SideVerdict[];
  /** A multi-line explanation naming the policies and rules that decided. */
  readonly explanation: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Policies as read from the objects

/** A label selector as Cilium reads it. */
export interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}

/** One rule of a policy section. */
export interface Rule {
  readonly ref: RuleReference;
  readonly body: Record<string, any>;
}

/** The Cilium policies of a mesh as `evaluateConnectivity` reads them (from `readPolicies`). */
export interface PolicyRules {
  readonly policy: string;
  /** undefined for cluster-wide policies */
  readonly namespace?: string;
  readonly prefix: string;
  readonly selector: Selector;
  readonly enableDefaultDeny: { ingress?: boolean; egress?: boolean };
  readonly ingress: Rule[];
  readonly ingressDeny: Rule[];
  readonly egress: Rule[];
  readonly egressDeny: Rule[];
}

/** The Cilium policies among `objects` (other kinds are ignored), one entry per rule set (`spec` and `specs[]`). */
export function readPolicies(objects: readonly unknown[]): PolicyRules[] {
  const out: PolicyRules[] = [];
  for (const o of objects as any[]) {
    const clusterwide = o?.kind === 'CiliumClusterwideNetworkPolicy';
    if (!String(o?.apiVersion ?? '').startsWith('cilium.io/') || (o.kind !== 'CiliumNetworkPolicy' && !clusterwide)) {
      continue;
    }
    const namespace = clusterwide ? undefined : (o.metadata?.namespace ?? 'default');
    const policy = `${o.kind} ${namespace ? `${namespace}/` : ''}${o.metadata?.name}`;
    const sets: Array<[string, any]> = [];
    if (o.spec) sets.push(['', o.spec]);
    (o.specs ?? []).forEach((s: any, i: number) => sets.push([`specs[${i}].`, s]));
    for (const [prefix, spec] of sets) {
      const section = (name: string): Rule[] =>
        (spec[name] ?? []).map((body: any, i: number) => ({
          ref: { policy, rule: `${prefix}${name}[${i}]` },
          body: body ?? {},
        }));
      if (!spec.endpointSelector) {
        // nodeSelector (host policies) does not apply to pods
        continue;
      }
      out.push({
        policy,
        namespace,
        prefix,
        selector: spec.endpointSelector,
        enableDefaultDeny: spec.enableDefaultDeny ?? {},
        ingress: section('ingress'),
        ingressDeny: section('ingressDeny'),
        egress: section('egress'),
        egressDeny: section('egressDeny'),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Three-valued matching: the mesh knows some labels of a workload's pods; the pods may carry more.

/** A match: its value when the pods carry exactly the labels the mesh knows, and what could change it. */
interface Tri {
  readonly value: boolean;
  readonly conditions: readonly string[];
}

const YES: Tri = { value: true, conditions: [] };
const NO: Tri = { value: false, conditions: [] };
const maybe = (value: boolean, condition: string): Tri => ({ value, conditions: [condition] });

function and(parts: readonly Tri[]): Tri {
  if (parts.some((p) => !p.value && p.conditions.length === 0)) return NO;
  return { value: parts.every((p) => p.value), conditions: parts.flatMap((p) => p.conditions) };
}

function or(parts: readonly Tri[]): Tri {
  if (parts.some((p) => p.value && p.conditions.length === 0)) return YES;
  return { value: parts.some((p) => p.value), conditions: parts.flatMap((p) => p.conditions) };
}

function stripSource(key: string): string {
  const prefix = SOURCE_PREFIXES.find((p) => key.startsWith(p));
  return prefix ? key.slice(prefix.length) : key;
}

/** Whether `selector` (with the policy's namespace added when it names none) selects the pods of `e`. */
function selectsPods(
  selector: Selector,
  e: Extract<ConnectivityEndpoint, { type: 'pods' }>,
  scopeNamespace?: string,
): Tri {
  const terms: Tri[] = [];
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((x) => x.key)].map(
    stripSource,
  );
  if (scopeNamespace !== undefined && !keys.includes(NAMESPACE_KEY)) {
    terms.push(scopeNamespace === e.namespace ? YES : NO);
  }
  const known = (key: string): string | undefined => (key === NAMESPACE_KEY ? e.namespace : e.labels[key]);
  const unknown = (key: string, text: string, value: boolean): Tri => {
    if (key.startsWith('reserved:')) return NO;
    const not = value ? 'not ' : '';
    if (key === SERVICE_ACCOUNT_KEY) {
      const which = text
        .replace(`the label ${key}=`, '')
        .replace(`${key} in `, 'one of ')
        .replace(`a label ${key}`, 'any');
      return maybe(
        value,
        `${e.name}: only if its pods ${value ? 'do not run' : 'run'} as ServiceAccount ${which} (set in the pod spec, outside the mesh)`,
      );
    }
    if (key.startsWith(NAMESPACE_LABELS_PREFIX)) {
      return maybe(
        value,
        `${e.name}: only if its namespace ${e.namespace} does ${not}carry ${text.replace(NAMESPACE_LABELS_PREFIX, '')} (namespace labels are outside the mesh)`,
      );
    }
    return maybe(
      value,
      `${e.name}: only if its pods ${value ? 'do not carry' : 'carry'} ${text} (labels set outside the mesh)`,
    );
  };
  for (const [rawKey, v] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => compareText(a, b))) {
    const key = stripSource(rawKey);
    const have = known(key);
    terms.push(have !== undefined ? (have === v ? YES : NO) : unknown(key, `the label ${key}=${v}`, false));
  }
  for (const x of selector.matchExpressions ?? []) {
    const key = stripSource(x.key);
    const have = known(key);
    const values = x.values ?? [];
    switch (x.operator) {
      case 'In':
        terms.push(
          have !== undefined
            ? values.includes(have)
              ? YES
              : NO
            : unknown(key, `${key} in (${values.join(', ')})`, false),
        );
        break;
      case 'NotIn':
        terms.push(
          have !== undefined
            ? values.includes(have)
              ? NO
              : YES
            : unknown(key, `${key} in (${values.join(', ')})`, true),
        );
        break;
      case 'Exists':
        terms.push(have !== undefined ? YES : unknown(key, `a label ${key}`, false));
        break;
      case 'DoesNotExist':
        terms.push(have !== undefined ? NO : unknown(key, `a label ${key}`, true));
        break;
      default:
        terms.push(maybe(false, `selector operator '${x.operator}' is not understood`));
    }
  }
  return and(terms);
}

/**
 * Whether `selector` certainly selects `endpoint` (pods carrying at least its labels), with the policy's namespace
 * added when the selector names none (`scopeNamespace`; undefined for cluster-wide policies).
 */
export function certainlySelects(selector: Selector, endpoint: ConnectivityEndpoint, scopeNamespace?: string): boolean {
  const t = selectorSelects(selector, endpoint, scopeNamespace);
  return t.value && t.conditions.length === 0;
}

/**
 * Whether a policy's `endpointSelector` selects the pods of `e`. A CiliumNetworkPolicy applies only in its own
 * namespace: Cilium replaces any namespace the selector names with the policy's (`ParseToCiliumRule`).
 */
export function subjectSelects(
  selector: Selector,
  e: Extract<ConnectivityEndpoint, { type: 'pods' }>,
  namespace?: string,
): Tri {
  if (namespace === undefined) {
    return selectsPods(selector, e);
  }
  const isNs = (k: string) => stripSource(k) === NAMESPACE_KEY;
  const own: Selector = {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels ?? {}).filter(([k]) => !isNs(k))),
    matchExpressions: (selector.matchExpressions ?? []).filter((x) => !isNs(x.key)),
  };
  return selectsPods(own, e, namespace);
}

/** Whether an endpoint selector of a rule (`fromEndpoints`/`toEndpoints`) selects `e`. */
function selectorSelects(selector: Selector, e: ConnectivityEndpoint, scopeNamespace?: string): Tri {
  if (e.type === 'pods') {
    return selectsPods(selector, e, scopeNamespace);
  }
  if (e.type !== 'entity') {
    // addresses and names outside the cluster have CIDR/world identities, which label selectors of pods do not select
    return NO;
  }
  const labels = Object.keys(selector.matchLabels ?? {}).map(stripSource);
  if (labels.length === 1 && labels[0] === `reserved:${e.entity}` && !(selector.matchExpressions ?? []).length) {
    return YES;
  }
  // Other selectors only select pods: a namespaced policy adds its namespace, a cluster-wide one requires a
  // namespace label (getEndpointSelector), which reserved identities do not carry.
  return NO;
}

/** Whether an entity name in a rule covers `e`. */
function entityCovers(entity: string, e: ConnectivityEndpoint): Tri {
  if (entity === 'all') return YES;
  if (entity === 'none') return NO;
  switch (e.type) {
    case 'pods':
      return entity === 'cluster' || entity === 'cluster-mesh' ? YES : NO;
    case 'address':
    case 'fqdn':
      return ['world', 'world-ipv4', 'world-ipv6'].includes(entity) ? YES : NO;
    case 'entity':
      if (entity === e.entity || (e.entity === 'world' && ['world-ipv4', 'world-ipv6'].includes(entity))) return YES;
      if ((entity === 'cluster' || entity === 'cluster-mesh') && CLUSTER_IDENTITIES.has(e.entity)) return YES;
      if (e.entity === 'kube-apiserver' && entity.startsWith('world')) {
        return maybe(
          false,
          "on EKS the API server is outside the cluster: whether 'world' also covers its addresses depends on how Cilium labels them",
        );
      }
      return NO;
  }
}

function parseAddress(s: string): { family: 4 | 6; bits: bigint } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, bits: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
  }
  if (/^[0-9a-fA-F:]+$/.test(s) && s.includes(':')) {
    const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups =
      tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
    if (groups.length !== 8) return undefined;
    return { family: 6, bits: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n) };
  }
  return undefined;
}

/** Whether `address` lies in `cidr`. */
export function addressInCidr(address: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const a = parseAddress(address);
  const n = parseAddress(net);
  if (!a || !n || a.family !== n.family) return false;
  const width = a.family === 4 ? 32 : 128;
  const prefix = len === undefined ? width : Number(len);
  const shift = BigInt(width - prefix);
  return a.bits >> shift === n.bits >> shift;
}

function cidrCovers(set: { cidr?: string; except?: string[]; cidrGroupRef?: string }, e: ConnectivityEndpoint): Tri {
  if (!set.cidr) {
    return e.type === 'address' || e.type === 'fqdn'
      ? maybe(false, `CIDR group '${set.cidrGroupRef ?? '?'}' is resolved in the cluster`)
      : NO;
  }
  const text = `${set.cidr}${set.except?.length ? ` except ${set.except.join(', ')}` : ''}`;
  if (e.type === 'address') {
    return addressInCidr(e.address, set.cidr) && !(set.except ?? []).some((x) => addressInCidr(e.address, x))
      ? YES
      : NO;
  }
  if (e.type === 'fqdn') return maybe(false, `only if the addresses of ${e.fqdn} fall in ${text}`);
  if (e.type === 'entity' && e.entity === 'kube-apiserver')
    return maybe(false, `only if the API server addresses fall in ${text}`);
  if (e.type === 'entity' && e.entity === 'world') return maybe(false, `only for world addresses in ${text}`);
  return NO;
}

/**
 * Cilium's `matchName` (exact, case-insensitive) and `matchPattern`: `*` alone matches every name, elsewhere `*`
 * matches DNS characters within one label, and a leading `**.` matches one or more labels (Cilium 1.20 CRD).
 */
export function fqdnMatches(entry: { matchName?: string; matchPattern?: string }, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (entry.matchName !== undefined) return entry.matchName.toLowerCase().replace(/\.$/, '') === n;
  if (entry.matchPattern === undefined) return false;
  let p = entry.matchPattern.toLowerCase().replace(/\.$/, '');
  if (p === '*') return true;
  let prefix = '';
  if (p.startsWith('**.')) {
    prefix = '([-a-z0-9_]+\\.)+';
    p = p.slice(3);
  }
  const re = p
    .split('')
    .map((c) => (c === '*' ? '[-a-z0-9_]*' : c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${prefix}${re}$`).test(n);
}

/** Whether the peer part of a rule covers `e`. `scope` is the policy's namespace (undefined: cluster-wide). */
function peerCovers(
  body: Record<string, any>,
  direction: 'ingress' | 'egress',
  e: ConnectivityEndpoint,
  scope?: string,
): Tri {
  const p = direction === 'ingress' ? 'from' : 'to';
  const parts: Tri[] = [];
  let l3 = false;
  if (body[`${p}Endpoints`]) {
    l3 = true;
    parts.push(...(body[`${p}Endpoints`] as Selector[]).map((s) => selectorSelects(s, e, scope)));
  }
  if (body[`${p}Entities`]) {
    l3 = true;
    parts.push(...(body[`${p}Entities`] as string[]).map((x) => entityCovers(x, e)));
  }
  if (body[`${p}CIDR`]) {
    l3 = true;
    parts.push(...(body[`${p}CIDR`] as string[]).map((c) => cidrCovers({ cidr: c }, e)));
  }
  if (body[`${p}CIDRSet`]) {
    l3 = true;
    parts.push(...(body[`${p}CIDRSet`] as any[]).map((c) => cidrCovers(c, e)));
  }
  if (direction === 'egress' && body.toFQDNs) {
    l3 = true;
    parts.push(...(body.toFQDNs as any[]).map((f) => (e.type === 'fqdn' && fqdnMatches(f, e.fqdn) ? YES : NO)));
  }
  if (direction === 'egress' && body.toServices) {
    l3 = true;
    parts.push(
      ...(body.toServices as any[]).map((s) => {
        const ref = s.k8sService
          ? `${s.k8sService.namespace ?? scope ?? 'default'}/${s.k8sService.serviceName}`
          : undefined;
        if (ref === undefined)
          return e.type === 'pods' ? maybe(false, 'toServices by selector is resolved in the cluster') : NO;
        return e.type === 'pods' && (e.services ?? []).includes(ref) ? YES : NO;
      }),
    );
  }
  for (const other of [`${p}Nodes`, `${p}Groups`, `${p}Requires`]) {
    if (body[other]) {
      l3 = true;
      parts.push(maybe(false, `'${other}' is not evaluated statically`));
    }
  }
  if (!l3) {
    // A rule without peers selects every peer when it names ports (an L4-only rule), and nothing when it is empty.
    return body.toPorts || body.icmps ? YES : NO;
  }
  return or(parts);
}

interface PortMatch {
  readonly tri: Tri;
  /** HTTP rules of the matching `toPorts` entries; undefined when some matching entry has none (all requests). */
  readonly http?: any[];
  readonly dns?: any[];
}

/** Whether the `toPorts` of a rule cover the port; with the L7 rules that then apply. */
function portsCover(body: Record<string, any>, port: number, protocol: string): PortMatch {
  const entries: any[] | undefined = body.toPorts;
  if (!entries || entries.length === 0) {
    return body.icmps ? { tri: NO } : { tri: YES };
  }
  let matched = false;
  let plain = false;
  let namedPort: string | undefined;
  const http: any[] = [];
  const dns: any[] = [];
  for (const entry of entries) {
    const ports: any[] = entry.ports ?? [];
    const hit =
      ports.length === 0 ||
      ports.some((p) => {
        const proto = String(p.protocol ?? 'ANY').toUpperCase();
        if (proto !== 'ANY' && proto !== protocol) return false;
        if (!/^\d+$/.test(String(p.port ?? '0'))) {
          namedPort = String(p.port);
          return false;
        }
        const first = Number(p.port ?? 0);
        if (first === 0) return true;
        return port >= first && port <= Math.max(first, Number(p.endPort ?? first));
      });
    if (!hit) continue;
    matched = true;
    const rules = entry.rules ?? {};
    if (rules.http?.length) http.push(...rules.http);
    else if (rules.dns?.length) dns.push(...rules.dns);
    else plain = true;
  }
  if (!matched) {
    return {
      tri: namedPort !== undefined ? maybe(false, `only if the named port '${namedPort}' is ${protocol}/${port}`) : NO,
    };
  }
  return {
    tri: YES,
    http: plain ? undefined : http.length ? http : undefined,
    dns: plain ? undefined : dns.length ? dns : undefined,
  };
}

/** An HTTP rule of a policy in one line, e.g. `GET /api/.*`. */
export function describeHttpRule(r: any): string {
  const parts = [r.method ?? '*', r.path ?? '/*'];
  if (r.host) parts.push(`host ${r.host}`);
  for (const h of r.headers ?? []) parts.push(`header '${h}'`);
  return parts.join(' ');
}

/** Whether an HTTP rule admits a request (regexes match the whole value, as Envoy does). */
export function httpRuleAdmits(r: any, req: HttpRequestInfo): boolean {
  const full = (re: string | undefined, v: string | undefined) =>
    re === undefined || (v !== undefined && new RegExp(`^(?:${re})$`).test(v));
  const headers = new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const headerOk = (h: string) => {
    const i = h.indexOf(':');
    const name = (i < 0 ? h : h.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? undefined : h.slice(i + 1).trim();
    return headers.has(name) && (value === undefined || headers.get(name) === value);
  };
  return (
    full(r.method, req.method) && full(r.path, req.path) && full(r.host, req.host) && (r.headers ?? []).every(headerOk)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

function describeEndpoint(e: ConnectivityEndpoint): string {
  return e.name;
}

function describePort(q: ConnectivityQuery): string {
  return `${q.protocol}/${q.port}`;
}

interface Matched {
  readonly rule: Rule;
  readonly tri: Tri;
  readonly port: PortMatch;
}

/**
 * Evaluates one side: the egress policy of the source or the ingress policy of the destination (`subject`),
 * against the other endpoint (`peer`).
 */
function evaluateSide(
  policies: readonly PolicyRules[],
  direction: 'ingress' | 'egress',
  subject: Extract<ConnectivityEndpoint, { type: 'pods' }>,
  peer: ConnectivityEndpoint,
  q: ConnectivityQuery,
  conditions: string[],
): SideVerdict {
  const selecting = policies
    .map((p) => ({ p, tri: subjectSelects(p.selector, subject, p.namespace) }))
    .filter((x) => x.tri.value || x.tri.conditions.length > 0);
  const allowSection = direction;
  const denySection = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';

  // Default deny: a selecting policy with rules in this direction and enableDefaultDeny not false.
  const enforcing = selecting.filter(
    ({ p }) => (p[allowSection].length > 0 || p[denySection].length > 0) && p.enableDefaultDeny[direction] !== false,
  );
  const certainEnforcing = enforcing.filter((x) => x.tri.value && x.tri.conditions.length === 0);
  const defaultDeny = enforcing.some((x) => x.tri.value);
  const defaultDenyBy = [...new Set(enforcing.filter((x) => x.tri.value).map((x) => x.p.policy))].sort();

  const match = (section: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny'): Matched[] =>
    selecting.flatMap(({ p, tri }) =>
      p[section]
        .map((rule) => {
          const port = portsCover(rule.body, q.port, q.protocol);
          return { rule, port, tri: and([tri, peerCovers(rule.body, direction, peer, p.namespace), port.tri]) };
        })
        .filter((m) => m.tri.value || m.tri.conditions.length > 0),
    );

  const denies = match(denySection);
  const allows = match(allowSection);
  const side = (
    allowed: boolean,
    decidedBy: Matched[],
    httpRules: string[],
    reason: string,
    dnsRules: string[] = [],
  ): SideVerdict => ({
    direction: direction === 'ingress' ? TrafficDirection.INGRESS : TrafficDirection.EGRESS,
    endpoint: describeEndpoint(subject),
    allowed,
    defaultDeny,
    defaultDenyBy,
    decidedBy: decidedBy.map((m) => m.rule.ref),
    httpRules,
    dnsRules,
    reason,
  });
  const certain = (m: Matched) => m.tri.value && m.tri.conditions.length === 0;

  const deny = denies.find((m) => m.tri.value);
  if (deny) {
    if (!certain(deny)) conditions.push(...deny.tri.conditions);
    return side(false, [deny], [], `denied by ${ref(deny.rule.ref)} (deny rules win over every allow)`);
  }
  // Denies that do not apply in the mesh's view but might: the verdict could flip to denied.
  const mayDeny = denies.filter((m) => !m.tri.value);

  const applying = allows.filter((m) => m.tri.value);
  // L7: a matching rule without L7 rules admits every request; otherwise the union of the HTTP rules filters them.
  const plain = applying.filter((m) => !m.port.http && !m.port.dns);
  const http = plain.length > 0 ? [] : applying.flatMap((m) => m.port.http ?? []);
  const httpRules = [...new Set(http.map(describeHttpRule))].sort();
  const dnsRules = [
    ...new Set(
      (plain.length > 0 ? [] : applying.flatMap((m) => m.port.dns ?? [])).map((d: any) =>
        String(d.matchName ?? d.matchPattern),
      ),
    ),
  ].sort();

  let verdict: SideVerdict;
  if (applying.length > 0) {
    const decided = plain.length > 0 ? plain : applying;
    const l7 =
      httpRules.length > 0
        ? `, HTTP filtered to ${httpRules.join('; ')}`
        : dnsRules.length > 0
          ? `, DNS lookups filtered to ${dnsRules.join(', ')}`
          : '';
    if (!decided.some(certain)) conditions.push(...decided.flatMap((m) => m.tri.conditions));
    verdict = side(
      true,
      decided,
      httpRules,
      `allowed by ${decided.map((m) => ref(m.rule.ref)).join(', ')}${l7}`,
      dnsRules,
    );
    if (httpRules.length > 0 && q.http && !http.some((r) => httpRuleAdmits(r, q.http!))) {
      verdict = side(
        false,
        applying,
        httpRules,
        `the request matches none of the HTTP rules of ${applying.map((m) => ref(m.rule.ref)).join(', ')} (${httpRules.join('; ')}): Envoy answers 403`,
      );
    }
    if (!defaultDeny) {
      verdict = { ...verdict, reason: `${verdict.reason} (no default deny in this direction)` };
    }
  } else if (defaultDeny) {
    if (certainEnforcing.length === 0) conditions.push(...enforcing.flatMap((x) => x.tri.conditions));
    conditions.push(...allows.flatMap((m) => m.tri.conditions));
    verdict = side(
      false,
      [],
      [],
      `no rule allows it and ${defaultDenyBy.join(', ')} put${defaultDenyBy.length === 1 ? 's' : ''} it in default deny`,
    );
  } else {
    conditions.push(...enforcing.flatMap((x) => x.tri.conditions));
    verdict = side(true, [], [], 'no policy puts it in default deny in this direction');
  }
  if (verdict.allowed) conditions.push(...mayDeny.flatMap((m) => m.tri.conditions));
  return verdict;
}

function ref(r: RuleReference): string {
  return `${r.policy} ${r.rule}`;
}

/**
 * The condition under which a `toFQDNs` allow works: Cilium learns a name's addresses only from DNS answers its DNS
 * proxy sees, so the source needs an egress rule to kube-dns whose DNS rules cover the name. Undefined when it has one.
 */
function dnsProxyCondition(
  policies: readonly PolicyRules[],
  source: Extract<ConnectivityEndpoint, { type: 'pods' }>,
  fqdn: string,
): string | undefined {
  const kubeDns: ConnectivityEndpoint = {
    type: 'pods',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'kube-dns' },
    name: 'kube-system/kube-dns',
  };
  const visible = policies.some(
    (p) =>
      subjectSelects(p.selector, source, p.namespace).value &&
      p.egress.some((r) => {
        const port = portsCover(r.body, 53, 'UDP');
        return (
          peerCovers(r.body, 'egress', kubeDns, p.namespace).value &&
          port.tri.value &&
          (port.dns ?? []).some((d) => fqdnMatches(d, fqdn))
        );
      }),
  );
  return visible
    ? undefined
    : `${source.name} learns the addresses of ${fqdn} only from DNS answers seen by Cilium's DNS proxy, and no egress rule with DNS rules to kube-dns covering that name selects it`;
}

/**
 * Evaluates a query against a mesh's Cilium policies (from `readPolicies`): deny rules win, then allow rules; an endpoint
 * is in default deny in a direction when a policy selecting it has rules there and does not set
 * `enableDefaultDeny` to false for it. Traffic between pods needs the source's egress and the destination's
 * ingress to allow it; policies of endpoints outside the mesh's pods (entities, addresses) are not evaluated.
 */
export function evaluateConnectivity(policies: readonly PolicyRules[], q: ConnectivityQuery): ConnectivityVerdict {
  if (!['TCP', 'UDP', 'SCTP'].includes(q.protocol)) {
    throw new MeshValidationError(`protocol must be TCP, UDP or SCTP, got '${q.protocol}'`);
  }
  const conditions: string[] = [];
  const sides: SideVerdict[] = [];
  if (q.from.type === 'pods') {
    sides.push(evaluateSide(policies, 'egress', q.from, q.to, q, conditions));
    const byFqdn = sides[0].decidedBy.some((r) =>
      policies.some(
        (p) => p.policy === r.policy && p.egress.some((x) => x.ref.rule === r.rule && x.body.toFQDNs !== undefined),
      ),
    );
    if (q.to.type === 'fqdn' && sides[0].allowed && sides[0].defaultDeny && byFqdn) {
      const c = dnsProxyCondition(policies, q.from, q.to.fqdn);
      if (c) conditions.push(c);
    }
  }
  if (q.to.type === 'pods') {
    sides.push(evaluateSide(policies, 'ingress', q.to, q.from, q, conditions));
  }
  const allowed = sides.every((s) => s.allowed);
  const unique = [...new Set(conditions)].sort();
  const head =
    `${describeEndpoint(q.from)} → ${describeEndpoint(q.to)} ${describePort(q)}` +
    `${q.http ? ` (${q.http.method ?? '*'} ${q.http.path ?? '*'})` : ''}: ${allowed ? 'allowed' : 'denied'}${unique.length ? ' (conditional)' : ''}`;
  const lines = [head];
  for (const s of sides) {
    lines.push(`  ${s.direction} at ${s.endpoint}: ${s.reason}`);
  }
  if (sides.length === 0) {
    lines.push('  neither end is a pod of the mesh, so no Cilium policy of the mesh applies');
  }
  for (const c of unique) {
    lines.push(`  conditional: ${c}`);
  }
  return { allowed, conditions: unique, sides, explanation: lines.join('\n') };
}
