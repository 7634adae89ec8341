import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../private/errors';

/**
 * Which pods are behind which Service, as mesh workloads state it (`WorkloadProps.service`), per mesh. Read by
 * checks that start from a route's Service backends and need the pods (see checks/envoy-source-identity.ts).
 */
const registry = new WeakMap<IConstruct, Map<string, { labels: Record<string, string>; by: IConstruct }>>();

/**
 * Records that Service `namespace/name` of `mesh` selects pods with `labels`, as stated by `scope`. A Service has
 * one selector, so a second workload stating other labels for it is an error.
 */
export function recordServiceSelector(
  mesh: IConstruct,
  scope: IConstruct,
  namespace: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): void {
  let selectors = registry.get(mesh);
  if (!selectors) {
    selectors = new Map();
    registry.set(mesh, selectors);
  }
  const key = `${namespace}/${name}`;
  const known = selectors.get(key);
  if (known && JSON.stringify(known.labels) !== JSON.stringify(labels)) {
    throw new MeshValidationError(
      `Service ${key} is already stated by workload ${known.by.node.path} with labels ${JSON.stringify(known.labels)}, got ` +
        `${JSON.stringify(labels)}; a Service selects one set of pods, so give this workload its own Service or the same labels`,
      scope,
    );
  }
  // the first workload stating it is kept (its path is read only to name it in an error)
  selectors.set(key, { labels: { ...labels }, by: known?.by ?? scope });
}

/** The recorded selectors of `mesh`, keyed `namespace/name`. */
export function serviceSelectorsOf(mesh: IConstruct): ReadonlyMap<string, Record<string, string>> {
  return new Map([...(registry.get(mesh) ?? new Map()).entries()].map(([k, v]) => [k, v.labels]));
}
