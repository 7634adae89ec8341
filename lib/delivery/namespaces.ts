import { MeshValidationError } from '../private/errors';
import { clusterScopedCrdKinds, clusterScopedTest, objectIdentity, type DeliveredObject } from './plan';

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
  const existing = new Set([...SYSTEM_NAMESPACES, ...(options.existingNamespaces ?? [])]);
  const declared = new Set(
    objects
      .filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1')
      .map((o) => String((o.metadata as { name?: unknown } | undefined)?.name)),
  );
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
  const clusterScoped = clusterScopedTest(clusterScopedCrdKinds(objects));
  const out = objects.map((o) => {
    if (clusterScoped(o)) {
      return o;
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
    return metadata.namespace === ns ? o : { ...o, metadata: { ...metadata, namespace: ns } };
  });
  return [...out, ...[...added.keys()].sort().map((k) => added.get(k)!)];
}
