import type { DnsRuleManifest, HttpRuleManifest } from './l7';
import type { PortManifest } from './ports';

/**
 * The wire form of the parts of a Cilium policy spec (`cilium.io/v2` CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy) that this library emits. Field names are Cilium's; kept apart from the
 * generated bindings so that the public API does not expose generated type names.
 * @see https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumnetworkpolicy
 */

/** A label selector (`endpointSelector`, `fromEndpoints[]`, `toEndpoints[]`). */
export interface SelectorManifest {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: SelectorRequirementManifest[];
}

/** One `matchExpressions` entry. */
export interface SelectorRequirementManifest {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: string[];
}

/** One `toPorts[]` entry. */
export interface PortRuleManifest {
  readonly ports: PortManifest[];
  readonly rules?: {
    readonly http?: HttpRuleManifest[];
    readonly dns?: DnsRuleManifest[];
  };
}

/** One `fromCIDRSet[]` / `toCIDRSet[]` entry. */
export interface CidrRuleManifest {
  readonly cidr: string;
  readonly except?: string[];
}

/** One `toFQDNs[]` entry. */
export interface FqdnManifest {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** One `toServices[]` entry. */
export interface ServiceManifest {
  readonly k8sService: { readonly serviceName: string; readonly namespace: string };
}

/** The peer part of a rule: exactly one of these is set by a peer. */
export interface PeerFieldsManifest {
  readonly fromEndpoints?: SelectorManifest[];
  readonly fromEntities?: string[];
  readonly fromCIDRSet?: CidrRuleManifest[];
  readonly toEndpoints?: SelectorManifest[];
  readonly toEntities?: string[];
  readonly toCIDRSet?: CidrRuleManifest[];
  readonly toFQDNs?: FqdnManifest[];
  readonly toServices?: ServiceManifest[];
}

/** One rule of `ingress`, `egress`, `ingressDeny` or `egressDeny`. */
export interface RuleManifest extends PeerFieldsManifest {
  readonly toPorts?: PortRuleManifest[];
  readonly authentication?: { readonly mode: 'required' };
}

/** A policy spec. */
export interface PolicySpecManifest {
  readonly description?: string;
  readonly endpointSelector: SelectorManifest;
  readonly enableDefaultDeny: { readonly ingress: boolean; readonly egress: boolean };
  readonly ingress?: RuleManifest[];
  readonly ingressDeny?: RuleManifest[];
  readonly egress?: RuleManifest[];
  readonly egressDeny?: RuleManifest[];
}
