import { MeshValidationError } from '../private/errors';
import {
  clusterScopedCrdKinds,
  clusterScopedTest,
  objectIdentity,
  withoutNamespace,
  type DeliveredObject,
} from './plan';
import { merged } from '../private/objects';

/** Namespaces every Kubernetes cluster has; a mesh never creates or deletes them. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Label put on the Namespaces a mesh delivery creates. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** How a delivery treats the namespaces its objects use (`meshNamespaces`). */
export interface MeshNamespaceOptions {
  /**
   * Namespaces that exist already (made by another stack, GitOps or by hand). The mesh puts objects in them but
   * never creates, adopts or deletes them.
   * @default - none besides default, kube-system, kube-public and kube-node-lease
   */
  readonly existingNamespaces?: string[];
  /**
   * Create a `Namespace` for every namespace the mesh's objects use that is neither declared as an object of the
   * mesh nor listed in `existingNamespaces`. It is applied before the other objects and, like them, deleted with
   * the mesh (with everything in it): list the namespace in `existingNamespaces` to keep it.
   * @default true
   */
  readonly createNamespaces?: boolean;
}

/**
 * The objects to deliver, with every namespace they use accounted for: namespaced objects without a namespace are
 * put in `default` (explicitly, as the delivery applies them from a cluster-scoped ApplySet), and a `Namespace`
 * object is added for each used namespace that is neither declared in the mesh, nor a system namespace, nor in
 * `existingNamespaces`. With `createNamespaces: false` such a namespace is an error naming the object and both
 * fixes. Pure; the result is sorted like the input, added Namespaces last.
 */
export function meshNamespaces(
  objects: readonly DeliveredObject[],
  options: MeshNamespaceOptions = {},
): DeliveredObject[] {
  return placeObjects(objects, options, false);
}

/**
 * `meshNamespaces(withoutClusterScopedNamespaces(objects), options)` in one pass: the objects a delivery applies, as
 * `planFilteredBatches` takes them. The two ran three passes over the objects between them, each reading every
 * object's kind and metadata again (~20 ms of a warm profile at 20,000 objects for withoutClusterScopedNamespaces).
 * @internal
 */
export function deliveredObjects(
  objects: readonly DeliveredObject[],
  options: MeshNamespaceOptions = {},
): DeliveredObject[] {
  return placeObjects(objects, options, true);
}

function placeObjects(
  objects: readonly DeliveredObject[],
  options: MeshNamespaceOptions,
  dropClusterScopedNamespaces: boolean,
): DeliveredObject[] {
  const existing = new Set([...SYSTEM_NAMESPACES, ...(options.existingNamespaces ?? [])]);
  // One look at every object's kind first, for the declared Namespaces and the CRDs (the test of cluster scope needs
  // all of them before the first object), then one pass that puts each object in its namespace: a filter, a map, a
  // CRD scan, the map and a copy of the result were five passes over 20,000 objects.
  const declared = new Set<string>();
  const crds: DeliveredObject[] = [];
  for (const o of objects) {
    if (o.kind === 'Namespace') {
      if (o.apiVersion === 'v1') {
        declared.add(String((o.metadata as { name?: unknown } | undefined)?.name));
      }
    } else if (o.kind === 'CustomResourceDefinition') {
      crds.push(o);
    }
  }
  for (const ns of options.existingNamespaces ?? []) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) {
      throw new MeshValidationError(
        `existingNamespaces entry '${ns}' is not a namespace name (a DNS label); fix the entry`,
      );
    }
    if (declared.has(ns)) {
      throw new MeshValidationError(
        `namespace '${ns}' is listed in existingNamespaces and also declared as a Namespace object of the mesh; ` +
          'remove it from one of the two',
      );
    }
  }
  const added = new Map<string, DeliveredObject>();
  const clusterScoped = clusterScopedTest(clusterScopedCrdKinds(crds));
  const out = objects.map((o) => {
    if (clusterScoped(o)) {
      return dropClusterScopedNamespaces ? withoutNamespace(o) : o;
    }
    const metadata = (o.metadata ?? {}) as Record<string, unknown>;
    const ns = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default';
    if (!existing.has(ns) && !declared.has(ns) && !added.has(ns)) {
      if (options.createNamespaces === false) {
        const [group, kind, , name] = objectIdentity(o).split('/');
        throw new MeshValidationError(
          `${kind} ${ns}/${name}${group ? ` (${group})` : ''} is in namespace '${ns}', which the mesh neither creates ` +
            `nor declares as existing; add '${ns}' to existingNamespaces if it exists, or set createNamespaces: true ` +
            '(the default) to create it with the mesh',
        );
      }
      added.set(ns, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { [MANAGED_BY_LABEL]: 'cdk-cilium-mesh' } },
      });
    }
    return metadata.namespace === ns ? o : merged(o, { metadata: merged(metadata, { namespace: ns }) });
  });
  for (const ns of [...added.keys()].sort()) {
    out.push(added.get(ns)!);
  }
  return out;
}
