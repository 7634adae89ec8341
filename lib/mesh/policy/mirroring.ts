/**
 * Rule mirroring, in one place: a rule `a.allowFrom(b)` is also rendered on `b`'s side (an egress rule in `b`'s
 * policy) when `b` is enforced in that direction by a `DefaultDeny` of the same mesh, or when the rule asks for it
 * (`AllowOptions.mirror`). The pieces:
 * - `EnforcementRegistry`: what the DefaultDeny constructs of a mesh enforce, with listeners for later ones;
 * - `MirroredRule` / `IMirrorTarget`: a rule as seen from its peer, and where it is sent (`PolicyPeer.mirrorTarget`);
 * - `WorkloadMirrors`: a workload's received rules, which create its policy once enforced and render into it.
 * `NetworkPolicy.allowFrom/allowTo` send the rules; `Workload` owns a `WorkloadMirrors`. Internal: nothing here
 * is exported from the package.
 */
import type { IConstruct } from 'constructs';
import type { RuleManifest } from './manifest';
import type { IMeshPeer } from './peers';
import type { Port } from './ports';
import type { Bucket } from './rules';

/** Which directions are enforced (default deny) for a namespace or a workload. */
export interface Enforcement {
  readonly ingress: boolean;
  readonly egress: boolean;
}

/** Something that creates its policy object once it learns that it is enforced (`WorkloadMirrors`). */
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

/** A rule as seen from its peer (used for mirroring; see `AllowOptions.mirror`). */
export interface MirroredRule {
  /** The direction of the mirrored rule on the peer (`ingress` when the original was `egress`). */
  readonly direction: 'ingress' | 'egress';
  /** The selecting workload of the original rule, as a peer. */
  readonly peer: IMeshPeer;
  readonly ports: readonly Port[];
  readonly mutualAuth: boolean;
  /** Render even when the peer is not enforced in `direction`. */
  readonly force: boolean;
}

/** Something that can receive rules mirrored to it: the `WorkloadMirrors` of a `Workload` of the same mesh. */
export interface IMirrorTarget {
  /** The construct the rules are mirrored to (a policy never mirrors to its own workload). */
  readonly owner: IConstruct;
  /** Registers a rule from another workload's policy, so the target renders the other side when it is enforced. */
  addMirror(mirror: MirroredRule): void;
}

/** What a workload needs from its owner to take mirrored rules. */
export interface MirrorSubject extends IConstruct {
  readonly namespace: string;
  readonly selectorKey: string;
}

/**
 * The rules mirrored to one workload. Its policy is created (by `ensurePolicy`) as soon as one of them has to be
 * rendered: at once for forced rules or an enforced direction, otherwise when a later DefaultDeny enforces it.
 */
export class WorkloadMirrors implements IMirrorTarget, IEnforcementListener {
  private readonly mirrors: MirroredRule[] = [];
  private listening = false;

  constructor(
    public readonly owner: MirrorSubject,
    private readonly registry: EnforcementRegistry,
    private readonly ensurePolicy: () => void,
  ) {}

  public get namespace(): string {
    return this.owner.namespace;
  }

  public get selectorKey(): string {
    return this.owner.selectorKey;
  }

  public addMirror(mirror: MirroredRule): void {
    this.mirrors.push(mirror);
    if (mirror.force || this.registry.isEnforced(this.namespace, this.selectorKey, mirror.direction)) {
      this.ensurePolicy();
    } else if (!this.listening) {
      this.listening = true;
      this.registry.listen(this);
    }
  }

  public enforcementChanged(): void {
    if (this.mirrors.some((m) => this.registry.isEnforced(this.namespace, this.selectorKey, m.direction))) {
      this.ensurePolicy();
    }
  }

  /** The mirrored rules to render now (forced, or in an enforced direction), L4 only. */
  public render(): Array<[Bucket, RuleManifest]> {
    const out: Array<[Bucket, RuleManifest]> = [];
    for (const m of this.mirrors) {
      if (!m.force && !this.registry.isEnforced(this.namespace, this.selectorKey, m.direction)) {
        continue;
      }
      const peer = m.peer._toPolicyPeer();
      const fields = m.direction === 'ingress' ? peer.from! : peer.to;
      out.push([
        m.direction,
        {
          ...fields,
          ...(m.ports.length > 0 ? { toPorts: [{ ports: m.ports.map((p) => p._toKube()) }] } : {}),
          ...(m.mutualAuth ? { authentication: { mode: 'required' as const } } : {}),
        },
      ]);
    }
    return out;
  }
}
