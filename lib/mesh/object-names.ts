import { createHash } from 'crypto';
import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../private/errors';

/**
 * Object names of the mesh: derived from construct paths (stable under reordering, readable in `kubectl get`),
 * and claimed per mesh so that two constructs never emit the same object.
 */

const MAX_NAME = 63;

/**
 * The Kubernetes object name for a construct: its path below `root`, lower-cased, non-alphanumerics turned
 * into '-'. Names longer than 63 characters are cut and end in an 8-character hash of the full path, so they
 * stay unique and stable.
 */
export function objectNameFor(construct: IConstruct, root: IConstruct, fallback = 'policy'): string {
  // the ids below `root` down to `construct` without 'Resource', joined with '-', read upwards from `construct` (no
  // array of every scope up to the app, as `node.scopes` makes, nor of the ids, for every object of the mesh)
  let joined = '';
  let s: IConstruct | undefined = construct;
  while (s !== undefined && s !== root) {
    const id = s.node.id;
    if (id !== 'Resource') joined = joined === '' ? id : `${id}-${joined}`;
    s = s.node.scope;
  }
  if (s !== root) {
    joined = construct.node.scopes
      .slice(root.node.scopes.length)
      .map((c) => c.node.id)
      .filter((id) => id !== 'Resource')
      .join('-');
  }
  const lower = joined.toLowerCase();
  // most ids give a name as they are (e.g. 'R12' -> 'r12'): the two replacements only when they change something
  const raw = NAME.test(lower) ? lower : lower.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const base = raw || fallback;
  if (base.length <= MAX_NAME) {
    return base;
  }
  const hash = createHash('sha256').update(construct.node.path).digest('hex').slice(0, 8);
  return `${base.slice(0, MAX_NAME - 9).replace(/-+$/g, '')}-${hash}`;
}

/** What the replacements leave unchanged: runs of [a-z0-9] joined by single '-', no '-' at either end. */
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Per cdk8s app, per kind and namespace: object name → the construct that emits it (its path is read only to name
 * it in an error). Nested maps, not one map keyed by a `kind/namespace/name` string: the names are strings the
 * constructs keep anyway, where the joined key was a string made and kept for every object (at 20,000 objects,
 * ~15,000 of them alive from construction to the end).
 */
const claimed = new WeakMap<IConstruct, Map<string, Map<string, Map<string, IConstruct>>>>();

/**
 * Records that `scope` emits `kind` `namespace/name` in `mesh`; two constructs whose paths normalize to the
 * same name (e.g. `A-B` and `A/B`) would overwrite each other in the cluster, so the second one is refused.
 * Claims are shared by all meshes of one cdk8s app: names leave out the mesh, and a plain cdk8s app writes all its
 * charts into one output that GitOps applies together.
 */
export function claimObjectName(
  mesh: IConstruct,
  scope: IConstruct,
  kind: string,
  namespace: string,
  name: string,
  fix = 'construct paths map to object names, so give one of the constructs a different id',
): void {
  const app = mesh.node.root;
  let kinds = claimed.get(app);
  if (!kinds) {
    kinds = new Map();
    claimed.set(app, kinds);
  }
  let namespaces = kinds.get(kind);
  if (!namespaces) {
    namespaces = new Map();
    kinds.set(kind, namespaces);
  }
  let names = namespaces.get(namespace);
  if (!names) {
    names = new Map();
    namespaces.set(namespace, names);
  }
  const owner = names.get(name);
  if (owner !== undefined) {
    throw new MeshValidationError(
      `${kind} '${namespace ? `${namespace}/` : ''}${name}' is already emitted by ${owner.node.path}; ${fix}`,
      scope,
    );
  }
  names.set(name, scope);
}
