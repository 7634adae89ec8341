import type { IConstruct } from 'constructs';

/** Which directions are enforced (default deny) for a namespace or a workload. */
export interface Enforcement {
  readonly ingress: boolean;
  readonly egress: boolean;
}

/** Something that creates its policy object once it learns that it is enforced. */
export interface IEnforcementListener {
  /** The workload's namespace. */
  readonly namespace: string;
  /** A stable key of the workload's selector (namespace and labels). */
  readonly selectorKey: string;
  /** Called when a DefaultDeny now covers the workload. */
  enforcementChanged(): void;
}

/**
 * What the DefaultDeny constructs of one mesh enforce. Lookups are map reads (no tree walks), so a mesh with
 * thousands of workloads and policies stays linear.
 */
export class EnforcementRegistry {
  private static readonly registries = new WeakMap<IConstruct, EnforcementRegistry>();

  /** The registry of `mesh` (created on first use). */
  public static of(mesh: IConstruct): EnforcementRegistry {
    let r = EnforcementRegistry.registries.get(mesh);
    if (!r) {
      r = new EnforcementRegistry();
      EnforcementRegistry.registries.set(mesh, r);
    }
    return r;
  }

  private readonly namespaces = new Map<string, Enforcement>();
  private readonly workloads = new Map<string, Enforcement>();
  private readonly listeners = new Map<string, Set<IEnforcementListener>>();

  private constructor() {}

  /** Records a DefaultDeny for a namespace (selectorKey undefined) or one workload. */
  public enforce(namespace: string, selectorKey: string | undefined, e: Enforcement): void {
    const map = selectorKey === undefined ? this.namespaces : this.workloads;
    const key = selectorKey ?? namespace;
    const old = map.get(key) ?? { ingress: false, egress: false };
    map.set(key, { ingress: old.ingress || e.ingress, egress: old.egress || e.egress });
    for (const l of this.listeners.get(namespace) ?? []) {
      if (selectorKey === undefined || l.selectorKey === selectorKey) {
        l.enforcementChanged();
      }
    }
  }

  /** True when `direction` is enforced for the workload. */
  public isEnforced(namespace: string, selectorKey: string, direction: 'ingress' | 'egress'): boolean {
    return Boolean(this.namespaces.get(namespace)?.[direction] || this.workloads.get(selectorKey)?.[direction]);
  }

  /** Calls `listener.enforcementChanged()` whenever a DefaultDeny covering it is added later. */
  public listen(listener: IEnforcementListener): void {
    let set = this.listeners.get(listener.namespace);
    if (!set) {
      set = new Set();
      this.listeners.set(listener.namespace, set);
    }
    set.add(listener);
  }
}
