import { MeshValidationError } from '../private/errors';
import { sha256Hex, sha256Uint32 } from '../private/hash';
import { sortKeysDeep } from '../private/json';
import { merged } from '../private/objects';

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
  // one flat string: the template literal made a rope of five parts that the identity's hash (one per object) then
  // copied flat (~2 MB at 20,000 objects)
  return [group, kind, namespace, name].join('/');
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
  return objects.map((o) => (clusterScoped(o) ? withoutNamespace(o) : o));
}

/** The object without `metadata.namespace` (a copy, the object itself if it has none). */
export function withoutNamespace(obj: DeliveredObject): DeliveredObject {
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (metadata?.namespace === undefined) {
    return obj;
  }
  const { namespace: _ignored, ...rest } = metadata;
  return merged(obj, { metadata: rest });
}

/** 0 for objects others may need to exist first (Namespaces, CRDs), else 1. */
function foundationRank(obj: DeliveredObject): number {
  return obj.kind === 'Namespace' || obj.kind === 'CustomResourceDefinition' ? 0 : 1;
}

/**
 * Canonicalizes, checks for duplicates, sorts by identity and cuts into content-defined batches.
 * Input order does not matter: the same set of objects always gives the same batches.
 */
export function planBatches(objects: readonly DeliveredObject[], options: BatchPlanOptions = {}): BatchPlan {
  const [k, budget] = checkedOptions(options);
  return plan(withoutClusterScopedNamespaces(objects), k, budget);
}

/**
 * `planBatches` of objects whose cluster-scoped members carry no `metadata.namespace` already (as
 * `withoutClusterScopedNamespaces` and `deliveredObjects` return them), without that filter again: the delivery
 * filters the charts' objects once while making them (`deliveredObjects`); the filter's second run here read every
 * object's kind and metadata once more and made a new array (~7 ms of a warm profile at 20,000 objects).
 */
export function planFilteredBatches(objects: readonly DeliveredObject[], options: BatchPlanOptions = {}): BatchPlan {
  const [k, budget] = checkedOptions(options);
  return plan(objects, k, budget);
}

function checkedOptions(options: BatchPlanOptions): [k: number, budget: number] {
  const k = options.targetObjectsPerBatch ?? 64;
  const budget = options.maxBatchBytes ?? 256 * 1024;
  if (!Number.isInteger(k) || k < 1) {
    throw new MeshValidationError(`targetObjectsPerBatch must be a positive integer, got ${k}; use e.g. 64`);
  }
  if (!Number.isInteger(budget) || budget < 1024) {
    throw new MeshValidationError(`maxBatchBytes must be an integer of at least 1024, got ${budget}; use e.g. 262144`);
  }
  return [k, budget];
}

/** An object of the plan: its identity, its canonical JSON, its `foundationRank` and whether a batch ends after it. */
interface Entry {
  readonly identity: string;
  readonly json: string;
  readonly rank: number;
  readonly cutAfter: boolean;
}

// The plan's passes are functions of their own: V8 compiles a loop that runs long (on-stack replacement) together
// with the rest of its function, and code after the loop that has not run yet threw the compiled code away when it
// was reached (twice in one function, ~8 KB of optimized code compiled three times at 20,000 objects).
function plan(objects: readonly DeliveredObject[], k: number, budget: number): BatchPlan {
  const kinds = new Map<unknown, Set<unknown>>();
  const entries = entriesOf(objects, k, kinds);
  // Namespaces and CRDs first: kubectl applies a file in order, and the handler applies the batches holding
  // them before the others, so objects never reach the API server before their namespace or kind exists.
  entries.sort((a, b) => a.rank - b.rank || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  checkDistinct(entries);
  return { batches: cut(entries, budget), kinds: kindNames(kinds), objectCount: entries.length };
}

/**
 * The entries of the objects, in their order, cut points by identity hash (`0 mod k`) included; adds each object's
 * apiVersion and kind to `kinds` (distinct values, not one string per object).
 */
function entriesOf(objects: readonly DeliveredObject[], k: number, kinds: Map<unknown, Set<unknown>>): Entry[] {
  const entries = new Array<Entry>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i];
    const identity = objectIdentity(obj);
    const json = canonicalJson(obj);
    entries[i] = { identity, json, rank: foundationRank(obj), cutAfter: sha256Uint32(identity) % k === 0 };
    const seen = kinds.get(obj.apiVersion);
    if (seen === undefined) {
      kinds.set(obj.apiVersion, new Set([obj.kind]));
    } else {
      seen.add(obj.kind);
    }
  }
  return entries;
}

function checkDistinct(sorted: readonly Entry[]): void {
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].identity === sorted[i - 1].identity) {
      throw new MeshValidationError(
        `two objects have the same identity ${sorted[i].identity}: ${truncate(sorted[i - 1].json)} and ` +
          `${truncate(sorted[i].json)}; give one of them another name or namespace`,
      );
    }
  }
}

/** `apiVersion/Kind` of the kinds, sorted. */
function kindNames(kinds: Map<unknown, Set<unknown>>): string[] {
  return [
    ...new Set([...kinds].flatMap(([apiVersion, ks]) => [...ks].map((k) => `${String(apiVersion)}/${String(k)}`))),
  ].sort();
}

/** Code units (and ASCII bytes) of a batch without objects. */
const EMPTY = LIST_OPEN.length + LIST_CLOSE.length;

/**
 * The batches of the sorted entries: each ends after an entry whose identity hash is `0 mod k` (`cutAfter`), or
 * before the entry that would take it past `budget` bytes of UTF-8, counting `,\n` after every object.
 */
function cut(entries: readonly Entry[], budget: number): ObjectBatch[] {
  const batches: ObjectBatch[] = [];
  // a loop over the runs (~64 entries each), apart from the loop over the entries (runsOf): V8 compiled the loop over
  // 20,000 entries together with the batch making it called, inlined, 6 to 18 KB of optimized code (node --prof)
  const runs = runsOf(entries);
  for (let r = 0; r < runs.length; r += 2) {
    const start = r === 0 ? 0 : runs[r - 2];
    const end = runs[r];
    if (runs[r + 1] * 3 <= budget) {
      batches.push(batchOf(entries, start, end, contentOf(entries, start, end)));
    } else {
      cutByBytes(entries, start, end, budget, batches);
    }
  }
  return batches;
}

/**
 * The runs of entries up to each identity cut (and the last entry), as pairs: the end of the run (exclusive) and its
 * size in UTF-16 code units as a batch. A code unit takes at most 3 bytes, so a run whose 3 × units stays within the
 * budget is one batch without counting its bytes.
 */
function runsOf(entries: readonly Entry[]): number[] {
  const runs: number[] = [];
  let units = EMPTY;
  for (let i = 0; i < entries.length; i++) {
    units += entries[i].json.length + 2;
    if (entries[i].cutAfter || i === entries.length - 1) {
      runs.push(i + 1, units);
      units = EMPTY;
    }
  }
  return runs;
}

/**
 * The batches of entries[start..end), cut before each entry that would take a batch past the budget. The bytes are
 * counted in the joined content, which is flat: `Buffer.byteLength` of each object's JSON, a rope as JSON.stringify
 * makes it, copied it flat first (~6 MB allocated at 20,000 objects); a run above the budget (8 of 318 batches there)
 * is joined twice instead, ~2.5 MB.
 */
function cutByBytes(entries: readonly Entry[], start: number, end: number, budget: number, into: ObjectBatch[]) {
  const content = contentOf(entries, start, end);
  // the budget counts `,\n` after the last object too
  if (Buffer.byteLength(content) + 2 <= budget) {
    into.push(batchOf(entries, start, end, content));
    return;
  }
  let from = start;
  let bytes = EMPTY;
  let offset = LIST_OPEN.length;
  for (let i = start; i < end; i++) {
    const length = entries[i].json.length;
    const size = Buffer.byteLength(content.slice(offset, offset + length)) + 2;
    offset += length + 2;
    if (i > from && bytes + size > budget) {
      into.push(batchOf(entries, from, i, contentOf(entries, from, i)));
      from = i;
      bytes = EMPTY;
    }
    bytes += size;
  }
  into.push(batchOf(entries, from, end, contentOf(entries, from, end)));
}

/** The batch file of entries[start..end) (not empty): a v1 List, one object per line. */
function contentOf(entries: readonly Entry[], start: number, end: number): string {
  const lines = new Array<string>(end - start);
  for (let i = start; i < end; i++) {
    lines[i - start] = entries[i].json;
  }
  // one join, no concatenation around it: `${LIST_OPEN}${lines.join()}${LIST_CLOSE}` is a rope that the hash then
  // copies flat once more (15 MB of the plan's 72 allocated at 20,000 objects)
  lines[0] = `${LIST_OPEN}${lines[0]}`;
  lines[lines.length - 1] = `${lines[lines.length - 1]}${LIST_CLOSE}`;
  return lines.join(',\n');
}

function batchOf(entries: readonly Entry[], start: number, end: number, content: string): ObjectBatch {
  const identities = new Array<string>(end - start);
  for (let i = start; i < end; i++) {
    identities[i - start] = entries[i].identity;
  }
  return { sha256: sha256Hex(content), content, identities };
}

function truncate(s: string): string {
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}
