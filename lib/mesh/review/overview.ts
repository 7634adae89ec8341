/**
 * The namespace overview of a mesh whose diagram is too large for Mermaid: GitHub renders a Mermaid block of at most
 * `maxTextSize` (50,000 characters by default; a mesh of about 400 workloads is past it), and shows anything larger as
 * text. The review file then draws namespaces instead of workloads, so the reviewer still gets a picture.
 */
import { certainlySelects, type Selector } from './connectivity';
import { addTo, type MeshDiagramInput, nodeId, text } from './diagram-graph';
import { compareText } from '../../delivery/review-manifest';

/** Mermaid's default `maxTextSize`: larger diagrams are not rendered (GitHub uses the default). */
export const MERMAID_MAX_TEXT = 50_000;

/**
 * A length the full diagram's text (`renderMeshDiagram`, without its last newline) certainly reaches, read from the
 * workloads alone: each workload node (one per distinct id) is a line of 4 spaces, its id, `["`, its name (escaped,
 * so no shorter) and `"]`, followed by a newline (every namespace box ends with `  end`). At `MERMAID_MAX_TEXT` or
 * more, the review file draws the overview without drawing the full diagram first (at 20,000 objects the full
 * diagram cost ~15 µs per object, for megabytes that no one can render).
 */
export function diagramLengthAtLeast(input: MeshDiagramInput): number {
  // id → the shortest name drawn with it (two keys may share an id; the diagram draws one of them)
  const shortest = new Map<string, number>();
  for (const w of input.workloads) {
    const id = nodeId('w', `${w.namespace}/${w.name}`);
    shortest.set(id, Math.min(shortest.get(id) ?? Infinity, w.name.length));
  }
  let length = 0;
  for (const [id, name] of shortest) {
    length += 4 + id.length + 2 + name + 2 + 1;
  }
  return length;
}

const NAMESPACE_KEYS = new Set(['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace']);
/**
 * Node keys: `ns:<namespace>`, `entity:<entity>` (the ids the full diagram gives them) and `group:<label>` for peers
 * drawn as one node (CIDRs, DNS names, pods of any namespace).
 */
const ANY_NAMESPACE = 'group:pods in any namespace';
const SOME_NAMESPACES = 'group:pods of namespaces chosen by expression';

/** An edge of the overview: its ends (node keys), its kind and how many rules, routes... it stands for. */
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  n: number;
}

interface Counts {
  workloads: number;
  policies: number;
  routes: number;
  gateways: number;
  ingresses: number;
  envoyConfigs: number;
  services: number;
}

/**
 * The mesh by namespace, as a Mermaid flowchart: one node per namespace with what it holds (workloads, Services,
 * policies, routes, Gateways, Ingresses, Envoy configs) and its namespace-wide default deny (red border, decided as
 * in the full diagram), outside peers (entities; CIDRs, DNS names and pods of any or of several namespaces as one node
 * each) as circles, and one edge per pair and kind, labelled with the number of policy rules (`allow`, `deny`), routes
 * (parent's namespace to the backends'), Gateway listeners or Ingresses (from `world`). Pure; the same text for the
 * objects in any order.
 */
export function renderMeshOverview(input: MeshDiagramInput): string {
  const counts = new Map<string, Counts>();
  const at = (ns: string): Counts => {
    let c = counts.get(ns);
    if (!c) {
      c = { workloads: 0, policies: 0, routes: 0, gateways: 0, ingresses: 0, envoyConfigs: 0, services: 0 };
      counts.set(ns, c);
    }
    return c;
  };
  for (const w of input.workloads) at(w.namespace).workloads++;
  // the edges in the order they are first seen, found by `from`, `to` and kind: a key string made per call
  // (`from` NUL `to` NUL kind, and the namespaces sliced off for `at`) was new each time, flattened and hashed for the
  // lookup (4 to 7 ms of the overview's ~30 at 20,000 objects)
  const edges: Edge[] = [];
  const byFrom = new Map<string, Map<string, Map<string, Edge>>>();
  const edge = (from: string, to: string, kind: string) => {
    let byTo = byFrom.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      byFrom.set(from, byTo);
      if (from.startsWith('ns:')) at(from.slice(3));
    }
    let byKind = byTo.get(to);
    if (byKind === undefined) {
      byKind = new Map();
      byTo.set(to, byKind);
      if (to.startsWith('ns:')) at(to.slice(3));
    }
    const e = byKind.get(kind);
    if (e === undefined) {
      const added = { from, to, kind, n: 1 };
      byKind.set(kind, added);
      edges.push(added);
    } else {
      e.n++;
    }
  };
  const zones = new Map<string, Set<string>>();
  const clusterwide: Array<{ selector: Selector; directions: string[] }> = [];

  // indexed loops over the objects and the fixed lists below: `for...of` made an iterator and a result per step until
  // the function was optimized (with the Sets below, ~10 MB of the overview's allocation at 20,000 objects)
  const objects = input.objects;
  for (let n = 0; n < objects.length; n++) {
    const o = objects[n];
    const kind = o.kind;
    const namespace: string = o.metadata?.namespace ?? 'default';
    if (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy') {
      const isClusterwide = kind === 'CiliumClusterwideNetworkPolicy';
      if (!isClusterwide) at(namespace).policies++;
      const specs = [o.spec, ...(o.specs ?? [])].filter((s) => s?.endpointSelector);
      for (let sp = 0; sp < specs.length; sp++) {
        const spec = specs[sp];
        const subject = isClusterwide ? peerNamespace(spec.endpointSelector, undefined) : `ns:${namespace}`;
        const directions: string[] = [];
        for (let d = 0; d < DIRECTIONS.length; d++) {
          const direction = DIRECTIONS[d];
          const fields = PEER_FIELDS[direction];
          if (
            (spec[direction]?.length ?? 0) + (spec[fields.deny]?.length ?? 0) > 0 &&
            spec.enableDefaultDeny?.[direction] !== false
          ) {
            directions.push(direction);
          }
          for (let x = 0; x < fields.sections.length; x++) {
            const [section, edgeKind] = fields.sections[x];
            const rules = listOf(spec[section]);
            for (let r = 0; r < rules.length; r++) {
              const rule = rules[r];
              const rulePeers = peers(rule, direction, isClusterwide ? undefined : namespace);
              for (let i = 0; i < rulePeers.length; i++) {
                if (direction === 'ingress') edge(rulePeers[i], subject, edgeKind);
                else edge(subject, rulePeers[i], edgeKind);
              }
            }
          }
        }
        if (directions.length > 0) {
          if (isClusterwide) clusterwide.push({ selector: spec.endpointSelector, directions });
          else if (wholeNamespace(spec.endpointSelector)) directions.forEach((d) => addTo(zones, namespace, d));
        }
      }
    } else if (kind === 'CiliumEnvoyConfig') {
      at(namespace).envoyConfigs++;
    } else if (kind === 'Service' && o.apiVersion === 'v1') {
      at(namespace).services++;
    } else if (kind === 'Gateway' && String(o.apiVersion).startsWith('gateway.networking.k8s.io/')) {
      at(namespace).gateways++;
      (o.spec?.listeners ?? []).forEach(() => edge('entity:world', `ns:${namespace}`, 'listener'));
    } else if (kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1') {
      // its backends are Services of its own namespace
      at(namespace).ingresses++;
      edge('entity:world', `ns:${namespace}`, 'ingress');
    } else if (String(o.apiVersion).startsWith('gateway.networking.k8s.io/') && /Route$/.test(kind)) {
      at(namespace).routes++;
      // distinct parents and backends in arrays (one or two each), not Sets and their iterators
      const parents: string[] = [];
      const parentRefs = listOf(o.spec?.parentRefs);
      for (let p = 0; p < parentRefs.length; p++) addPeer(parents, `ns:${parentRefs[p].namespace ?? namespace}`);
      const backends: string[] = [];
      const rules = listOf(o.spec?.rules);
      for (let r = 0; r < rules.length; r++) {
        const refs = listOf(rules[r].backendRefs);
        for (let b = 0; b < refs.length; b++) addPeer(backends, `ns:${refs[b].namespace ?? namespace}`);
      }
      for (let p = 0; p < parents.length; p++) {
        for (let b = 0; b < backends.length; b++) edge(parents[p], backends[b], 'route');
      }
    }
  }
  const namespaces = [...counts.keys()].sort(compareText);
  for (const { selector, directions } of clusterwide) {
    for (const ns of namespaces) {
      if (certainlySelects(selector, { type: 'pods', namespace: ns, labels: {}, name: ns })) {
        directions.forEach((d) => addTo(zones, ns, d));
      }
    }
  }

  const nodeOf = (key: string): string =>
    key.startsWith('ns:')
      ? nodeId('ns', key.slice(3))
      : nodeId('x', key.startsWith('entity:') ? key : `overview:${key}`);
  const lines = ['flowchart LR'];
  for (const ns of namespaces) {
    const c = counts.get(ns)!;
    const held = [
      plural(c.workloads, 'workload'),
      plural(c.services, 'Service'),
      plural(c.policies, 'policy', 'policies'),
      plural(c.routes, 'route'),
      plural(c.gateways, 'Gateway'),
      plural(c.ingresses, 'Ingress', 'Ingresses'),
      plural(c.envoyConfigs, 'Envoy config'),
    ].filter((s) => s !== '');
    const zone = zones.get(ns);
    const label = [
      `namespace ${ns}`,
      ...(held.length > 0 ? [held.join(' · ')] : []),
      ...(zone ? [`default deny: ${[...zone].sort().join(', ')}`] : []),
    ];
    lines.push(`  ${nodeOf(`ns:${ns}`)}["${text(label)}"]`);
  }
  const outside = new Set<string>();
  const drawn = edges
    .map(({ from, to, kind, n }) => {
      for (const k of [from, to]) if (!k.startsWith('ns:')) outside.add(k);
      return { from: nodeOf(from), to: nodeOf(to), kind, n };
    })
    .map((e) => ({ ...e, key: `${e.from}|${e.to}|${e.kind}` }))
    .sort((a, b) => compareText(a.key, b.key));
  for (const key of [...outside].sort(compareText)) {
    lines.push(`  ${nodeOf(key)}(("${text([key.slice(key.indexOf(':') + 1)])}"))`);
  }
  for (const e of drawn) {
    const [arrow, what] = OVERVIEW_EDGES[e.kind];
    lines.push(`  ${e.from} ${arrow}|"${text([plural(e.n, what)])}"| ${e.to}`);
  }
  const zoned = namespaces.filter((ns) => zones.has(ns));
  lines.push('  classDef enforced stroke:#b00020,stroke-width:2px');
  if (zoned.length > 0) lines.push(`  class ${zoned.map((ns) => nodeOf(`ns:${ns}`)).join(',')} enforced`);
  return `${lines.join('\n')}\n`;
}

const OVERVIEW_EDGES: Record<string, [string, string]> = {
  allow: ['-->', 'allow rule'],
  deny: ['--x', 'deny rule'],
  route: ['==>', 'route'],
  listener: ['==>', 'Gateway listener'],
  ingress: ['==>', 'Ingress'],
};

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
}

/** True for a selector of every pod (a namespaced policy's selector of the whole namespace). */
function wholeNamespace(s: Selector): boolean {
  return (
    Object.keys(s.matchLabels ?? {}).filter((k) => !NAMESPACE_KEYS.has(k)).length === 0 &&
    (s.matchExpressions ?? []).filter((x) => !NAMESPACE_KEYS.has(x.key)).length === 0
  );
}

/** The node of the pods a selector picks: the namespace it names, else `scope`'s (none for cluster-wide: any). */
function peerNamespace(s: Selector, scope: string | undefined): string {
  const named = Object.entries(s.matchLabels ?? {}).find(([k]) => NAMESPACE_KEYS.has(k));
  if (named) return `ns:${named[1]}`;
  if ((s.matchExpressions ?? []).some((x) => NAMESPACE_KEYS.has(x.key))) return SOME_NAMESPACES;
  return scope === undefined ? ANY_NAMESPACE : `ns:${scope}`;
}

const DIRECTIONS = ['ingress', 'egress'] as const;

/**
 * The field names of a policy's rules per direction, made once: property names made per rule by concatenation
 * (`${p}Endpoints`) are new strings each time, looked up by content (~15 per rule in the overview of 20,000 objects).
 */
const PEER_FIELDS = {
  ingress: {
    deny: 'ingressDeny',
    sections: [
      ['ingress', 'allow'],
      ['ingressDeny', 'deny'],
    ],
    endpoints: 'fromEndpoints',
    entities: 'fromEntities',
    cidr: 'fromCIDR',
    cidrSet: 'fromCIDRSet',
    peers: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes', 'fromGroups'],
  },
  egress: {
    deny: 'egressDeny',
    sections: [
      ['egress', 'allow'],
      ['egressDeny', 'deny'],
    ],
    endpoints: 'toEndpoints',
    entities: 'toEntities',
    cidr: 'toCIDR',
    cidrSet: 'toCIDRSet',
    peers: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toNodes', 'toGroups'],
  },
} as const;

/**
 * The peers of a policy rule as overview nodes (namespaces, entities, `CIDR` and `DNS name` groups), distinct, in the
 * order first named. An array, not a Set: a rule names one or two peers, and a Set per rule and its iterator were
 * part of the overview's iterator garbage.
 */
function peers(rule: any, direction: 'ingress' | 'egress', scope: string | undefined): string[] {
  const f = PEER_FIELDS[direction];
  const out: string[] = [];
  for (const s of rule[f.endpoints] ?? []) {
    addPeer(out, reservedEntity(s?.matchLabels) ?? peerNamespace(s ?? {}, scope));
  }
  for (const e of rule[f.entities] ?? []) addPeer(out, `entity:${e}`);
  if ((rule[f.cidr] ?? []).length > 0 || (rule[f.cidrSet] ?? []).length > 0) addPeer(out, 'group:CIDRs');
  if ((rule.toFQDNs ?? []).length > 0) addPeer(out, 'group:DNS names');
  for (const s of rule.toServices ?? []) {
    if (s.k8sService) addPeer(out, `ns:${s.k8sService.namespace ?? scope ?? 'default'}`);
  }
  const hasPeer = f.peers.some((k) => rule[k]) || rule.toFQDNs || rule.toServices;
  if (!hasPeer && rule.toPorts) addPeer(out, 'group:any peer');
  return out;
}

/** `value` if it is an array, none for null or undefined, else its items as `for...of` reads them (or its error). */
function listOf(value: any): readonly any[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [...value];
}

/** Adds `peer` to `out` unless it is there. */
function addPeer(out: string[], peer: string): void {
  if (!out.includes(peer)) out.push(peer);
}

/** `entity:<name>` for the first `reserved:<name>` key of a selector's `matchLabels`, else undefined. */
function reservedEntity(matchLabels: Record<string, string> | undefined): string | undefined {
  for (const k in matchLabels ?? {}) {
    if (Object.prototype.hasOwnProperty.call(matchLabels, k) && k.startsWith('reserved:')) {
      return `entity:${k.slice(9)}`;
    }
  }
  return undefined;
}
