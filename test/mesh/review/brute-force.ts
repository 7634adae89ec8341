/**
 * An independent, brute-force reading of Cilium policy, for cross-checking MeshAssertions. It shares no code with
 * lib/mesh/review: it builds what Cilium's datapath holds, a policy map per endpoint and direction with one entry
 * per (peer identity, protocol, port) of a finite universe, and answers by lookup. Pods carry exactly the labels
 * the mesh knows (the verdicts MeshAssertions gives before conditions).
 */

/** A concrete identity: a set of `source:key=value` labels. */
export interface Identity {
  readonly id: string;
  readonly labels: ReadonlySet<string>;
  /** Pods are endpoints with policy maps; the others are peers only. */
  readonly pod?: { readonly namespace: string };
  /** For DNS-name destinations: the name (toFQDNs). */
  readonly fqdn?: string;
  /** For outside addresses: the address (CIDR rules). */
  readonly address?: string;
  /** `namespace/name` of Services in front of a pod identity (toServices). */
  readonly services?: readonly string[];
}

/** A pod identity in the minimal world. */
export function podIdentity(
  id: string,
  namespace: string,
  labels: Record<string, string>,
  services: string[] = [],
): Identity {
  const set = new Set(Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`));
  set.add(`k8s:io.kubernetes.pod.namespace=${namespace}`);
  set.add('k8s:io.cilium.k8s.policy.cluster=default');
  return { id, labels: set, pod: { namespace }, services };
}

/** A reserved identity (`reserved:world`, ...). */
export function reservedIdentity(entity: string): Identity {
  return { id: `entity ${entity}`, labels: new Set([`reserved:${entity}`]) };
}

export function fqdnIdentity(name: string): Identity {
  return { id: name, labels: new Set(['reserved:world']), fqdn: name };
}

export function addressIdentity(address: string): Identity {
  return { id: address, labels: new Set(['reserved:world']), address };
}

type Sel = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};

function valueOf(identity: Identity, key: string): string | undefined {
  const bare = key.replace(/^(k8s|any|reserved):/, '');
  for (const l of identity.labels) {
    const [src, rest] = [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)];
    const eq = rest.indexOf('=');
    const k = eq < 0 ? rest : rest.slice(0, eq);
    const v = eq < 0 ? '' : rest.slice(eq + 1);
    const wantSource = key.includes(':') ? key.slice(0, key.indexOf(':')) : undefined;
    if (k === bare && (wantSource === undefined || wantSource === 'any' || wantSource === src)) return v;
  }
  return undefined;
}

function selects(sel: Sel, identity: Identity): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (valueOf(identity, k) !== v) return false;
  }
  for (const x of sel.matchExpressions ?? []) {
    const v = valueOf(identity, x.key);
    if (x.operator === 'In' && !(v !== undefined && (x.values ?? []).includes(v))) return false;
    if (x.operator === 'NotIn' && v !== undefined && (x.values ?? []).includes(v)) return false;
    if (x.operator === 'Exists' && v === undefined) return false;
    if (x.operator === 'DoesNotExist' && v !== undefined) return false;
  }
  return true;
}

/** Adds the policy's namespace to a selector that names none (CiliumNetworkPolicy scoping). */
function scoped(sel: Sel, namespace: string | undefined): Sel {
  if (namespace === undefined) return sel;
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((x) => x.key)];
  if (keys.some((k) => k.replace(/^(k8s|any):/, '') === 'io.kubernetes.pod.namespace')) return sel;
  return { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), 'k8s:io.kubernetes.pod.namespace': namespace } };
}

/** A policy's own selector: a namespaced policy always applies in its namespace, whatever the selector says. */
function subjectSelector(sel: Sel, namespace: string | undefined): Sel {
  if (namespace === undefined) return sel;
  const notNs = (k: string) => k.replace(/^(k8s|any):/, '') !== 'io.kubernetes.pod.namespace';
  return {
    matchLabels: {
      ...Object.fromEntries(Object.entries(sel.matchLabels ?? {}).filter(([k]) => notNs(k))),
      'k8s:io.kubernetes.pod.namespace': namespace,
    },
    matchExpressions: (sel.matchExpressions ?? []).filter((x) => notNs(x.key)),
  };
}

/** Selectors of reserved labels are not scoped to the policy's namespace and select reserved identities. */
function reservedSelector(sel: Sel): boolean {
  return [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((x) => x.key)].some((k) =>
    k.startsWith('reserved:'),
  );
}

/** Entities as selectors (Cilium's entity table; `cluster` = the reserved in-cluster identities + the cluster's pods). */
function entitySelectors(entity: string): Sel[] {
  const reserved = (n: string): Sel => ({ matchLabels: { [`reserved:${n}`]: '' } });
  switch (entity) {
    case 'all':
      return [{}];
    case 'world':
    case 'world-ipv4':
    case 'world-ipv6':
      return [reserved('world')];
    case 'cluster':
    case 'cluster-mesh':
      return [
        ...['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'].map(reserved),
        { matchLabels: { 'k8s:io.cilium.k8s.policy.cluster': 'default' } },
      ];
    case 'none':
      return [];
    default:
      return [reserved(entity)];
  }
}

function inCidr(address: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  if (address.includes(':') || net.includes(':')) return address === net; // the test universe uses IPv4
  const toInt = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return Math.floor(toInt(address) / size) === Math.floor(toInt(net) / size);
}

function fqdnMatch(f: { matchName?: string; matchPattern?: string }, name: string): boolean {
  if (f.matchName) return f.matchName.toLowerCase() === name.toLowerCase();
  if (f.matchPattern === '*') return true;
  const parts = (f.matchPattern ?? '').toLowerCase().split('.');
  const labels = name.toLowerCase().split('.');
  return (
    parts.length === labels.length &&
    parts.every((p, i) => {
      const re = new RegExp(
        `^${p
          .split('*')
          .map((s) => s.replace(/[-]/g, '\\-'))
          .join('[a-z0-9_-]*')}$`,
      );
      return re.test(labels[i]);
    })
  );
}

/** The peers (of `universe`) that a rule's L3 part covers. */
function peersOf(
  rule: any,
  direction: 'ingress' | 'egress',
  universe: readonly Identity[],
  namespace: string | undefined,
): Identity[] {
  const p = direction === 'ingress' ? 'from' : 'to';
  const l3Keys = ['Endpoints', 'Entities', 'CIDR', 'CIDRSet', 'FQDNs', 'Services']
    .map((k) => `${p}${k}`)
    .filter((k) => rule[k] !== undefined);
  if (l3Keys.length === 0) {
    return rule.toPorts ? [...universe] : [];
  }
  return universe.filter(
    (id) =>
      (rule[`${p}Endpoints`] ?? []).some((s: Sel) =>
        reservedSelector(s) ? selects(s, id) : id.pod !== undefined && selects(scoped(s, namespace), id),
      ) ||
      (rule[`${p}Entities`] ?? []).some((e: string) => entitySelectors(e).some((s) => selects(s, id))) ||
      (rule[`${p}CIDR`] ?? []).some((c: string) => id.address !== undefined && inCidr(id.address, c)) ||
      (rule[`${p}CIDRSet`] ?? []).some(
        (c: any) =>
          id.address !== undefined &&
          inCidr(id.address, c.cidr) &&
          !(c.except ?? []).some((x: string) => inCidr(id.address!, x)),
      ) ||
      (rule.toFQDNs ?? []).some((f: any) => id.fqdn !== undefined && fqdnMatch(f, id.fqdn)) ||
      (rule.toServices ?? []).some((s: any) =>
        (id.services ?? []).includes(`${s.k8sService?.namespace}/${s.k8sService?.serviceName}`),
      ),
  );
}

/** `proto/port` keys of the universe a rule's ports cover, with the L7 kind per key ('' = none). */
function portsOf(rule: any, ports: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, l7: string[]) => out.set(key, [...(out.get(key) ?? []), ...l7]);
  if (!rule.toPorts || rule.toPorts.length === 0) {
    ports.forEach((k) => add(k, ['']));
    return out;
  }
  for (const entry of rule.toPorts) {
    const l7 = entry.rules?.http?.length
      ? entry.rules.http.map((h: any) => `http:${JSON.stringify(h)}`)
      : entry.rules?.dns?.length
        ? entry.rules.dns.map((d: any) => `dns:${JSON.stringify(d)}`)
        : [''];
    for (const key of ports) {
      const [proto, port] = key.split('/');
      const covered =
        (entry.ports ?? []).length === 0 ||
        entry.ports.some((x: any) => {
          const pr = (x.protocol ?? 'ANY').toUpperCase();
          const first = Number(x.port ?? 0);
          return (
            (pr === 'ANY' || pr === proto) &&
            (first === 0 || (Number(port) >= first && Number(port) <= (x.endPort ?? first)))
          );
        });
      if (covered) add(key, l7);
    }
  }
  return out;
}

interface Entry {
  deny: boolean;
  allow: boolean;
  l7: Set<string>;
}
export interface PolicyMap {
  readonly defaultDeny: boolean;
  readonly entries: Map<string, Entry>;
}

/** Builds the policy map of `endpoint` in `direction` over the universe. */
export function policyMap(
  objects: readonly any[],
  endpoint: Identity,
  direction: 'ingress' | 'egress',
  universe: readonly Identity[],
  ports: readonly string[],
): PolicyMap {
  const entries = new Map<string, Entry>();
  let defaultDeny = false;
  for (const o of objects) {
    if (o.kind !== 'CiliumNetworkPolicy' && o.kind !== 'CiliumClusterwideNetworkPolicy') continue;
    const namespace = o.kind === 'CiliumNetworkPolicy' ? (o.metadata?.namespace ?? 'default') : undefined;
    for (const spec of [o.spec, ...(o.specs ?? [])].filter(Boolean)) {
      if (!spec.endpointSelector || !selects(subjectSelector(spec.endpointSelector, namespace), endpoint)) continue;
      const allows: any[] = spec[direction] ?? [];
      const denies: any[] = spec[`${direction}Deny`] ?? [];
      const flag = spec.enableDefaultDeny?.[direction];
      if ((allows.length > 0 || denies.length > 0) && flag !== false) defaultDeny = true;
      for (const [rules, deny] of [
        [allows, false],
        [denies, true],
      ] as const) {
        for (const rule of rules) {
          const peerIds = peersOf(rule, direction, universe, namespace);
          const portMap = portsOf(rule, ports);
          for (const peer of peerIds) {
            for (const [key, l7] of portMap) {
              const k = `${peer.id}|${key}`;
              const e = entries.get(k) ?? { deny: false, allow: false, l7: new Set<string>() };
              if (deny) e.deny = true;
              else {
                e.allow = true;
                l7.forEach((x) => e.l7.add(x));
              }
              entries.set(k, e);
            }
          }
        }
      }
    }
  }
  return { defaultDeny, entries };
}

/** The verdict at one side: allowed or not, and the HTTP rules that filter requests (none: every request passes). */
export function lookup(
  map: PolicyMap,
  peer: Identity,
  portKey: string,
): { allowed: boolean; l7: boolean; http: any[] } {
  const e = map.entries.get(`${peer.id}|${portKey}`);
  if (e?.deny) return { allowed: false, l7: false, http: [] };
  const l7 = e !== undefined && e.allow && !e.l7.has('') && e.l7.size > 0;
  const http = l7 ? [...e!.l7].filter((x) => x.startsWith('http:')).map((x) => JSON.parse(x.slice(5))) : [];
  if (e?.allow) return { allowed: true, l7, http };
  return { allowed: !map.defaultDeny, l7: false, http: [] };
}

/** A request against one HTTP rule of a policy: method, path and host are regular expressions over the whole value. */
export function requestMatches(rule: any, req: { method: string; path: string }): boolean {
  const whole = (re: string | undefined, v: string) => re === undefined || new RegExp(`^(?:${re})$`).test(v);
  return (
    whole(rule.method, req.method) &&
    whole(rule.path, req.path) &&
    rule.host === undefined &&
    (rule.headers ?? []).length === 0
  );
}

export interface BruteVerdict {
  readonly allowed: boolean;
  readonly l7: boolean;
  /** HTTP rules per filtering side (each side must admit a request). */
  readonly http: any[][];
}

/** Brute-force verdict for every (from, to, port) of the universe; keys `from|to|proto/port`. */
export function bruteForce(
  objects: readonly any[],
  universe: readonly Identity[],
  ports: readonly string[],
): Map<string, BruteVerdict> {
  const maps = new Map<string, { ingress: PolicyMap; egress: PolicyMap }>();
  for (const id of universe.filter((u) => u.pod)) {
    maps.set(id.id, {
      ingress: policyMap(objects, id, 'ingress', universe, ports),
      egress: policyMap(objects, id, 'egress', universe, ports),
    });
  }
  const open = { allowed: true, l7: false, http: [] as any[] };
  const out = new Map<string, BruteVerdict>();
  for (const from of universe) {
    for (const to of universe) {
      if (from === to || (!from.pod && !to.pod)) continue;
      for (const port of ports) {
        const e = from.pod ? lookup(maps.get(from.id)!.egress, to, port) : open;
        const i = to.pod ? lookup(maps.get(to.id)!.ingress, from, port) : open;
        out.set(`${from.id}|${to.id}|${port}`, {
          allowed: e.allowed && i.allowed,
          l7: e.l7 || i.l7,
          http: [e.http, i.http].filter((h) => h.length > 0),
        });
      }
    }
  }
  return out;
}
