import type { IConstruct } from 'constructs';

/**
 * Which pods are behind which Service, as mesh workloads state it (`WorkloadProps.service`), per mesh. Read by
 * checks that start from a route's Service backends and need the pods (see routing/envoy-source-identity.ts).
 */
const registry = new WeakMap<IConstruct, Map<string, Record<string, string>>>();

/** Records that Service `namespace/name` of `mesh` selects pods with `labels`. */
export function recordServiceSelector(mesh: IConstruct, namespace: string, name: string, labels: Readonly<Record<string, string>>): void {
  let selectors = registry.get(mesh);
  if (!selectors) {
    selectors = new Map();
    registry.set(mesh, selectors);
  }
  selectors.set(`${namespace}/${name}`, { ...labels });
}

/** The recorded selectors of `mesh`, keyed `namespace/name`. */
export function serviceSelectorsOf(mesh: IConstruct): ReadonlyMap<string, Record<string, string>> {
  return registry.get(mesh) ?? new Map();
}
