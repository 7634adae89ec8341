import {
  ApiObject,
  type ApiObjectProps,
  App,
  Chart,
  type GroupVersionKind,
  ImplicitTokenResolver,
  Lazy,
  LazyResolver,
  NumberStringUnionResolver,
  type JsonPatch,
} from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { ConstructWalk } from '../private/construct-walk';
import { merged } from '../private/objects';

/**
 * The cdk8s release whose `ApiObject.toJson()` `MeshObject` reproduces. The fast rendering below depends on how that
 * release resolves, sanitizes and orders (and on the private `_additionalAttributes` of its metadata), so it is used
 * only with this release; any other falls back to cdk8s itself. test/mesh/rendered-object.test.ts fails when the
 * installed cdk8s is another one, so that a bump re-runs the equivalence tests before this constant moves.
 */
export const RENDERED_CDK8S_VERSION = '2.70.106';

/** A generated binding (`cdk8s import`): its GVK, its `manifest()` (GVK + the props mapping) and its `toJson()`. */
export interface GeneratedBinding<P> {
  readonly GVK: GroupVersionKind;
  manifest(props: P): unknown;
  readonly prototype: ApiObject;
}

/** Thrown inside the renderer when a value is not plain JSON data: the object is then rendered by cdk8s. */
const NOT_PLAIN: unique symbol = Symbol('not plain');

const installedVersion = (ApiObject as unknown as Record<symbol, { version?: string } | undefined>)[
  Symbol.for('jsii.rtti')
]?.version;

/**
 * An `ApiObject` of the mesh whose `toJson()` gives the same value as cdk8s's (and, with a `binding`, as the
 * generated class's: `{ ...GVK, ...toJson_XProps(super.toJson()) }`) in one pass over plain data. For the classes whose
 * mapping returns the rendered props as they are (`IDENTITY_MAPPED_CLASSES` of the generated module, found by `npm run
 * import`), the mapping is skipped: it rebuilt every HTTPRoute and CiliumEnvoyConfig member by member, and V8 compiled
 * the mapping functions, once hot, for ~275 ms at 20,000 objects (`node --trace-opt`).
 *
 * Why not cdk8s's: at 20,000 objects its `toJson()` took ~28 µs per object (bench/realistic.ts, warm profile):
 * `resolve()` visits every value with `App.of()`, a new `ResolutionContext` and a new key path per value, then
 * `sanitizeValue` copies the result once more to sort keys, and the metadata is resolved and sanitized twice.
 * The fast path does the same steps (Lazy values produced in the same order, nulls dropped, keys sorted, empty
 * metadata arrays and objects dropped, `apiVersion`/`kind`/`metadata` first) with one copy. It is taken only when
 * nothing can differ: the cdk8s release above, no JSON patch added (`addJsonPatch`), the app's resolvers exactly
 * cdk8s's three defaults, `CDK8S_DISABLE_SORT` unset, and every value plain JSON data or a `Lazy` producing it.
 * Anything else (a class instance, a function, an implicit token) is rendered by cdk8s itself.
 */
export class MeshObject extends ApiObject {
  /**
   * The generated class whose rendering this object has (its `toJson()` maps the props), if any.
   * @internal
   */
  public readonly _binding?: GeneratedBinding<never>;
  private readonly body: ApiObjectProps;
  private patched = false;
  /** The app (a construct's scope is fixed, so its root never changes). */
  private root?: IConstruct;

  constructor(scope: Construct, id: string, props: ApiObjectProps, binding?: GeneratedBinding<never>) {
    super(scope, id, props);
    this.body = props;
    this._binding = binding;
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  public override toJson(): any {
    if (this.patched) {
      return this._cdk8sToJson();
    }
    this.root ??= App.of(this);
    const json = renderOrUndefined(this, this.body, this.root);
    if (json === undefined) {
      return this._cdk8sToJson();
    }
    // the binding's mapping, unless it returns the rendered props unchanged (`IDENTITY_MAPPED_CLASSES`)
    return this._binding && !IDENTITY_MAPPED.has(this._binding) ? this._binding.manifest(json as never) : json;
  }

  /**
   * The object as cdk8s (and the generated class, with a binding) renders it: the fallback, and what the
   * equivalence tests compare with.
   * @internal
   */
  public _cdk8sToJson(): any {
    return this._binding ? this._binding.prototype.toJson.call(this) : super.toJson();
  }
}

/**
 * True when the fast rendering gives what cdk8s gives for objects of `app`: the cdk8s release above,
 * `CDK8S_DISABLE_SORT` unset, and the app's resolvers exactly cdk8s's three defaults (read each time: a public array).
 */
function renderableIn(app: IConstruct): boolean {
  if (installedVersion !== RENDERED_CDK8S_VERSION || process.env.CDK8S_DISABLE_SORT) {
    return false;
  }
  const resolvers = (app as Partial<App>).resolvers;
  return (
    Array.isArray(resolvers) &&
    resolvers.length === 3 &&
    resolvers[0]?.constructor === LazyResolver &&
    resolvers[1]?.constructor === ImplicitTokenResolver &&
    resolvers[2]?.constructor === NumberStringUnionResolver
  );
}

/**
 * `props` and the metadata of `o` rendered as cdk8s's `ApiObject.toJson()` renders them without patches, or
 * undefined when cdk8s must render them (not renderable in `app`, or a value that is not plain data). An error
 * raised while rendering (e.g. by a Lazy's producer) gets cdk8s's wording.
 */
function renderOrUndefined(o: ApiObject, props: ApiObjectProps, app: IConstruct): Record<string, unknown> | undefined {
  if (!renderableIn(app)) {
    return undefined;
  }
  try {
    return renderBody(props, o.metadata);
  } catch (e) {
    if (e === NOT_PLAIN) {
      return undefined;
    }
    throw new Error(`Failed serializing construct at path '${o.node.path}' with name '${o.name}': ${e}`, { cause: e });
  }
}

/** The private fields of a cdk8s `ApiObject` the plain-object path reads (see RENDERED_CDK8S_VERSION). */
interface ApiObjectFields {
  readonly props?: ApiObjectProps;
  readonly patches?: readonly unknown[];
}

/**
 * A plain cdk8s `ApiObject` in a mesh (e.g. the Services and Namespaces an app adds), rendered the fast way when its
 * class is exactly `ApiObject` (so its `toJson()` is cdk8s's own) and it has no JSON patch; else its own `toJson()`.
 * About a quarter of the realistic mesh's objects are such Services: ~11 µs each through cdk8s.
 */
function renderApiObject(o: ApiObject, app: IConstruct): unknown {
  const fields = o as unknown as ApiObjectFields;
  if (
    Object.getPrototypeOf(o) !== ApiObject.prototype ||
    !Array.isArray(fields.patches) ||
    fields.patches.length > 0 ||
    typeof fields.props !== 'object' ||
    fields.props === null
  ) {
    return o.toJson();
  }
  return renderOrUndefined(o, fields.props, app) ?? o.toJson();
}

/** Generated classes whose props mapping returns resolved, sanitized props unchanged (see `generatedModule`). */
const IDENTITY_MAPPED = new WeakSet<object>();

/**
 * A generated module (lib/imports/*.ts) as its loader requires it, with its `IDENTITY_MAPPED_CLASSES` noted: the
 * objects of those classes skip the mapping. A class of a module loaded another way (a test's import) keeps it.
 */
export function generatedModule<M extends { readonly IDENTITY_MAPPED_CLASSES: readonly string[] }>(mod: M): M {
  for (const name of mod.IDENTITY_MAPPED_CLASSES) {
    const cls = (mod as unknown as Record<string, unknown>)[name];
    if (typeof cls === 'function') {
      IDENTITY_MAPPED.add(cls);
    }
  }
  return mod;
}

/** Creates the object of a generated binding (`new B(scope, id, props)`) as a `MeshObject` rendering like it. */
export function meshObjectOf<P extends object>(
  scope: Construct,
  id: string,
  binding: GeneratedBinding<P>,
  props: P,
): MeshObject {
  return new MeshObject(scope, id, merged(binding.GVK, props), binding as GeneratedBinding<never>);
}

/** True if `c` is a `MeshObject` (for the equivalence tests; `instanceof` is cdk8s's, true for any ApiObject). */
export function isMeshObject(c: IConstruct): c is MeshObject {
  return Object.prototype.isPrototypeOf.call(MeshObject.prototype, c);
}

interface MetadataFields {
  readonly _additionalAttributes?: object | null;
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly labels?: unknown;
}

/** cdk8s's `ApiObject.toJson()` without patches: metadata first (its own rules), then the rest, then key order. */
function renderBody(props: ApiObjectProps, metadata: ApiObject['metadata']): Record<string, unknown> {
  // the fields ApiObjectMetadataDefinition.toJson() reads (private in cdk8s's types; see RENDERED_CDK8S_VERSION)
  const m = metadata as unknown as MetadataFields;
  if (typeof m._additionalAttributes !== 'object' || m._additionalAttributes === null) {
    throw NOT_PLAIN;
  }
  // what ApiObjectMetadataDefinition.toJson() resolves, in its key order (the order Lazy values are produced in)
  const meta = render(
    merged(m._additionalAttributes, {
      name: m.name,
      namespace: m.namespace,
      annotations: m.annotations,
      finalizers: m.finalizers,
      ownerReferences: m.ownerReferences,
      labels: m.labels,
    }),
    true,
    false,
  );
  // `{ ...props, metadata }` resolved and sorted, then apiVersion, kind and metadata moved to the front
  const body = render(props, false, true);
  const out: Record<string, unknown> = {};
  const apiVersion = render(props.apiVersion, false, false);
  const kind = render(props.kind, false, false);
  if (apiVersion !== undefined) out.apiVersion = apiVersion;
  if (kind !== undefined) out.kind = kind;
  if (meta !== undefined) out.metadata = meta;
  return body === undefined ? out : Object.assign(out, body);
}

/**
 * cdk8s's `resolve()` then `sanitizeValue()` of one value, with `filterEmpty` as metadata uses it (empty arrays and
 * objects dropped); `omitHead` leaves out an object's apiVersion, kind and metadata (the top level's own). Returns
 * undefined for what sanitizing drops; throws NOT_PLAIN for what cdk8s must handle.
 *
 * One self-recursive function, not one per case: V8 does not inline a function into itself, but it did inline three
 * mutually recursive ones (value, object, member) into each other, and compiling those took ~250 ms of CPU at 20,000
 * objects (`node --trace-opt`), three times what this one takes.
 */
function render(value: unknown, filterEmpty: boolean, omitHead: boolean): unknown {
  while (value instanceof Lazy) {
    value = value.produce();
  }
  if (value === null || value === undefined) {
    return undefined;
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
    if (filterEmpty && value.length === 0) return undefined;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out[i] =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : render(v, filterEmpty, false);
    }
    return out;
  }
  // what cdk8s resolves (implicit tokens, number/string unions) or refuses (class instances) is left to it
  const obj = value as Record<string, unknown>;
  if (
    Object.getPrototypeOf(obj) !== Object.prototype ||
    obj.constructor !== Object ||
    typeof obj.resolve === 'function'
  ) {
    throw NOT_PLAIN;
  }
  const keys = Object.keys(obj);
  const n = keys.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = keys[i - 1] < keys[i];
  }
  // each member resolved in insertion order (as cdk8s produces Lazy values); undefined: dropped
  const out: Record<string, unknown> = {};
  let count = 0;
  // when the insertion order is the sorted order, written as resolved; else kept and written in sorted key order
  const values = sorted ? undefined : new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    let v: unknown = omitHead && (k === 'apiVersion' || k === 'kind' || k === 'metadata') ? undefined : obj[k];
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      v = render(v, filterEmpty, false);
    }
    if (values !== undefined) {
      values[i] = v;
    } else if (v !== undefined) {
      out[k] = v;
      count++;
    }
  }
  if (values !== undefined) {
    // an insertion sort of the (few) indices by key: Array.prototype.sort's order for distinct strings
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let j = i;
      while (j > 0 && keys[order[j - 1]] > keys[i]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (values[i] !== undefined) {
        out[keys[i]] = values[i];
        count++;
      }
    }
  }
  return filterEmpty && count === 0 ? undefined : out;
}

/**
 * cdk8s's `Chart.toJson()` (`App._synthChart`) for a chart when no construct of its app has a dependency and no
 * chart has a chart child; undefined otherwise, and the caller asks cdk8s. The constructs are read from `walk` (a
 * delivery's materialization hands its own; else one walk of the app for this call).
 *
 * Why: at 20,000 objects `_synthChart` spent ~20 µs per object besides the objects' own `toJson()` (warm profile):
 * a `DependencyGraph` over every construct of the chart (a vertex per construct keyed by its path, a cycle search
 * per edge, a topological walk) and `resolveDependencies`' three walks over the app. Without dependencies (and
 * without the chart-to-child-chart ones cdk8s adds for nested charts) `resolveDependencies` adds nothing and the
 * graph's order is the construct tree's pre-order, so this walks the tree once. Validation is cdk8s's: every
 * construct of the app, the same error text.
 */
export function renderChart(chart: Chart, walk: ConstructWalk = new ConstructWalk()): unknown[] | undefined {
  if (installedVersion !== RENDERED_CDK8S_VERSION || chart.node.scope === undefined) {
    return undefined;
  }
  const app = App.of(chart);
  const all = walk.findAll(app);
  for (const c of all) {
    // a chart with a chart child, found from the child: a chart's children listed made an array of the mesh's 20,000
    // children and tested each (~10 ms at 20,000 objects)
    if (c.node.dependencies.length > 0 || (Chart.isChart(c) && Chart.isChart(c.node.scope))) {
      return undefined;
    }
  }
  const errors: string[] = [];
  for (const c of all) {
    for (const error of c.node.validate()) {
      errors.push(`[${c.node.path}] ${error}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
  // the objects whose closest chart is this one, in pre-order (the graph's order without edges): the chart's own
  // subtree, a part of the app's walk (no construct path is built for each, as a prefix test would)
  const objects: ApiObject[] = [];
  let nested = false;
  for (const c of walk.findAll(chart)) {
    if (c === chart) {
      continue;
    }
    if (ApiObject.isApiObject(c)) {
      objects.push(c);
    } else if (Chart.isChart(c)) {
      nested = true;
    }
  }
  const own = nested ? objects.filter((o) => Chart.of(o) === chart) : objects;
  return own.map((o) => renderApiObject(o, app));
}
