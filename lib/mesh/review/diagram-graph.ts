/**
 * The mesh diagram's graph: nodes (workloads, Services, selectors, outside peers, Gateways, resilience policies), edges
 * and their ids, and the indexes that find the workloads a selector picks. diagram-objects.ts reads the objects into
 * it; diagram.ts renders it as Mermaid.
 */
import { type ConnectivityEndpoint, type Selector, certainlySelects, describeHttpRule } from './connectivity';
import { compareText } from '../../delivery/review-manifest';
import { sha256Hex } from '../../private/hash';

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

export interface WorkloadNode {
  readonly node: Node;
  readonly endpoint: ConnectivityEndpoint;
  readonly service?: string;
}

export type Shape = 'workload' | 'service' | 'selector' | 'external' | 'gateway' | 'resilience';

export interface Node {
  readonly id: string;
  readonly label: string;
  readonly namespace?: string;
  readonly shape: Shape;
}

export type EdgeKind = 'allow' | 'deny' | 'route' | 'mirror' | 'resilience';

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly labels: Set<string>;
}

/**
 * Node ids made so far, per prefix (key → id): a large mesh asks for the same few ids thousands of times (one map per
 * prefix, so that a lookup builds no string).
 */
const IDS = new Map<string, Map<string, string>>();
/** Ids kept at most; the cache starts over beyond it (a pure function, so only time is lost). */
export const IDS_KEPT = 100_000;

/** A Mermaid node id that a reviewer can read in the source: the key in safe characters plus a short hash. */
export function id(prefix: string, key: string): string {
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

export function nsId(namespace: string): string {
  return id('ns', namespace);
}

/** A port rule in one line: `TCP/8080`, `UDP/53`, `TCP/7000-7010`, `any port`. */
export function portsLabel(toPorts: any[] | undefined): string[] {
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
export function effectiveLabels(labels: Iterable<string>): string[] {
  const all = [...labels];
  return all.filter((l) => l.includes(' ') || !all.some((o) => o !== l && o.startsWith(`${l} `))).sort();
}

export class DiagramBuilder {
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

/** Adds `value` to the set at `key` (made when missing). */
export function addTo(sets: Map<string, Set<string>>, key: string, value: string): void {
  const set = sets.get(key);
  if (set) set.add(value);
  else sets.set(key, new Set([value]));
}
