import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { CiliumNetworkPolicy } from '../../imports/cilium.io';
import { MeshValidationError, atScope } from '../../private/errors';
import { validateDnsLabel } from '../../private/validate';
import { claimObjectName, objectNameFor } from '../object-names';
import { MeshObject } from '../rendered-object';
import { ServiceMesh } from '../service-mesh';
import type { PolicySpecManifest, RuleManifest } from './manifest';
import type { IMirrorTarget } from './mirroring';
import type { IMeshPeer, IPolicySubject } from './peers';
import type { Port } from './ports';
import { type AllowOptions, type Bucket, type DenyOptions, RuleSet } from './rules';
import { merged } from '../../private/objects';

/**
 * The group, version and kind of the generated `CiliumNetworkPolicy` binding, written out so that loading the policy
 * constructs does not load the 1 MB of generated Cilium bindings (a test checks it against the binding's `GVK`).
 * @internal
 */
export const CILIUM_NETWORK_POLICY_GVK: typeof CiliumNetworkPolicy.GVK = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
};

/** Properties of a `NetworkPolicy`. */
export interface NetworkPolicyProps {
  /** The pods the policy applies to; the policy lives in their namespace. */
  readonly workload: IPolicySubject;
  /**
   * A human-readable description (`spec.description`).
   * @default - none
   */
  readonly description?: string;
}

/**
 * A CiliumNetworkPolicy for one workload, built from allow and deny rules in cdk8s-plus style.
 *
 * Allow rules never switch the workload into default deny: the policy always renders
 * `enableDefaultDeny: { ingress: false, egress: false }` (field added in Cilium 1.16, cilium/cilium#30572).
 * Enforcement is turned on separately, namespace by namespace or workload by workload, with `DefaultDeny`,
 * so teams can add their allow rules first and enforce later. Deny rules take effect at once: Cilium
 * applies them over default-allow endpoints too. Until the workload is enforced, an L7 rule still sends
 * the matching traffic (its peer and port) through the proxy, which answers non-matching requests with 403.
 *
 * On Cilium 1.17 and later the agent honours `enableDefaultDeny: false` only with
 * `enableNonDefaultDenyPolicies` on (the Helm default, cilium/cilium#34940); with it off, every policy
 * puts its workload into default deny.
 * @see https://docs.cilium.io/en/stable/security/policy/intro/#endpoint-default-policy
 */
export class NetworkPolicy extends Construct {
  /** The pods the policy applies to. */
  public readonly workload: IPolicySubject;
  /** The object name (derived from the construct path). */
  public readonly name: string;
  private readonly rules: RuleSet;
  private readonly sources: Array<() => ReadonlyArray<readonly [Bucket, RuleManifest]>> = [];

  constructor(scope: Construct, id: string, props: NetworkPolicyProps) {
    super(scope, id);
    const mesh = ServiceMesh.ofScope(this);
    // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
    mesh.cilium.version.validate(this);
    this.workload = props.workload;
    this.rules = new RuleSet(this, mesh.cilium);
    this.name = objectNameFor(this, mesh);
    claimObjectName(mesh, this, 'CiliumNetworkPolicy', props.workload.namespace, this.name);
    const description = props.description;
    new MeshObject(
      this,
      'Resource',
      merged(CILIUM_NETWORK_POLICY_GVK, {
        metadata: { name: this.name, namespace: validateNamespace(this, props.workload.namespace) },
        spec: Lazy.any({ produce: () => this.renderSpec(description) }),
      }),
    );
  }

  /** Allows traffic from `peer` to the workload (`ingress`), e.g. `allowFrom(frontend, { ports: [Port.tcp(8080)] })`. */
  public allowFrom(peer: IMeshPeer, options: AllowOptions = {}): void {
    const r = this.rules.allow('ingress', peer, options, this.workload.ports);
    this.mirror('egress', r.peer.mirrorTarget, r.ports, options);
  }

  /** Allows traffic from the workload to `peer` (`egress`). */
  public allowTo(peer: IMeshPeer, options: AllowOptions = {}): void {
    const r = this.rules.allow('egress', peer, options, this.workload.ports);
    this.mirror('ingress', r.peer.mirrorTarget, r.ports, options);
  }

  /** Denies traffic from `peer` to the workload (`ingressDeny`); wins over every allow. */
  public denyFrom(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.rules.deny('ingress', peer, options);
  }

  /** Denies traffic from the workload to `peer` (`egressDeny`); wins over every allow. */
  public denyTo(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.rules.deny('egress', peer, options);
  }

  /**
   * Adds a source of rules computed at synth (used by `Workload` for rules mirrored from its peers).
   * @internal
   */
  public _addRuleSource(source: () => ReadonlyArray<readonly [Bucket, RuleManifest]>): void {
    this.sources.push(source);
  }

  private renderSpec(description?: string): PolicySpecManifest {
    const sections = this.rules.render(this.sources.flatMap((s) => s()));
    if (Object.keys(sections).length === 0) {
      throw new MeshValidationError(
        'the policy has no rules; add rules with allowFrom/allowTo/denyFrom/denyTo or remove the policy',
        this,
      );
    }
    return {
      ...(description ? { description } : {}),
      endpointSelector: this.workload.endpointSelector,
      enableDefaultDeny: { ingress: false, egress: false },
      ...sections,
    };
  }

  private mirror(
    direction: 'ingress' | 'egress',
    target: IMirrorTarget | undefined,
    ports: Port[],
    options: AllowOptions,
  ): void {
    if (options.mirror === false) {
      return;
    }
    if (!target) {
      if (options.mirror) {
        throw new MeshValidationError(
          'mirror: true needs a Workload of this mesh as the peer (there is no policy to render the other side into); ' +
            'remove mirror or pass a Workload',
          this,
        );
      }
      return;
    }
    if (target.owner === this.workload) {
      return;
    }
    target.addMirror({
      direction,
      peer: this.workload,
      ports,
      mutualAuth: options.mutualAuth ?? false,
      force: options.mirror === true,
    });
  }
}

function validateNamespace(scope: Construct, ns: string): string {
  return atScope(scope, () => validateDnsLabel('namespace', ns));
}
