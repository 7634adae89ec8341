/**
 * What each kind of object adds to the mesh diagram's graph (diagram-graph.ts): policies their allow and deny edges,
 * routes and Ingresses their routing edges, CiliumEnvoyConfigs their resilience settings.
 */
import { type Selector, certainlySelects } from './connectivity';
import { addTo, type DiagramBuilder, IDS_KEPT, id, portsLabel } from './diagram-graph';
import { compareText } from '../../delivery/review-manifest';

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

export function policies(b: DiagramBuilder, objects: readonly any[]): void {
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

export function routes(b: DiagramBuilder, objects: readonly any[]): void {
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
export function envoyConfigs(b: DiagramBuilder, objects: readonly any[]): void {
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
