import { MeshValidationError } from '../private/errors';
import { sha256Hex, sha256Uint32 } from '../private/hash';
import { sortKeysDeep } from '../private/json';

/**
 * Splitting a mesh into content-addressed batches (pure, no scope).
 *
 * Why batches, and why these: a CloudFormation stack holds at most 500 resources and a template at most 1 MB,
 * so one `addManifest` per object stops at ~462 objects and one manifest holding everything at ~1,250
 * CiliumNetworkPolicy-sized objects (~650 on update, because the custom-resource request carries the old and
 * the new manifest). Batches move the objects out of the template into S3 assets; the template only lists
 * the batch keys. Cut points are content-defined (a cut follows each object whose *identity* hash is
 * `0 mod targetObjectsPerBatch`), so they do not move when an object's content changes: editing one object
 * rewrites exactly one batch, adding or removing one rewrites one batch (two when the object itself is a cut
 * point), and the other batches keep their S3 keys and are neither uploaded nor re-applied. The byte budget
 * is a safety cap far above the expected batch size; only a batch that reaches it can shift the next
 * boundary, until the next identity cut.
 */

/** Options of `planBatches`. */
export interface BatchPlanOptions {
  /**
   * Expected objects per batch: a batch ends after each object whose identity hash is divisible by this.
   * @default 64
   */
  readonly targetObjectsPerBatch?: number;
  /**
   * A batch also ends before it would exceed this many bytes of canonical JSON (a single larger object
   * still gets its own batch).
   * @default 262144 (256 KiB)
   */
  readonly maxBatchBytes?: number;
}

/**
 * A batch is a v1 List with one object per line: valid JSON for kubectl and for schema validators alike, and a
 * readable diff between two versions of a batch.
 */
const LIST_OPEN = '{"apiVersion":"v1","kind":"List","items":[\n';
const LIST_CLOSE = '\n]}\n';

/** One batch: a JSON `v1 List` of canonical objects (one per line), named by the sha256 of that content. */
export interface ObjectBatch {
  /** sha256 (hex) of `content`; the S3 object key and the batch label derive from it. */
  readonly sha256: string;
  /** The batch file: one canonical JSON object per line, sorted by identity. */
  readonly content: string;
  /** Identities of the objects (`group/Kind/namespace/name`), in batch order. */
  readonly identities: string[];
}

/** The result of `planBatches`. */
export interface BatchPlan {
  /** Batches in order: Namespaces and CRDs first, then by identity. */
  readonly batches: ObjectBatch[];
  /** `apiVersion/Kind` of every object kind in the plan (core group: `v1/Kind`), sorted and distinct. */
  readonly kinds: string[];
  /** Number of objects. */
  readonly objectCount: number;
}

/** A Kubernetes object as cdk8s `chart.toJson()` returns it. */
export type DeliveredObject = Record<string, unknown>;

/** JSON with object keys sorted at every level (`undefined` members dropped), as a string. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/**
 * The identity of an object as the API server sees it: `group/Kind/namespace/name` (core group empty,
 * cluster-scoped objects have an empty namespace). The version is not part of it: one object served at two
 * versions is still one object.
 */
export function objectIdentity(obj: DeliveredObject): string {
  const apiVersion = obj.apiVersion;
  const kind = obj.kind;
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  const name = metadata?.name;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string' || !name) {
    throw new MeshValidationError(
      `every Kubernetes object needs string apiVersion, kind and metadata.name, got ` +
        `${JSON.stringify({ apiVersion, kind, name })}; set them on the object (cdk8s ApiObject does)`,
    );
  }
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return `${group}/${kind}/${namespace}/${name}`;
}

/**
 * Cluster-scoped kinds (`group/Kind`): Kubernetes built-ins, and the Cilium and Gateway API kinds whose CRDs in the
 * versions this library targets declare `scope: Cluster`. Kinds of CRDs delivered alongside are read from them.
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'networking.k8s.io/IngressClass',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'cilium.io/CiliumClusterwideEnvoyConfig',
  'cilium.io/CiliumLoadBalancerIPPool',
  'cilium.io/CiliumCIDRGroup',
  'gateway.networking.k8s.io/GatewayClass',
]);

/** `group/Kind` of the cluster-scoped CRDs among `objects`. */
export function clusterScopedCrdKinds(objects: readonly DeliveredObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') {
      continue; // by kind first: reading `spec` of every object costs a cache miss per object
    }
    const spec = o.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (spec?.scope === 'Cluster' && typeof spec.group === 'string') {
      out.add(`${spec.group}/${String(spec.names?.kind)}`);
    }
  }
  return out;
}

/**
 * True for objects of a cluster-scoped kind: a built-in or Cilium/Gateway API kind known to be cluster-scoped, or
 * one of `crdKinds` (`clusterScopedCrdKinds` of the objects delivered alongside).
 */
export function isClusterScoped(obj: DeliveredObject, crdKinds: ReadonlySet<string> = new Set()): boolean {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const gk = `${apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : ''}/${String(obj.kind)}`;
  return CLUSTER_SCOPED.has(gk) || crdKinds.has(gk);
}

/**
 * `isClusterScoped` with `crdKinds` fixed, answered once per apiVersion and kind: a mesh has a few kinds and many
 * objects, and the `group/Kind` string made per object cost ~0.5 µs per object in each of the passes that ask.
 */
export function clusterScopedTest(crdKinds: ReadonlySet<string>): (obj: DeliveredObject) => boolean {
  const known = new Map<unknown, Map<unknown, boolean>>();
  return (obj) => {
    let byKind = known.get(obj.apiVersion);
    if (byKind === undefined) {
      byKind = new Map();
      known.set(obj.apiVersion, byKind);
    }
    let answer = byKind.get(obj.kind);
    if (answer === undefined) {
      answer = isClusterScoped(obj, crdKinds);
      byKind.set(obj.kind, answer);
    }
    return answer;
  };
}

/**
 * The objects with `metadata.namespace` removed from cluster-scoped ones. cdk8s puts a chart's namespace on every
 * object of the chart, cluster-scoped ones included; the API server ignores it, but the object's identity (and so
 * the duplicate checks) must not depend on it. Other objects are returned as they are.
 */
export function withoutClusterScopedNamespaces(objects: readonly DeliveredObject[]): DeliveredObject[] {
  const clusterScoped = clusterScopedTest(clusterScopedCrdKinds(objects));
  return objects.map((o) => {
    const metadata = o.metadata as Record<string, unknown> | undefined;
    if (metadata?.namespace === undefined || !clusterScoped(o)) {
      return o;
    }
    const { namespace: _ignored, ...rest } = metadata;
    return { ...o, metadata: rest };
  });
}

/** 0 for objects others may need to exist first (Namespaces, CRDs), else 1. */
function foundationRank(obj: DeliveredObject): number {
  return obj.kind === 'Namespace' || obj.kind === 'CustomResourceDefinition' ? 0 : 1;
}

function identityHash(identity: string): number {
  return sha256Uint32(identity);
}

/**
 * Canonicalizes, checks for duplicates, sorts by identity and cuts into content-defined batches.
 * Input order does not matter: the same set of objects always gives the same batches.
 */
export function planBatches(objects: readonly DeliveredObject[], options: BatchPlanOptions = {}): BatchPlan {
  const k = options.targetObjectsPerBatch ?? 64;
  const budget = options.maxBatchBytes ?? 256 * 1024;
  if (!Number.isInteger(k) || k < 1) {
    throw new MeshValidationError(`targetObjectsPerBatch must be a positive integer, got ${k}; use e.g. 64`);
  }
  if (!Number.isInteger(budget) || budget < 1024) {
    throw new MeshValidationError(`maxBatchBytes must be an integer of at least 1024, got ${budget}; use e.g. 262144`);
  }

  const entries = withoutClusterScopedNamespaces(objects).map((obj) => ({
    identity: objectIdentity(obj),
    json: canonicalJson(obj),
    rank: foundationRank(obj),
    obj,
  }));
  // Namespaces and CRDs first: kubectl applies a file in order, and the handler applies the batches holding
  // them before the others, so objects never reach the API server before their namespace or kind exists.
  entries.sort((a, b) => a.rank - b.rank || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].identity === entries[i - 1].identity) {
      throw new MeshValidationError(
        `two objects have the same identity ${entries[i].identity}: ${truncate(entries[i - 1].json)} and ` +
          `${truncate(entries[i].json)}; give one of them another name or namespace`,
      );
    }
  }

  const batches: ObjectBatch[] = [];
  let lines: string[] = [];
  let ids: string[] = [];
  // The batch's size in UTF-16 code units, and in UTF-8 bytes once it matters: a code unit takes at most 3 bytes, so
  // while 3 × units stays within the budget the bytes need not be counted (Buffer.byteLength of every object was
  // ~1.5 µs per object; typical batches stay far below the budget).
  const empty = LIST_OPEN.length + LIST_CLOSE.length;
  let units = empty;
  let bytes: number | undefined;
  const flush = () => {
    if (lines.length > 0) {
      // one join, no concatenation around it: `${LIST_OPEN}${lines.join()}${LIST_CLOSE}` is a rope that the hash then
      // copies flat once more (15 MB of the plan's 72 allocated at 20,000 objects)
      lines[0] = `${LIST_OPEN}${lines[0]}`;
      lines[lines.length - 1] = `${lines[lines.length - 1]}${LIST_CLOSE}`;
      const content = lines.join(',\n');
      batches.push({ sha256: sha256Hex(content), content, identities: ids });
    }
    lines = [];
    ids = [];
    units = empty;
    bytes = undefined;
  };
  for (const e of entries) {
    const length = e.json.length + 2; // the object and ',\n'
    if (bytes === undefined && (units + length) * 3 > budget) {
      bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 2, empty);
    }
    const size = bytes === undefined ? length : Buffer.byteLength(e.json) + 2;
    if (lines.length > 0 && bytes !== undefined && bytes + size > budget) {
      flush();
    }
    lines.push(e.json);
    ids.push(e.identity);
    units += length;
    if (bytes !== undefined) {
      bytes += size;
    }
    if (identityHash(e.identity) % k === 0) {
      flush();
    }
  }
  flush();

  // distinct apiVersion and kind first, then their strings (not one string per object)
  const byVersion = new Map<unknown, Set<unknown>>();
  for (const e of entries) {
    const seen = byVersion.get(e.obj.apiVersion) ?? new Set();
    byVersion.set(e.obj.apiVersion, seen.add(e.obj.kind));
  }
  const kinds = [
    ...new Set([...byVersion].flatMap(([apiVersion, ks]) => [...ks].map((k) => `${String(apiVersion)}/${String(k)}`))),
  ].sort();
  return { batches, kinds, objectCount: entries.length };
}

function truncate(s: string): string {
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
