import type { ServiceMesh } from '../service-mesh';
import { type ConnectivityEndpoint, type Selector, certainlySelects, describeHttpRule } from './connectivity';
import { meshEndpoints, workloadName } from './endpoints';
import { compareText, inReviewOrder, objectSortKey } from '../../delivery/review-manifest';
import { sha256Hex } from '../../private/hash';
import { sortKeysDeep } from '../../private/json';

/** A workload as the diagram shows it. */
export interface DiagramWorkload {
  /** The node label, e.g. the construct id `Backend`. */
  readonly name: string;
  readonly namespace: string;
  /** The labels that select its pods. */
  readonly labels: { [key: string]: string };
  /** The Service in front of its pods, when known. */
  readonly service?: string;
}

/** What `renderMeshDiagram` draws. */
export interface MeshDiagramInput {
  /** The mesh's objects (`mesh.toJson()`), in any order. */
  readonly objects: any[];
  /** The mesh's workloads, in any order. */
  readonly workloads: DiagramWorkload[];
}

interface WorkloadNode {
  readonly node: Node;
  readonly endpoint: ConnectivityEndpoint;
  readonly service?: string;
}

type Shape = 'workload' | 'service' | 'selector' | 'external' | 'gateway' | 'resilience';

interface Node {
  readonly id: string;
  readonly label: string;
  readonly namespace?: string;
  readonly shape: Shape;
}

type EdgeKind = 'allow' | 'deny' | 'route' | 'mirror' | 'resilience';

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly labels: Set<string>;
}

const ARROWS: Record<EdgeKind, string> = { allow: '-->', deny: '--x', route: '==>', mirror: '-.->', resilience: '-.-' };
/** Envoy settings that make a CiliumEnvoyConfig a resilience policy (camelCase; the objects may use snake_case). */
const RESILIENCE_KEYS = new Set([
  'circuitBreakers',
  'outlierDetection',
  'lbPolicy',
  'retryPolicy',
  'timeout',
  'connectTimeout',
  'tokenBucket',
  'abort',
  'delay',
  'directResponse',
  'runtimeFraction',
  'healthChecks',
  'hashPolicy',
]);

/**
 * Node ids made so far, per prefix (key → id): a large mesh asks for the same few ids thousands of times (one map per
 * prefix, so that a lookup builds no string).
 */
const IDS = new Map<string, Map<string, string>>();
/** Ids kept at most; the cache starts over beyond it (a pure function, so only time is lost). */
const IDS_KEPT = 100_000;

/** A Mermaid node id that a reviewer can read in the source: the key in safe characters plus a short hash. */
function id(prefix: string, key: string): string {
  let ids = IDS.get(prefix);
  if (ids === undefined) {
    ids = new Map();
    IDS.set(prefix, ids);
  }
  const known = ids.get(key);
  if (known !== undefined) return known;
  const readable = key
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 40);
  const made = `${prefix}_${readable}_${sha256Hex(key).slice(0, 4)}`;
  if (ids.size >= IDS_KEPT) ids.clear();
  ids.set(key, made);
  return made;
}

/** `id` for the namespace overview (overview.ts), so that its namespaces and entities keep their diagram ids. */
export function nodeId(prefix: string, key: string): string {
  return id(prefix, key);
}

/** Mermaid label text: quotes and angle brackets escaped, lines joined with `<br/>`. */
export function text(lines: readonly string[]): string {
  return lines.map((l) => l.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>');
}

function nsId(namespace: string): string {
  return id('ns', namespace);
}

/** A port rule in one line: `TCP/8080`, `UDP/53`, `TCP/7000-7010`, `any port`. */
function portsLabel(toPorts: any[] | undefined): string[] {
  if (!toPorts || toPorts.length === 0) return ['any port'];
  const out: string[] = [];
  for (const entry of toPorts) {
    const ports = (entry.ports ?? []).map(
      (p: any) => `${p.protocol ?? 'ANY'}/${p.port}${p.endPort && p.endPort !== Number(p.port) ? `-${p.endPort}` : ''}`,
    );
    const l7 = entry.rules?.http?.length
      ? ` ${entry.rules.http.map(describeHttpRule).join(' | ')}`
      : entry.rules?.dns?.length
        ? ` dns ${entry.rules.dns.map((d: any) => d.matchName ?? d.matchPattern).join(' | ')}`
        : '';
    for (const p of ports.length ? ports : ['any port']) out.push(`${p}${l7}`);
  }
  return out;
}

/** Drops a plain `TCP/8080` when the same port also appears with L7 rules: both sides must allow, so L7 filters. */
function effectiveLabels(labels: Iterable<string>): string[] {
  const all = [...labels];
  return all.filter((l) => l.includes(' ') || !all.some((o) => o !== l && o.startsWith(`${l} `))).sort();
}

class DiagramBuilder {
  public readonly nodes = new Map<string, Node>();
  /** Edges in the order they were first drawn. */
  public readonly edges: Edge[] = [];
  /** from → to → kind → edge: the ids are the memoized strings of `id`, so no key string is built per edge. */
  private readonly edgeIndex = new Map<string, Map<string, Map<EdgeKind, Edge>>>();
  /** namespace → directions under a namespace-wide default deny, with the policies */
  public readonly zones = new Map<string, Set<string>>();
  /** node id → directions under a workload default deny */
  public readonly enforced = new Map<string, Set<string>>();
  private readonly workloadNodes: WorkloadNode[] = [];
  /** Indexes, so that a mesh of thousands of workloads is drawn in linear time: by namespace, by `key=value`. */
  private readonly byNamespace = new Map<string, WorkloadNode[]>();
  private readonly byLabel = new Map<string, WorkloadNode[]>();
  private readonly byService = new Map<string, WorkloadNode>();
  private readonly selections = new Map<string, string[]>();

  constructor(input: MeshDiagramInput) {
    const sorted = input.workloads
      .map((w) => ({ w, key: `${w.namespace}/${w.name}` }))
      .sort((a, b) => compareText(a.key, b.key))
      .map((x) => x.w);
    for (const w of sorted) {
      const node = this.node({
        id: id('w', `${w.namespace}/${w.name}`),
        label: w.name,
        namespace: w.namespace,
        shape: 'workload',
      });
      const entry: WorkloadNode = {
        node,
        service: w.service,
        endpoint: { type: 'pods', namespace: w.namespace, labels: { ...w.labels }, name: w.name },
      };
      this.workloadNodes.push(entry);
      const inNamespace = this.byNamespace.get(w.namespace) ?? [];
      inNamespace.push(entry);
      this.byNamespace.set(w.namespace, inNamespace);
      for (const [k, v] of Object.entries(w.labels)) {
        const key = `${k}=${v}`;
        const list = this.byLabel.get(key) ?? [];
        list.push(entry);
        this.byLabel.set(key, list);
      }
      if (w.service && !this.byService.has(`${w.namespace}/${w.service}`))
        this.byService.set(`${w.namespace}/${w.service}`, entry);
    }
  }

  /** Workloads a selector may select: narrowed by its namespace and its rarest label, then checked one by one. */
  private candidates(selector: Selector, namespace: string | undefined): WorkloadNode[] {
    const lists: WorkloadNode[][] = [];
    if (namespace !== undefined) lists.push(this.byNamespace.get(namespace) ?? []);
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
      if (k.replace(/^k8s:/, '') !== 'io.kubernetes.pod.namespace')
        lists.push(this.byLabel.get(`${k.replace(/^k8s:/, '')}=${v}`) ?? []);
    }
    return lists.length === 0 ? this.workloadNodes : lists.reduce((a, b) => (b.length < a.length ? b : a));
  }

  public node(n: Node): Node {
    if (!this.nodes.has(n.id)) this.nodes.set(n.id, n);
    return this.nodes.get(n.id)!;
  }

  public edge(from: string, to: string, kind: EdgeKind, label: string): void {
    let byTo = this.edgeIndex.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.edgeIndex.set(from, byTo);
    }
    let byKind = byTo.get(to);
    if (byKind === undefined) {
      byKind = new Map();
      byTo.set(to, byKind);
    }
    const e = byKind.get(kind);
    if (e) e.labels.add(label);
    else {
      const made: Edge = { from, to, kind, labels: new Set([label]) };
      byKind.set(kind, made);
      this.edges.push(made);
    }
  }

  /** The workloads of a namespace. */
  public workloadsIn(namespace: string): Node[] {
    return (this.byNamespace.get(namespace) ?? []).map((w) => w.node);
  }

  public namespaces(): string[] {
    return [
      ...new Set([...this.nodes.values()].map((n) => n.namespace).filter((n): n is string => n !== undefined)),
    ].sort();
  }

  /** Nodes for the pods a selector picks: the workloads it certainly selects, else one node for the selector. */
  public selected(selector: Selector, scope: string | undefined): string[] {
    const memo = `${scope ?? ''}|${JSON.stringify(selector)}`;
    const known = this.selections.get(memo);
    if (known) return known;
    const labels = { ...(selector.matchLabels ?? {}) };
    const nsKey = Object.keys(labels).find((k) => k.replace(/^k8s:/, '') === 'io.kubernetes.pod.namespace');
    const namespace = nsKey ? labels[nsKey] : scope;
    const hits = this.candidates(selector, namespace)
      .filter((w) => certainlySelects(selector, w.endpoint, scope))
      .map((w) => w.node.id);
    const out = this.select(selector, labels, nsKey, namespace, hits);
    this.selections.set(memo, out);
    return out;
  }

  private select(
    selector: Selector,
    labels: Record<string, string>,
    nsKey: string | undefined,
    namespace: string | undefined,
    hits: string[],
  ): string[] {
    if (nsKey) delete labels[nsKey];
    const exprs = (selector.matchExpressions ?? []).map(
      (x) => `${x.key} ${x.operator}${x.values ? ` (${x.values.join(', ')})` : ''}`,
    );
    const rest = [
      ...Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort(),
      ...exprs,
    ];
    if (rest.length === 0 && namespace !== undefined) {
      // every pod of the namespace: the namespace box itself
      this.node({ id: nsId(namespace), label: namespace, namespace, shape: 'selector' });
      return [nsId(namespace)];
    }
    if (hits.length > 0) return hits;
    const label = rest.length > 0 ? rest.join(', ') : 'all pods';
    return [
      this.node({ id: id('sel', `${namespace ?? '*'}|${label}`), label: `pods ${label}`, namespace, shape: 'selector' })
        .id,
    ];
  }

  public external(key: string, label: string): string {
    return this.node({ id: id('x', key), label, shape: 'external' }).id;
  }

  /** The node of a Service: the workload that names it, else a Service node. */
  public service(namespace: string, name: string): string {
    const w = this.byService.get(`${namespace}/${name}`);
    if (w) return w.node.id;
    return this.node({ id: id('s', `${namespace}/${name}`), label: `Service ${name}`, namespace, shape: 'service' }).id;
  }

  /** Nodes for the peers of a rule. */
  public peers(rule: any, direction: 'ingress' | 'egress', scope: string | undefined): string[] {
    const p = direction === 'ingress' ? 'from' : 'to';
    const out: string[] = [];
    for (const s of rule[`${p}Endpoints`] ?? []) {
      const reserved = Object.keys(s.matchLabels ?? {}).find((k) => k.startsWith('reserved:'));
      out.push(
        ...(reserved ? [this.external(`entity:${reserved.slice(9)}`, reserved.slice(9))] : this.selected(s, scope)),
      );
    }
    for (const e of rule[`${p}Entities`] ?? []) out.push(this.external(`entity:${e}`, e));
    for (const c of rule[`${p}CIDR`] ?? []) out.push(this.external(`cidr:${c}`, c));
    for (const c of rule[`${p}CIDRSet`] ?? []) {
      const label = `${c.cidr ?? c.cidrGroupRef}${c.except?.length ? ` except ${c.except.join(', ')}` : ''}`;
      out.push(this.external(`cidr:${label}`, label));
    }
    for (const f of rule.toFQDNs ?? [])
      out.push(this.external(`fqdn:${f.matchName ?? f.matchPattern}`, f.matchName ?? f.matchPattern));
    for (const s of rule.toServices ?? []) {
      if (s.k8sService) out.push(this.service(s.k8sService.namespace ?? scope ?? 'default', s.k8sService.serviceName));
    }
    const hasPeer =
      ['Endpoints', 'Entities', 'CIDR', 'CIDRSet', 'Nodes', 'Groups'].some((k) => rule[`${p}${k}`]) ||
      rule.toFQDNs ||
      rule.toServices;
    if (!hasPeer && rule.toPorts) out.push(this.external('any', 'any peer'));
    return [...new Set(out)];
  }
}

function policies(b: DiagramBuilder, objects: readonly any[]): void {
  for (const o of objects) {
    const clusterwide = o.kind === 'CiliumClusterwideNetworkPolicy';
    if (o.kind !== 'CiliumNetworkPolicy' && !clusterwide) continue;
    const scope = clusterwide ? undefined : (o.metadata?.namespace ?? 'default');
    for (const spec of [o.spec, ...(o.specs ?? [])].filter((s) => s?.endpointSelector)) {
      // A namespaced policy applies in its own namespace whatever its selector says (Cilium replaces the namespace).
      const selector: Selector = clusterwide ? spec.endpointSelector : withoutNamespace(spec.endpointSelector);
      const wholeNamespace =
        !clusterwide &&
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        !(selector.matchExpressions ?? []).length;
      const subjects = clusterwide ? b.selected(selector, undefined) : b.selected(selector, scope);
      for (const direction of ['ingress', 'egress'] as const) {
        const denyKey = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
        const has = (spec[direction]?.length ?? 0) + (spec[denyKey]?.length ?? 0) > 0;
        if (has && spec.enableDefaultDeny?.[direction] !== false) {
          const nsList = wholeNamespace
            ? [scope!]
            : clusterwide
              ? b
                  .namespaces()
                  .filter((ns) => certainlySelects(selector, { type: 'pods', namespace: ns, labels: {}, name: ns }))
              : [];
          for (const ns of nsList) addTo(b.zones, ns, direction);
          if (nsList.length === 0) {
            for (const s of subjects) addTo(b.enforced, s, direction);
          }
        }
        for (const [section, kind] of [
          [direction, 'allow'],
          [denyKey, 'deny'],
        ] as const) {
          for (const rule of spec[section] ?? []) {
            const labels = portsLabel(rule.toPorts).map((l) =>
              rule.authentication?.mode === 'required' ? `${l} mTLS` : l,
            );
            for (const peer of b.peers(rule, direction, scope)) {
              for (const subject of subjects) {
                const [from, to] = direction === 'ingress' ? [peer, subject] : [subject, peer];
                if (from === to) continue;
                labels.forEach((l) => b.edge(from, to, kind, kind === 'deny' ? `deny ${l}` : l));
              }
            }
          }
        }
      }
    }
  }
}

/** Adds `value` to the set under `key`. */
function addTo(sets: Map<string, Set<string>>, key: string, value: string): void {
  const set = sets.get(key);
  if (set) set.add(value);
  else sets.set(key, new Set([value]));
}

function withoutNamespace(s: Selector): Selector {
  const isNs = (k: string) => k.replace(/^k8s:/, '') === 'io.kubernetes.pod.namespace';
  return {
    ...(s.matchLabels
      ? { matchLabels: Object.fromEntries(Object.entries(s.matchLabels).filter(([k]) => !isNs(k))) }
      : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.filter((x) => !isNs(x.key)) } : {}),
  };
}

function percent(weight: number, total: number): string {
  return total === 0 ? '0%' : `${Math.round((weight / total) * 1000) / 10}%`;
}

/** One route match in a few characters: `/api`, `= /exact`, `~ regex`, a gRPC `service/method`, headers by name. */
function matchLabel(m: any): string {
  if (m.method !== null && typeof m.method === 'object') {
    // GRPCRoute: { service, method }
    const grpc = `${m.method.service ?? '*'}/${m.method.method ?? '*'}`;
    const headers = (m.headers ?? []).map((h: any) => `${h.name}`);
    return `${grpc}${headers.length ? ` [${headers.join(', ')}]` : ''}`;
  }
  const path = m.path
    ? m.path.type === 'Exact'
      ? `= ${m.path.value}`
      : m.path.type === 'RegularExpression'
        ? `~ ${m.path.value}`
        : `${m.path.value}`
    : '/';
  const extra = [
    m.method,
    ...(m.headers ?? []).map((h: any) => `${h.name}`),
    ...(m.queryParams ?? []).map((q: any) => `?${q.name}`),
  ].filter(Boolean);
  return `${path}${extra.length ? ` [${extra.join(', ')}]` : ''}`;
}

function routes(b: DiagramBuilder, objects: readonly any[]): void {
  for (const o of objects) {
    const namespace = o.metadata?.namespace ?? 'default';
    if (o.kind === 'Gateway' && String(o.apiVersion).startsWith('gateway.networking.k8s.io/')) {
      const gw = b.node({
        id: id('g', `${namespace}/${o.metadata.name}`),
        label: `Gateway ${o.metadata.name}`,
        namespace,
        shape: 'gateway',
      });
      for (const l of o.spec?.listeners ?? []) {
        b.edge(
          b.external('entity:world', 'world'),
          gw.id,
          'route',
          `${l.protocol} :${l.port}${l.hostname ? ` ${l.hostname}` : ''}`,
        );
      }
    }
  }
  for (const o of objects) {
    const namespace = o.metadata?.namespace ?? 'default';
    const isRoute = String(o.apiVersion).startsWith('gateway.networking.k8s.io/') && /Route$/.test(o.kind);
    if (isRoute) {
      const parents = (o.spec?.parentRefs ?? []).map((p: any) =>
        p.kind === 'Service'
          ? b.service(p.namespace ?? namespace, p.name)
          : b.node({
              id: id('g', `${p.namespace ?? namespace}/${p.name}`),
              label: `Gateway ${p.name}`,
              namespace: p.namespace ?? namespace,
              shape: 'gateway',
            }).id,
      );
      (o.spec?.rules ?? []).forEach((rule: any) => {
        const refs: any[] = rule.backendRefs ?? [];
        const total = refs.reduce((a, r) => a + (r.weight ?? 1), 0);
        const when = (rule.matches ?? []).map(matchLabel);
        const extras = [
          rule.timeouts?.request ? `timeout ${rule.timeouts.request}` : '',
          rule.retry ? `retry ${rule.retry.attempts ?? ''}`.trim() : '',
        ].filter(Boolean);
        const head = `${o.kind} ${o.metadata.name}${when.length ? ` ${[...new Set(when)].join(' | ')}` : ''}`;
        for (const parent of parents) {
          for (const r of refs) {
            const to = b.service(r.namespace ?? namespace, r.name);
            b.edge(
              parent,
              to,
              'route',
              [head, refs.length > 1 ? percent(r.weight ?? 1, total) : '', ...extras].filter(Boolean).join(' '),
            );
          }
          const mirrors = [...(rule.filters ?? []), ...refs.flatMap((r) => r.filters ?? [])].filter(
            (f: any) => f.requestMirror,
          );
          for (const f of mirrors) {
            const m = f.requestMirror;
            const share =
              m.percent !== undefined
                ? `${m.percent}%`
                : m.fraction
                  ? `${m.fraction.numerator}/${m.fraction.denominator ?? 100}`
                  : '100%';
            b.edge(
              parent,
              b.service(m.backendRef.namespace ?? namespace, m.backendRef.name),
              'mirror',
              `mirror ${share} (${o.metadata.name})`,
            );
          }
        }
      });
    }
    if (o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1') {
      const ing = b.node({
        id: id('g', `ingress/${namespace}/${o.metadata.name}`),
        label: `Ingress ${o.metadata.name}`,
        namespace,
        shape: 'gateway',
      });
      b.edge(b.external('entity:world', 'world'), ing.id, 'route', o.spec?.ingressClassName ?? 'ingress');
      const backends = [
        o.spec?.defaultBackend,
        ...(o.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend)),
      ];
      for (const be of backends.filter((x: any) => x?.service?.name)) {
        b.edge(ing.id, b.service(namespace, be.service.name), 'route', `Ingress ${o.metadata.name}`);
      }
    }
  }
}

/** snake_case (Envoy's proto field names) → camelCase (their JSON names); Envoy accepts both. */
function camel(key: string): string {
  if (!key.includes('_')) return key;
  const known = CAMEL.get(key);
  if (known !== undefined) return known;
  const made = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  if (CAMEL.size < IDS_KEPT) CAMEL.set(key, made);
  return made;
}
/** Envoy field names turned to camelCase so far: the same few hundred names recur in every resource. */
const CAMEL = new Map<string, string>();

/** Scalars below a value, as `name=value`, sorted (at most `limit`; nested keys by their last name). */
function scalars(value: unknown, limit = 6): string[] {
  const out = new Map<string, string>();
  const walk = (v: unknown, key: string, depth: number): void => {
    if (depth > 3 || out.size >= limit) return;
    if (Array.isArray(v)) v.forEach((x) => walk(x, key, depth + 1));
    else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v).sort())
        if (!k.startsWith('@') && k !== 'priority') walk((v as Record<string, unknown>)[k], camel(k), depth + 1);
    } else if (key !== '' && !out.has(key)) out.set(key, String(v));
  };
  walk(value, '', 0);
  return [...out.entries()].sort(([a], [b]) => compareText(a, b)).map(([k, v]) => `${k}=${v}`);
}

/** The resilience settings found in a CiliumEnvoyConfig's resources, one line per setting, sorted. */
export function resilienceSettings(resources: unknown): string[] {
  const found = new Map<string, Set<string>>();
  const add = (name: string, detail: string[]) => {
    const set = found.get(name) ?? new Set<string>();
    detail.forEach((d) => set.add(d));
    found.set(name, set);
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      x.forEach(walk);
      return;
    }
    if (x === null || typeof x !== 'object') return;
    // for-in: no array of entries per object of every resource (the objects are plain JSON)
    for (const rawKey in x) {
      const v = (x as Record<string, unknown>)[rawKey];
      const key = camel(rawKey);
      if (RESILIENCE_KEYS.has(key)) {
        add(key, typeof v === 'object' && v !== null ? scalars(v) : [String(v)]);
        if (typeof v === 'object') continue;
      }
      walk(v);
    }
  };
  walk(resources);
  return [...found.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, d]) => (d.size > 0 ? `${k}: ${[...d].join(', ')}` : k));
}

/** CiliumEnvoyConfig objects (resilience policies and the like), shown next to the Services they apply to. */
function envoyConfigs(b: DiagramBuilder, objects: readonly any[]): void {
  for (const o of objects) {
    if (o.kind !== 'CiliumEnvoyConfig' && o.kind !== 'CiliumClusterwideEnvoyConfig') continue;
    const namespace = o.kind === 'CiliumEnvoyConfig' ? (o.metadata?.namespace ?? 'default') : undefined;
    const node = b.node({
      id: id('r', `${o.kind}/${namespace ?? ''}/${o.metadata?.name}`),
      namespace,
      shape: 'resilience',
      label: [`${o.kind} ${o.metadata?.name}`, ...resilienceSettings(o.spec?.resources)].join('\n'),
    });
    for (const s of [...(o.spec?.services ?? []), ...(o.spec?.backendServices ?? [])]) {
      const ports = (s.ports ?? []).map((p: unknown) => `:${p}`).join(' ');
      b.edge(
        node.id,
        b.service(s.namespace ?? namespace ?? 'default', s.name),
        'resilience',
        `applies to${ports ? ` ${ports}` : ''}`,
      );
    }
  }
}

/**
 * Collapses identical edges: when one source reaches every workload of a namespace with the same label (or every
 * workload of a namespace reaches one target so), one edge to (from) the namespace replaces them.
 */
function collapse(b: DiagramBuilder, edges: Edge[]): Edge[] {
  let out = edges;
  for (const side of ['to', 'from'] as const) {
    const other = side === 'to' ? 'from' : 'to';
    const groups = new Map<string, Edge[]>();
    for (const e of out) {
      const n = b.nodes.get(e[side]);
      if (e.kind !== 'allow' || n?.shape !== 'workload') continue;
      const key = `${e[other]}|${n.namespace}|${effectiveLabels(e.labels).join(';')}`;
      const group = groups.get(key) ?? [];
      group.push(e);
      groups.set(key, group);
    }
    const dropped = new Set<Edge>();
    const added: Edge[] = [];
    for (const group of groups.values()) {
      const namespace = b.nodes.get(group[0][side])!.namespace!;
      const all = b.workloadsIn(namespace);
      if (group.length >= 2 && group.length === all.length) {
        group.forEach((e) => dropped.add(e));
        const labels = new Set([...effectiveLabels(group[0].labels)].map((l) => `${l} (all ${all.length} workloads)`));
        added.push(
          side === 'to'
            ? { from: group[0].from, to: nsId(namespace), kind: 'allow', labels }
            : { from: nsId(namespace), to: group[0].to, kind: 'allow', labels },
        );
      }
    }
    out = [...out.filter((e) => !dropped.has(e)), ...added];
  }
  return out;
}

function shapeOf(n: Node, b: DiagramBuilder): string {
  const enforced = b.enforced.get(n.id);
  const lines = [...n.label.split('\n'), ...(enforced ? [`default deny: ${[...enforced].sort().join(', ')}`] : [])];
  const t = `"${text(lines)}"`;
  switch (n.shape) {
    case 'workload':
      return `${n.id}[${t}]`;
    case 'service':
      return `${n.id}([${t}])`;
    case 'selector':
      return `${n.id}[/${t}/]`;
    case 'external':
      return `${n.id}((${t}))`;
    case 'gateway':
      return `${n.id}{{${t}}}`;
    case 'resilience':
      return `${n.id}>${t}]`;
  }
}

/**
 * The mesh as a Mermaid flowchart: namespaces as boxes (marked when under default deny), workloads, Services,
 * Gateways and outside peers as nodes, allowed flows with ports and L7 rules, deny rules, routes with weights and
 * mirrors, and CiliumEnvoyConfig resilience policies. Identical edges into or out of every workload of a namespace
 * collapse into one edge to the namespace. Pure and deterministic.
 */
export function renderMeshDiagram(input: MeshDiagramInput): string {
  // Drawn in identity order, so that the input order never shows (keys are read by name, so their order does not
  // matter). Objects the review files sorted (`sortForReview`, the same order) are not sorted again.
  const objects = inReviewOrder(input.objects)
    ? input.objects
    : [...input.objects]
        .map((o) => ({ o: o as any, key: objectSortKey(o) }))
        .sort(
          (a, b) =>
            compareText(a.key, b.key) ||
            compareText(JSON.stringify(sortKeysDeep(a.o)), JSON.stringify(sortKeysDeep(b.o))),
        )
        .map((x) => x.o);
  // One pass sorts out the objects each part draws (each part still checks its own), in the same order.
  const policyObjects: any[] = [];
  const routingObjects: any[] = [];
  const envoyObjects: any[] = [];
  for (const o of objects) {
    const kind = o.kind;
    if (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy') policyObjects.push(o);
    else if (kind === 'CiliumEnvoyConfig' || kind === 'CiliumClusterwideEnvoyConfig') envoyObjects.push(o);
    else if (kind === 'Gateway' || kind === 'Ingress' || /Route$/.test(kind)) routingObjects.push(o);
  }
  const b = new DiagramBuilder(input);
  policies(b, policyObjects);
  routes(b, routingObjects);
  envoyConfigs(b, envoyObjects);

  const lines = ['flowchart LR'];
  const byNamespace = new Map<string, Node[]>();
  const outside: Node[] = [];
  const sortedNodes = [...b.nodes.values()]
    .map((n) => ({ n, key: `${n.label}|${n.id}` }))
    .sort((x, y) => compareText(x.key, y.key));
  for (const { n } of sortedNodes) {
    if (n.namespace === undefined) {
      outside.push(n);
      continue;
    }
    const inNamespace = byNamespace.get(n.namespace) ?? [];
    byNamespace.set(n.namespace, inNamespace);
    if (n.id !== nsId(n.namespace)) inNamespace.push(n);
  }
  const zoned: string[] = [];
  for (const ns of [...byNamespace.keys()].sort()) {
    const zone = b.zones.get(ns);
    const title = `namespace ${ns}${zone ? ` · default deny: ${[...zone].sort().join(', ')}` : ''}`;
    lines.push(`  subgraph ${nsId(ns)}["${text([title])}"]`);
    for (const n of byNamespace.get(ns)!) lines.push(`    ${shapeOf(n, b)}`);
    lines.push('  end');
    if (zone) zoned.push(nsId(ns));
  }
  for (const n of outside) lines.push(`  ${shapeOf(n, b)}`);
  const edges = collapse(b, b.edges)
    .map((e) => ({
      e,
      key: `${e.from}|${e.to}|${e.kind}`,
      labels: e.kind === 'allow' ? effectiveLabels(e.labels) : [...e.labels].sort(),
    }))
    .sort((x, y) => compareText(x.key, y.key));
  for (const { e, labels } of edges) {
    lines.push(`  ${e.from} ${ARROWS[e.kind]}|"${text([labels.join('; ')])}"| ${e.to}`);
  }
  const enforcedNodes = [...b.enforced.keys()].filter((k) => b.nodes.has(k)).sort();
  lines.push('  classDef enforced stroke:#b00020,stroke-width:2px');
  if (enforcedNodes.length > 0) lines.push(`  class ${enforcedNodes.join(',')} enforced`);
  for (const z of zoned) lines.push(`  style ${z} stroke:#b00020,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}

/**
 * The Mermaid text of a mesh's diagram (see `renderMeshDiagram`), for a snapshot or a pull-request comment:
 * wrap it in a ```` ```mermaid ```` fence and GitHub renders it.
 */
export function meshDiagram(mesh: ServiceMesh): string {
  return renderMeshDiagram(meshDiagramInput(mesh));
}

/** What `meshDiagram` draws for a mesh; pass `objects` when `mesh.toJson()` was already computed. */
export function meshDiagramInput(mesh: ServiceMesh, objects?: readonly unknown[]): MeshDiagramInput {
  const e = meshEndpoints(mesh, objects);
  return {
    // the array itself: renderMeshDiagram reads it, and knows it when the review files sorted it
    objects: e.objects as any[],
    workloads: e.workloads.map((w) => ({
      name: workloadName(w).split('/')[1],
      namespace: w.namespace,
      labels: w.labels,
      service: w.service?.name,
    })),
  };
}
