import type { ConstructWalk } from '../../private/construct-walk';
import type { ServiceMesh } from '../service-mesh';
import { meshEndpoints, workloadName } from './endpoints';
import {
  DiagramBuilder,
  type Edge,
  type EdgeKind,
  type MeshDiagramInput,
  type Node,
  effectiveLabels,
  nsId,
  text,
} from './diagram-graph';
import { envoyConfigs, policies, routes } from './diagram-objects';
import { compareText, inReviewOrder, objectSortKey } from '../../delivery/review-manifest';
import { sortKeysDeep } from '../../private/json';

export { type DiagramWorkload, type MeshDiagramInput, nodeId, text } from './diagram-graph';
export { resilienceSettings } from './diagram-objects';

const ARROWS: Record<EdgeKind, string> = { allow: '-->', deny: '--x', route: '==>', mirror: '-.->', resilience: '-.-' };

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

/**
 * What `meshDiagram` draws for a mesh; pass `objects` when `mesh.toJson()` was already computed (and the construct
 * walk it was computed from, if any).
 */
export function meshDiagramInput(
  mesh: ServiceMesh,
  objects?: readonly unknown[],
  walk?: ConstructWalk,
): MeshDiagramInput {
  const e = meshEndpoints(mesh, objects, walk);
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
