/**
 * Cross-check of routes against policies: traffic that Cilium's Envoy forwards reaches the backend pods with the
 * source identity `ingress` (the reserved identity of Cilium's Ingress/Gateway endpoint: cilium/cilium#24826 made
 * in-cluster clients appear as it too, #25665 documents the entity), not the client's. A backend whose pods are under ingress default deny therefore drops every routed request unless a
 * policy allows ingress from the `ingress` entity. This holds for Gateway and Ingress traffic on every line, and for
 * GAMMA (Service-parented) routes before Cilium 1.18: cilium/cilium#34774, fixed by #39206, which keeps the
 * original source identity for GAMMA traffic.
 *
 * Pure function over the mesh's Kubernetes objects (so it also sees objects added with plain cdk8s
 * `ApiObject`s). It only reports what it can prove from the objects: a backend is "enforced" only when a
 * default-deny selector certainly selects the pods behind its Service, and "allowed" as soon as a policy with
 * an `ingress`/`cluster`/`all` entity rule might select them (ports are not compared). So it stays quiet rather
 * than guess.
 */

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const GATEWAY_GROUP_PREFIX = `${GATEWAY_GROUP}/`;
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
const NAMESPACE_KEYS = new Set(['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace']);
/**
 * Entities whose allow rules admit the `ingress` identity (an allow of `fromEndpoints` with the label
 * `reserved:ingress` does too): `ingress` itself and `all`; `cluster` too (counted so
 * that the check never warns about traffic a broad allow may already admit).
 */
const ADMITTING_ENTITIES = new Set(['ingress', 'cluster', 'all']);
/** First line whose GAMMA traffic keeps the client's identity (cilium/cilium#39206). */
const GAMMA_KEEPS_SOURCE_SINCE_MINOR = 18;

/** One object as synthesized (the parts read here). */
export interface ObjectManifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: any;
  /** Cilium policies may carry several rule sets in `specs`. */
  readonly specs?: any[];
}

/** A route (or Ingress) whose backends would see only the `ingress` identity and cannot receive it. */
export interface EnvoySourceIdentityFinding {
  /** Index of the route object in the input. */
  readonly index: number;
  /** What to tell the user. */
  readonly message: string;
}

interface Selector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}

interface PolicyView {
  /** undefined for cluster-wide policies */
  readonly namespace?: string;
  readonly selector: Selector;
  readonly defaultDenyIngress: boolean;
  readonly admitsIngressEntity: boolean;
  readonly label: string;
}

/**
 * Routes whose backends are under ingress default deny with no allow for the `ingress` entity.
 * @param objects the mesh's objects, in any order
 * @param ciliumMinor the installed Cilium line's minor (decides whether GAMMA routes keep the client identity)
 * @param serviceSelectors pod labels behind Services not among `objects` (`namespace/name` → selector), e.g. from
 * mesh workloads that name their Service
 */
export function findEnvoySourceIdentityDrops(
  objects: readonly ObjectManifest[],
  ciliumMinor: number,
  serviceSelectors: ReadonlyMap<string, Record<string, string>> = new Map(),
): EnvoySourceIdentityFinding[] {
  // One pass over the objects (every pass over 20,000 objects pays its cache misses): policies, Services and routes.
  const policies: PolicyView[] = [];
  const services = new Map<string, Record<string, string>>(serviceSelectors);
  const routes: Array<{ index: number; o: ObjectManifest; routed: NonNullable<ReturnType<typeof routedBackends>> }> =
    [];
  // a loop, not forEach: no closure over the three collections
  for (let index = 0; index < objects.length; index++) {
    const o = objects[index];
    if (o.kind === 'CiliumNetworkPolicy' || o.kind === 'CiliumClusterwideNetworkPolicy') {
      policies.push(...policyViews(o));
    } else if (o.kind === 'Service') {
      if (o.apiVersion === 'v1' && o.metadata?.name && o.spec?.selector) {
        services.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o.spec.selector);
      }
    } else {
      const routed = routedBackends(o, ciliumMinor);
      if (routed) {
        routes.push({ index, o, routed });
      }
    }
  }
  if (!policies.some((p) => p.defaultDenyIngress)) {
    return [];
  }

  const index = new PolicyIndex(policies);
  // One verdict per backend Service: many routes share a backend.
  const verdicts = new Map<string, PolicyView | undefined>();
  const droppedBy = (key: string): PolicyView | undefined => {
    if (verdicts.has(key)) {
      return verdicts.get(key);
    }
    const namespace = key.slice(0, key.indexOf('/')); // a namespace has no `/`
    // Pods behind a Service of this mesh carry at least its selector labels; for other Services nothing is known.
    const labels = services.get(key) ?? {};
    const candidates = index.candidates(namespace, labels);
    const enforcing = firstEnforcing(candidates, namespace, labels);
    const verdict = enforcing && !admitsIngressEntity(candidates, namespace, labels) ? enforcing : undefined;
    verdicts.set(key, verdict);
    return verdict;
  };

  const findings: EnvoySourceIdentityFinding[] = [];
  for (const { index, o, routed } of routes) {
    const dropped: string[] = [];
    for (const key of routed.backends) {
      const enforcing = droppedBy(key);
      if (enforcing) {
        dropped.push(`Service ${key} (ingress default deny by ${enforcing.label})`);
      }
    }
    if (dropped.length > 0) {
      const fix = routed.gamma
        ? 'Prefer Cilium 1.18 or later, where GAMMA traffic keeps the client identity; allowing the ingress entity ' +
          '(workload.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(<container port>)] })) also admits everything Envoy ' +
          'forwards, Gateway and Ingress traffic included, and loses the east-west source restriction'
        : 'Allow it on each backend workload: workload.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(<container port>)] })';
      findings.push({
        index,
        message:
          `${o.kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name} reaches its backends through Cilium's Envoy ` +
          `(${routed.via}), so their pods see the source identity 'ingress', not the client's (${routed.reference}); ` +
          `no policy of this mesh allows ingress from that entity to ${dropped.join(', ')}, so these requests will be ` +
          `dropped. ${fix}`,
      });
    }
  }
  return findings;
}

/** The Service backends of a route (`namespace/name`, sorted) when Envoy hides the client identity from them. */
function routedBackends(
  o: ObjectManifest,
  ciliumMinor: number,
): { backends: string[]; via: string; reference: string; gamma: boolean } | undefined {
  // most objects are neither: answered by their kind, before any string is split or set made
  if (!ROUTE_KINDS.has(o.kind ?? '') && o.kind !== 'Ingress') {
    return undefined;
  }
  const apiVersion = o.apiVersion ?? '';
  const namespace = o.metadata?.namespace ?? 'default';
  const backends = new Set<string>();
  // the group is what comes before the first `/` (no array made by a split per route)
  if ((apiVersion === GATEWAY_GROUP || apiVersion.startsWith(GATEWAY_GROUP_PREFIX)) && ROUTE_KINDS.has(o.kind ?? '')) {
    const parents: any[] = o.spec?.parentRefs ?? [];
    const viaGateway = parents.some((p) => (p.kind ?? 'Gateway') === 'Gateway');
    const viaService = parents.some((p) => p.kind === 'Service');
    if (!viaGateway && !(viaService && ciliumMinor < GAMMA_KEEPS_SOURCE_SINCE_MINOR)) {
      return undefined;
    }
    for (const rule of o.spec?.rules ?? []) {
      for (const ref of rule.backendRefs ?? []) {
        addBackend(backends, namespace, ref);
        for (const f of ref.filters ?? []) addBackend(backends, namespace, f.requestMirror?.backendRef);
      }
      for (const f of rule.filters ?? []) addBackend(backends, namespace, f.requestMirror?.backendRef);
    }
    return {
      backends: [...backends].sort(),
      via: viaGateway ? 'Gateway' : `GAMMA on Cilium 1.${ciliumMinor}`,
      reference: viaGateway ? 'cilium/cilium#24826, #25665' : 'cilium/cilium#34774, fixed in 1.18 by #39206',
      gamma: !viaGateway,
    };
  }
  if (o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'Ingress' && o.spec?.ingressClassName === 'cilium') {
    const toRef = (b: any) => (b?.service?.name ? { name: b.service.name } : undefined);
    addBackend(backends, namespace, toRef(o.spec.defaultBackend));
    for (const rule of o.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) addBackend(backends, namespace, toRef(p.backend));
    }
    return { backends: [...backends].sort(), via: 'Ingress', reference: 'cilium/cilium#24826, #25665', gamma: false };
  }
  return undefined;
}

/** Adds `namespace/name` of a backend reference to a Service (core group) to `backends`; `namespace` by default. */
function addBackend(backends: Set<string>, namespace: string, ref: any): void {
  if (ref?.name && (ref.kind ?? 'Service') === 'Service') {
    const group = ref.group ?? '';
    if (group === '' || group === 'core') {
      backends.add(`${ref.namespace ?? namespace}/${ref.name}`);
    }
  }
}

/** Policies with their position in the input. */
type Positioned = ReadonlyArray<readonly [number, PolicyView]>;

/**
 * The enforcing candidate (ingress default deny, surely selecting the pods) of the lowest input position: the same
 * policy as the first one a scan of all policies in input order finds.
 */
function firstEnforcing(
  candidates: readonly Positioned[],
  namespace: string,
  labels: Record<string, string>,
): PolicyView | undefined {
  let found: PolicyView | undefined;
  let at = Infinity;
  for (const list of candidates) {
    for (const [position, p] of list) {
      if (position < at && p.defaultDenyIngress && surelySelects(p, namespace, labels)) {
        found = p;
        at = position;
      }
    }
  }
  return found;
}

/** True if a candidate may admit the `ingress` entity to the pods. */
function admitsIngressEntity(
  candidates: readonly Positioned[],
  namespace: string,
  labels: Record<string, string>,
): boolean {
  for (const list of candidates) {
    for (const [, p] of list) {
      if (p.admitsIngressEntity && maySelect(p, namespace, labels)) {
        return true;
      }
    }
  }
  return false;
}

/**
 * The policies that may select pods of a namespace with given labels, found without comparing every policy:
 * by namespace (cluster-wide policies in every namespace), then by the first pod label key of the policy's
 * `matchLabels` and its value. A policy whose key the pods' known labels lack stays a candidate (the pods may carry
 * it). `surelySelects` and `maySelect` then decide.
 */
class PolicyIndex {
  private readonly byNamespace = new Map<string, PolicyBucket>();
  private readonly clusterwide = new PolicyBucket();

  constructor(policies: readonly PolicyView[]) {
    policies.forEach((p, i) => {
      let bucket = this.clusterwide;
      if (p.namespace !== undefined) {
        bucket = this.byNamespace.get(p.namespace) ?? new PolicyBucket();
        this.byNamespace.set(p.namespace, bucket);
      }
      bucket.add(p, i);
    });
  }

  /**
   * The lists the candidates are in, as they are (not copied, merged or sorted): `firstEnforcing` finds the candidate of
   * the lowest position without an order. One sorted copy per backend Service took 20 ms of a warm profile at 20,000
   * objects (one run).
   */
  public candidates(namespace: string, labels: Record<string, string>): Positioned[] {
    const lists: Positioned[] = [];
    this.clusterwide.collect(labels, lists);
    this.byNamespace.get(namespace)?.collect(labels, lists);
    return lists;
  }
}

/** Policies of one namespace (or the cluster-wide ones), by their first pod label key and value. */
class PolicyBucket {
  /** Policies without a pod label in `matchLabels`, with their input position. */
  private readonly unkeyed: Array<[number, PolicyView]> = [];
  /** key → value → policies */
  private readonly keyed = new Map<string, Map<string, Array<[number, PolicyView]>>>();

  public add(p: PolicyView, position: number): void {
    const entry = Object.entries(p.selector.matchLabels ?? {}).find(([k]) => !NAMESPACE_KEYS.has(k));
    if (!entry) {
      this.unkeyed.push([position, p]);
      return;
    }
    const [key, value] = [podLabel(entry[0]), entry[1]];
    const byValue = this.keyed.get(key) ?? new Map<string, Array<[number, PolicyView]>>();
    this.keyed.set(key, byValue);
    const list = byValue.get(value) ?? [];
    byValue.set(value, list);
    list.push([position, p]);
  }

  /** Adds the lists of the policies that may select pods with `labels` to `into`. */
  public collect(labels: Record<string, string>, into: Positioned[]): void {
    into.push(this.unkeyed);
    for (const [key, byValue] of this.keyed) {
      const value = labels[key];
      if (value === undefined) {
        for (const list of byValue.values()) {
          into.push(list);
        }
      } else {
        const list = byValue.get(value);
        if (list !== undefined) {
          into.push(list);
        }
      }
    }
  }
}

/** One view per rule set of a Cilium policy (`spec` and each of `specs`); none for other objects or node policies. */
function policyViews(o: ObjectManifest): PolicyView[] {
  if (
    o.apiVersion !== 'cilium.io/v2' ||
    (o.kind !== 'CiliumNetworkPolicy' && o.kind !== 'CiliumClusterwideNetworkPolicy')
  ) {
    return [];
  }
  const clusterwide = o.kind === 'CiliumClusterwideNetworkPolicy';
  const namespace = clusterwide ? undefined : (o.metadata?.namespace ?? 'default');
  const label = `${o.kind} ${clusterwide ? '' : `${namespace}/`}${o.metadata?.name}`;
  const specs: any[] = [o.spec, ...(Array.isArray(o.specs) ? o.specs : [])];
  return (
    specs
      // node policies (nodeSelector) select nodes, not pods
      .filter((spec) => spec?.endpointSelector)
      .map((spec) => {
        const ingress: any[] | undefined = spec.ingress;
        // Without enableDefaultDeny, a rule set with ingress rules puts its pods into ingress default deny.
        const explicit = spec.enableDefaultDeny?.ingress;
        const defaultDenyIngress =
          explicit === undefined ? Array.isArray(ingress) && ingress.length > 0 : explicit === true;
        return {
          namespace,
          selector: spec.endpointSelector,
          defaultDenyIngress,
          admitsIngressEntity: (ingress ?? []).some(admitsIngress),
          label,
        };
      })
  );
}

/** An ingress rule that lets the `ingress` identity in: by entity, or by its reserved label in `fromEndpoints`. */
function admitsIngress(rule: any): boolean {
  return (
    (rule.fromEntities ?? []).some((e: string) => ADMITTING_ENTITIES.has(e)) ||
    (rule.fromEndpoints ?? []).some((sel: Selector) => Object.keys(sel?.matchLabels ?? {}).includes('reserved:ingress'))
  );
}

/** True when the policy selects every pod in `namespace` that carries `labels`. */
function surelySelects(p: PolicyView, namespace: string, labels: Record<string, string>): boolean {
  if (p.namespace !== undefined && p.namespace !== namespace) {
    return false;
  }
  const value = (key: string) => (NAMESPACE_KEYS.has(key) ? namespace : labels[podLabel(key)]);
  for (const [k, v] of Object.entries(p.selector.matchLabels ?? {})) {
    if (value(k) !== v) {
      return false;
    }
  }
  for (const e of p.selector.matchExpressions ?? []) {
    const v = value(e.key);
    const ok =
      (e.operator === 'In' && v !== undefined && (e.values ?? []).includes(v)) ||
      (e.operator === 'NotIn' && v !== undefined && !(e.values ?? []).includes(v)) ||
      (e.operator === 'Exists' && v !== undefined);
    if (!ok) {
      return false;
    }
  }
  return true;
}

/** False only when the policy certainly selects none of the pods in `namespace` that carry `labels`. */
function maySelect(p: PolicyView, namespace: string, labels: Record<string, string>): boolean {
  if (p.namespace !== undefined && p.namespace !== namespace) {
    return false;
  }
  for (const [k, v] of Object.entries(p.selector.matchLabels ?? {})) {
    const known = NAMESPACE_KEYS.has(k) ? namespace : labels[podLabel(k)];
    if (known !== undefined && known !== v) {
      return false;
    }
  }
  for (const e of p.selector.matchExpressions ?? []) {
    if (!NAMESPACE_KEYS.has(e.key)) {
      continue;
    }
    const inValues = (e.values ?? []).includes(namespace);
    if ((e.operator === 'In' && !inValues) || (e.operator === 'NotIn' && inValues) || e.operator === 'DoesNotExist') {
      return false;
    }
  }
  return true;
}

/** A selector key without Cilium's label source prefix (`k8s:app` and `any:app` select the pod label `app`). */
function podLabel(key: string): string {
  return key.replace(/^(k8s|any):/, '');
}
