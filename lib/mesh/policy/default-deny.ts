import { Construct } from 'constructs';
import { MeshValidationError, atScope } from '../../private/errors';
import { validateDnsLabel } from '../../private/validate';
import { claimObjectName, objectNameFor } from '../object-names';
import { MeshObject } from '../rendered-object';
import { ServiceMesh } from '../service-mesh';
import { EnforcementRegistry } from './mirroring';
import { CILIUM_NETWORK_POLICY_GVK } from './network-policy';
import type { PolicySpecManifest, SelectorManifest } from './manifest';
import type { IPolicySubject } from './peers';
import { DNS_ALLOW_RULE } from './rules';
import { merged } from '../../private/objects';

/** Which directions a default deny covers. */
export interface DefaultDenyDirections {
  /**
   * Drop ingress traffic that no policy allows.
   * @default true
   */
  readonly ingress?: boolean;
  /**
   * Drop egress traffic that no policy allows (DNS to kube-dns stays allowed).
   * @default true
   */
  readonly egress?: boolean;
}

/** Properties of a `DefaultDeny`: exactly one of `namespace` and `workload`. */
export interface DefaultDenyProps extends DefaultDenyDirections {
  /**
   * Enforce every pod of this namespace.
   * @default - `workload` must be set
   */
  readonly namespace?: string;
  /**
   * Enforce only this workload.
   * @default - `namespace` must be set
   */
  readonly workload?: IPolicySubject;
}

/**
 * The spec of a default-deny policy: selects the pods, sets `enableDefaultDeny` for the chosen directions,
 * denies all ingress with an empty ingress rule (`ingress: [{}]`, which allows no peer) and, for egress,
 * allows only DNS to kube-dns on port 53 (UDP and TCP) so that name resolution keeps working. The DNS rule
 * is L4 only, so it does not need the DNS proxy; `toFQDNs` rules add their own DNS proxy rule.
 */
export function renderDefaultDenySpec(
  endpointSelector: SelectorManifest,
  directions: DefaultDenyDirections,
): PolicySpecManifest {
  const ingress = directions.ingress ?? true;
  const egress = directions.egress ?? true;
  if (!ingress && !egress) {
    throw new MeshValidationError(
      'a default deny must cover ingress, egress or both; leave ingress/egress unset to cover both',
    );
  }
  return {
    endpointSelector,
    enableDefaultDeny: { ingress, egress },
    ...(ingress ? { ingress: [{}] } : {}),
    ...(egress ? { egress: [DNS_ALLOW_RULE] } : {}),
  };
}

/**
 * Turns enforcement on for a namespace or a workload: traffic that no policy allows is dropped.
 *
 * This is the adoption switch. Allow rules of this library never enable default deny by themselves (see
 * `NetworkPolicy`), so a team adds its allow rules first, checks them, then adds a `DefaultDeny` for its
 * namespace; removing it turns enforcement off again. Adding one also renders the peer side of rules
 * towards the namespace's workloads (see `AllowOptions.mirror`).
 *
 * To see what would be dropped before enforcing, run the agent in policy audit mode (the `policyAuditMode`
 * option of `Cilium` / `addCilium`, cluster-wide, or `cilium-dbg endpoint config <id> PolicyAuditMode=Enabled` per
 * endpoint): verdicts are then logged as `AUDIT` in Hubble (`hubble observe --verdict AUDIT`) instead of
 * dropped. Audit mode covers L3/L4 only and disables enforcement on the audited endpoints.
 * @see https://docs.cilium.io/en/stable/security/policy-creation/
 */
export class DefaultDeny extends Construct {
  /** The object name. */
  public readonly name: string;
  /** The namespace the policy lives in. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DefaultDenyProps) {
    super(scope, id);
    const mesh = ServiceMesh.ofScope(this);
    // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
    mesh.cilium.version.validate(this);
    if ((props.namespace === undefined) === (props.workload === undefined)) {
      throw new MeshValidationError(
        'a DefaultDeny needs exactly one of namespace and workload; pass { namespace: "shop" } or { workload }',
        this,
      );
    }
    this.namespace = props.workload?.namespace ?? atScope(this, () => validateDnsLabel('namespace', props.namespace!));
    if (props.namespace === 'kube-system') {
      throw new MeshValidationError(
        'a namespace-wide DefaultDeny for kube-system cuts the cluster off from DNS (CoreDNS would refuse queries or ' +
          'lose the VPC resolver); enforce single kube-system workloads with { workload } and explicit allows instead',
        this,
      );
    }
    const selector = props.workload?.endpointSelector ?? {};
    const spec = atScope(this, () => renderDefaultDenySpec(selector, props));
    // A workload that selects the whole namespace (Workload.allInNamespace) enforces the namespace.
    const wholeNamespace = Object.keys(selector).length === 0;
    EnforcementRegistry.of(mesh).enforce(
      this.namespace,
      wholeNamespace ? undefined : props.workload?.selectorKey,
      spec.enableDefaultDeny,
    );
    this.name = objectNameFor(this, mesh);
    claimObjectName(mesh, this, 'CiliumNetworkPolicy', this.namespace, this.name);
    new MeshObject(
      this,
      'Resource',
      merged(CILIUM_NETWORK_POLICY_GVK, { metadata: { name: this.name, namespace: this.namespace }, spec }),
    );
  }
}
