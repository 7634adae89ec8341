import { Annotations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../private/errors';
import { Datapath, type CiliumProfile } from './profile';
import type { CiliumVersion } from './version';

/**
 * What a Cilium datapath and release can do, as data. Consulted at synth by every construct that emits
 * something the datapath might not honour, so that nothing is claimed that the datapath cannot do.
 */
export enum Feature {
  /** L7 (HTTP/Kafka) rules in network policy: enforced by Envoy. */
  L7_POLICY = 'l7Policy',
  /** `toFQDNs` rules and DNS-aware policy: the DNS proxy. */
  FQDN_POLICY = 'fqdnPolicy',
  /** IPsec transparent encryption. */
  IPSEC = 'ipsec',
  /** WireGuard transparent encryption. */
  WIREGUARD = 'wireguard',
  /** Gateway API controller (Envoy). */
  GATEWAY_API = 'gatewayApi',
  /** Ingress controller (Envoy). */
  INGRESS = 'ingress',
  /** CiliumEnvoyConfig / L7 load balancing. */
  ENVOY_CONFIG = 'envoyConfig',
  /** Mutual authentication (SPIRE). */
  MUTUAL_AUTH = 'mutualAuth',
}

/** How a feature fares on a datapath and release. */
export enum Support {
  /** Supported and tested upstream. */
  SUPPORTED = 'supported',
  /** Not covered by upstream CI on this datapath: allowed, with a synth warning. */
  UNTESTED = 'untested',
  /** Upstream states it does not work on this datapath: allowed only with a synth warning naming the alternative. */
  UNSUPPORTED = 'unsupported',
  /** Cannot work at all (the agent refuses or the datapath breaks): a synth error. */
  INCOMPATIBLE = 'incompatible',
}

/** One cell of the capability table. */
export interface Capability {
  readonly support: Support;
  /** Why, in one sentence. */
  readonly reason?: string;
  /** The upstream reference (issue, PR or doc page). */
  readonly reference?: string;
  /** What to use instead. */
  readonly alternative?: string;
}

interface Row {
  readonly feature: Feature;
  readonly datapath: Datapath;
  /** First Cilium minor this row applies to (inclusive). */
  readonly fromMinor: number;
  /** Last Cilium minor this row applies to (inclusive). */
  readonly toMinor: number;
  readonly capability: Capability;
}

const ENI_ALTERNATIVE = 'use Cilium ENI mode (ipam.mode=eni) instead of aws-cni chaining';

/** The table. Rows not listed are SUPPORTED. */
const TABLE: readonly Row[] = [
  {
    feature: Feature.L7_POLICY, datapath: Datapath.AWS_CNI_CHAINING, fromMinor: 16, toMinor: 20,
    capability: {
      support: Support.UNSUPPORTED,
      reason: 'Cilium maintainers state that L7 policy is not supported in aws-cni chaining and upstream CI skips the l7 tests there',
      reference: 'cilium/cilium#42578',
      alternative: ENI_ALTERNATIVE,
    },
  },
  {
    feature: Feature.FQDN_POLICY, datapath: Datapath.AWS_CNI_CHAINING, fromMinor: 16, toMinor: 20,
    capability: {
      support: Support.UNSUPPORTED,
      reason: 'FQDN policy relies on the DNS proxy, which Cilium maintainers state is not supported in aws-cni chaining; upstream CI skips the fqdn tests there',
      reference: 'cilium/cilium#47269',
      alternative: ENI_ALTERNATIVE,
    },
  },
  ...[Feature.GATEWAY_API, Feature.INGRESS].map((feature): Row => ({
    feature, datapath: Datapath.AWS_CNI_CHAINING, fromMinor: 16, toMinor: 20,
    capability: {
      support: Support.UNTESTED,
      reason: 'the Envoy-based Gateway API and Ingress controllers are not exercised by upstream CI in aws-cni chaining: ' +
        'the aws-cni conformance workflow installs Cilium without them and skips the l7 tests, as L7 is not supported there',
      reference: 'cilium/cilium .github/workflows/conformance-aws-cni.yaml, cilium/cilium#42578',
      alternative: ENI_ALTERNATIVE,
    },
  })),
];

/** The capability of `feature` on `datapath` for `version`. */
export function capabilityOf(feature: Feature, datapath: Datapath, version: CiliumVersion): Capability {
  const minor = version.minor;
  const row = TABLE.find((r) => r.feature === feature && r.datapath === datapath && minor >= r.fromMinor && minor <= r.toMinor);
  return row?.capability ?? { support: Support.SUPPORTED };
}

/** The message for a capability that is not plainly supported. */
export function capabilityMessage(feature: Feature, profile: CiliumProfile, capability: Capability): string {
  const parts = [
    `${feature} on ${profile.datapath} (Cilium ${profile.version.line}) is ${capability.support}`,
    capability.reason ? `: ${capability.reason}` : '',
    capability.reference ? ` (${capability.reference})` : '',
    capability.alternative ? `; ${capability.alternative}` : '',
  ];
  return parts.join('');
}

/**
 * Checks `feature` against the install `profile` on behalf of `scope`: INCOMPATIBLE throws, UNSUPPORTED and
 * UNTESTED add a warning `cdk-cilium-mesh:<feature>` that cites the upstream reason and names the alternative.
 */
export function checkCapability(scope: IConstruct, feature: Feature, profile: CiliumProfile): Capability {
  const capability = capabilityOf(feature, profile.datapath, profile.version);
  switch (capability.support) {
    case Support.SUPPORTED:
      break;
    case Support.INCOMPATIBLE:
      throw new MeshValidationError(capabilityMessage(feature, profile, capability), scope);
    default:
      Annotations.of(scope).addWarningV2(`cdk-cilium-mesh:${feature}`, capabilityMessage(feature, profile, capability));
  }
  return capability;
}
