import { MeshValidationError } from '../../private/errors';
import { validateDnsLabel, validateEnum } from '../../private/validate';
import type { IConstruct } from 'constructs';
import type { PeerFieldsManifest } from './manifest';
import type { IMirrorTarget } from './mirroring';
import type { Port } from './ports';
import { validateCidr, validateCidrExcept, validateFqdn } from './validation';

/**
 * Cilium policy entities: identities that are not pods selected by labels. The values are the ones the
 * 1.20.0 CRD allows in `fromEntities`/`toEntities`.
 * @see https://docs.cilium.io/en/stable/security/policy/language/#entities-based
 */
export enum Entity {
  /** Everything outside the cluster (and outside all meshed clusters). */
  WORLD = 'world',
  /** All endpoints of the local cluster, including hosts and remote nodes. */
  CLUSTER = 'cluster',
  /** All endpoints in all clusters of a Cluster Mesh. Cilium 1.20 and later (cilium/cilium#46813). */
  CLUSTER_MESH = 'cluster-mesh',
  /** The local node, including host-networked pods. */
  HOST = 'host',
  /** Every node other than the local one. */
  REMOTE_NODE = 'remote-node',
  /** The Kubernetes API server (also when it runs outside the cluster, as on EKS). */
  KUBE_APISERVER = 'kube-apiserver',
  /** Cilium's Envoy ingress/Gateway API proxy. */
  INGRESS = 'ingress',
  /** Endpoints whose identity is not resolved yet. */
  INIT = 'init',
  /** Cilium's health-check endpoints. */
  HEALTH = 'health',
  /** Pods not managed by Cilium. */
  UNMANAGED = 'unmanaged',
  /** Nothing (matches no peer). */
  NONE = 'none',
  /** Everything: all of the above. */
  ALL = 'all',
}

/** The entities, for validation (one array, not one per peer). */
const ENTITIES: readonly Entity[] = Object.values(Entity);

/** The first Cilium minor line that knows each entity, where later than 1.16. */
const ENTITY_SINCE: Partial<Record<Entity, { minor: number; reference: string }>> = {
  [Entity.CLUSTER_MESH]: { minor: 20, reference: 'cilium/cilium#46813' },
};

/** A rule may need a particular Cilium line; the policy checks this against the install profile. Internal. */
export interface PeerRequirement {
  readonly minor: number;
  readonly what: string;
  readonly reference: string;
}

/** What a peer contributes to a rule (wire fields and what the checks need). Internal: not exported from the package. */
export interface PolicyPeer {
  /** Stable identity of the peer, for sorting and conflict detection. */
  readonly key: string;
  /** Fields of an ingress rule (`from*`); undefined when the peer cannot be a traffic source in Cilium. */
  readonly from?: PeerFieldsManifest;
  /** Fields of an egress rule (`to*`). */
  readonly to: PeerFieldsManifest;
  /** True for `toFQDNs` peers (they need the DNS proxy rule and the FQDN capability). */
  readonly fqdn?: boolean;
  /** The Cilium line the peer needs. */
  readonly requires?: PeerRequirement;
  /** The mesh workload behind this peer, when rules can be mirrored to it. */
  readonly mirrorTarget?: IMirrorTarget;
  /** Ports the peer serves; used when a rule towards it names none. */
  readonly ports?: readonly Port[];
}

/**
 * A peer of a policy rule: a `Workload`, or one of the `Peer` factories (entity, CIDR, FQDN, Service).
 * Implemented by this library only: the conversion to Cilium's wire fields is internal.
 */
export interface IMeshPeer {
  /**
   * The peer's selector fields. Validates and throws path-less `MeshValidationError`s (the policy adds its path).
   * @internal
   */
  _toPolicyPeer(): PolicyPeer;
}

/** Options for `Peer.cidr`. */
export interface CidrPeerOptions {
  /**
   * Sub-ranges of the CIDR that the rule does not cover.
   * @default - none
   */
  readonly except?: string[];
}

/**
 * Peers that are not workloads: entities, CIDRs, FQDNs and Kubernetes Services.
 * @see https://docs.cilium.io/en/stable/security/policy/language/#layer-3-examples
 */
export class Peer implements IMeshPeer {
  /** A Cilium entity (`fromEntities`/`toEntities`). */
  public static entity(entity: Entity): Peer {
    return new Peer(() => {
      validateEnum('entity', entity, ENTITIES);
      const since = ENTITY_SINCE[entity];
      return {
        key: `entity:${entity}`,
        from: { fromEntities: [entity] },
        to: { toEntities: [entity] },
        requires: since && { minor: since.minor, what: `entity '${entity}'`, reference: since.reference },
      };
    });
  }

  /** An IPv4 or IPv6 CIDR (`fromCIDRSet`/`toCIDRSet`), optionally minus sub-ranges. */
  public static cidr(cidr: string, options: CidrPeerOptions = {}): Peer {
    return new Peer(() => {
      validateCidr('CIDR peer', cidr);
      const except = [...new Set(options.except ?? [])].sort();
      validateCidrExcept(cidr, except);
      const set = [{ cidr, ...(except.length > 0 ? { except } : {}) }];
      return { key: `cidr:${cidr}!${except.join(',')}`, from: { fromCIDRSet: set }, to: { toCIDRSet: set } };
    });
  }

  /**
   * Egress to one DNS name (`toFQDNs[].matchName`). The policy adds the rule that sends the workload's DNS
   * lookups through Cilium's DNS proxy, which is how Cilium learns the name's addresses.
   */
  public static fqdn(name: string): Peer {
    return new Peer(() => {
      validateFqdn('matchName', name);
      return { key: `fqdn:${name}`, to: { toFQDNs: [{ matchName: name }] }, fqdn: true };
    });
  }

  /** Egress to DNS names matching a pattern (`toFQDNs[].matchPattern`, e.g. `*.example.com`). */
  public static fqdnPattern(pattern: string): Peer {
    return new Peer(() => {
      validateFqdn('matchPattern', pattern);
      return { key: `fqdn-pattern:${pattern}`, to: { toFQDNs: [{ matchPattern: pattern }] }, fqdn: true };
    });
  }

  /**
   * Egress to the backends of a Kubernetes Service (`toServices[].k8sService`). Useful for Services without
   * a selector (e.g. backed by EndpointSlices outside the cluster).
   */
  public static service(name: string, namespace: string): Peer {
    return new Peer(() => {
      validateDnsLabel('Service name', name);
      validateDnsLabel('Service namespace', namespace);
      return {
        key: `service:${namespace}/${name}`,
        to: { toServices: [{ k8sService: { serviceName: name, namespace } }] },
      };
    });
  }

  private constructor(private readonly produce: () => PolicyPeer) {}

  /** @internal */
  public _toPolicyPeer(): PolicyPeer {
    return this.produce();
  }
}

/** Raises the error for a peer that cannot be an ingress source. */
export function requireIngressPeer(peer: PolicyPeer): PeerFieldsManifest {
  if (!peer.from) {
    throw new MeshValidationError(
      `peer '${peer.key}' can only be an egress destination (Cilium has no fromFQDNs/fromServices); ` +
        'use a Workload, Peer.cidr or Peer.entity as the source of ingress rules',
    );
  }
  return peer.from;
}

/**
 * The pods a namespaced policy applies to: implemented by `Workload`. Policies live in the subject's
 * namespace and select it with `endpointSelector`.
 */
export interface IPolicySubject extends IMeshPeer, IConstruct {
  /** The namespace of the pods. */
  readonly namespace: string;
  /** The ports the pods serve (may be empty). */
  readonly ports: Port[];
  /**
   * The `endpointSelector` of a policy in the subject's namespace, in Cilium's wire form (`{}` selects every pod
   * there; otherwise `{ matchLabels: {...} }`).
   */
  readonly endpointSelector: { [key: string]: any };
  /** A stable key of namespace and labels. */
  readonly selectorKey: string;
}
