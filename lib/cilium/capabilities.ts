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
  /** Hubble metrics computed from L7 flows (`httpV2`, `dns`): only Cilium's L7 proxies emit those flows. */
  L7_METRICS = 'l7Metrics',
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

/** One row of the capability table: a feature on a datapath for a range of Cilium lines. */
export interface CapabilityRow {
  readonly feature: Feature;
  readonly datapath: Datapath;
  /** First Cilium minor this row applies to (inclusive). */
  readonly fromMinor: number;
  /** Last Cilium minor this row applies to (inclusive). */
  readonly toMinor: number;
  readonly capability: Capability;
}

const ENI_ALTERNATIVE =
  'use the ENI datapath (datapath: Datapath.ENI, i.e. eni.enabled with ipam.mode=eni), where upstream CI runs these tests';

/** The upstream CI that runs the full connectivity suite (no test filter) on EKS with Cilium's ENI IPAM. */
const ENI_CI = 'cilium/cilium .github/workflows/conformance-eks.yaml';

/**
 * Gateway API and Ingress in aws-cni chaining. Settled from the source: Envoy connects to backends from the node's
 * Ingress address (`Ipv4SourceAddress` of the listener's `cilium.bpf_metadata` filter for listeners owned by a
 * Gateway or an Ingress, pkg/ciliumenvoyconfig/cec_resource_parser.go), which the agent allocates from its own IPAM
 * when Envoy config is on (`allocateIngressIPs`, daemon/infraendpoints/infra_ip_allocation.go; daemon/cmd/ipam.go on
 * 1.16). In chaining that IPAM is cluster-pool, whose addresses the VPC neither routes nor accepts as a source
 * (source/destination check), so `renderCiliumValues` moves the pool off the VPC range
 * (`CHAINING_ENVOY_CLUSTER_POOL_CIDR`); what stays unverified is said in the reason.
 */
function envoyFrontendInChaining(feature: Feature, what: string): CapabilityRow[] {
  return [
    {
      feature,
      datapath: Datapath.AWS_CNI_CHAINING,
      fromMinor: 16,
      toMinor: 20,
      capability: {
        support: Support.UNTESTED,
        reason:
          `${what} runs through Cilium's Envoy, which upstream CI does not test in aws-cni chaining ` +
          "(cilium/cilium#42578). Envoy connects to the backends from the node's Ingress address, which comes from " +
          "Cilium's cluster-pool IPAM (moved off the VPC range by this library), not from the VPC: requests to a backend " +
          'on the same node as the Envoy that accepted them are expected to work; for a backend on another node, the VPC ' +
          'has no route back to that address and its source/destination check drops packets sent from it, so those ' +
          'requests are expected to fail (reported as hangs in cilium/cilium#33685 and as "served only on the backend\'s ' +
          'node" in cilium/cilium#46447). Unverified on a real cluster: both expectations, and whether WireGuard between ' +
          'nodes (which carries the Ingress address inside the tunnel) makes cross-node requests work',
        reference: 'cilium/cilium#42578, cilium/cilium#33685, cilium/cilium#46447',
        alternative:
          ENI_ALTERNATIVE +
          ' (there the Ingress address is an ENI address), or an AWS Load Balancer ' +
          'Controller ALB/NLB with IP targets in front of the Services',
      },
    },
  ];
}

/** Envoy-based east-west features in aws-cni chaining (the client pod's own VPC address is kept as the source). */
function envoyUntested(feature: Feature, what: string): CapabilityRow[] {
  return [
    {
      feature,
      datapath: Datapath.AWS_CNI_CHAINING,
      fromMinor: 16,
      toMinor: 20,
      capability: {
        support: Support.UNTESTED,
        reason:
          `${what} runs traffic through Cilium's Envoy, whose L7 path upstream does not test in aws-cni chaining ` +
          '(cilium/cilium#42578); users reported proxied connections hanging (cilium/cilium#33685) and, from 1.19.4, ' +
          "Gateway traffic served only on the backend's node (cilium/cilium#46447)",
        reference: 'cilium/cilium#42578, cilium/cilium#33685, cilium/cilium#46447',
        alternative: ENI_ALTERNATIVE + ', or an AWS Load Balancer Controller ALB/NLB in front of the Services',
      },
    },
  ];
}

/** A feature that upstream CI runs on the ENI datapath on every line: SUPPORTED, with the evidence. */
function eniSupported(feature: Feature, test: string): CapabilityRow {
  return {
    feature,
    datapath: Datapath.ENI,
    fromMinor: 16,
    toMinor: 20,
    capability: {
      support: Support.SUPPORTED,
      reason: `upstream EKS CI installs Cilium with ENI IPAM and runs ${test}`,
      reference: ENI_CI,
    },
  };
}

/** The aws-cni chaining rows. */
const CHAINING_ROWS: readonly CapabilityRow[] = [
  {
    feature: Feature.L7_POLICY,
    datapath: Datapath.AWS_CNI_CHAINING,
    fromMinor: 16,
    toMinor: 20,
    capability: {
      support: Support.UNSUPPORTED,
      reason:
        'Cilium maintainers state that L7 policy is not supported in aws-cni chaining and upstream CI skips the l7 tests there',
      reference: 'cilium/cilium#42578',
      alternative: ENI_ALTERNATIVE,
    },
  },
  {
    feature: Feature.FQDN_POLICY,
    datapath: Datapath.AWS_CNI_CHAINING,
    fromMinor: 16,
    toMinor: 20,
    capability: {
      support: Support.UNSUPPORTED,
      reason:
        'FQDN policy relies on the DNS proxy, which Cilium maintainers state is not supported in aws-cni chaining; upstream CI skips the fqdn tests there',
      reference: 'cilium/cilium#47269',
      alternative: ENI_ALTERNATIVE,
    },
  },
  {
    feature: Feature.IPSEC,
    datapath: Datapath.AWS_CNI_CHAINING,
    fromMinor: 16,
    toMinor: 20,
    capability: {
      support: Support.INCOMPATIBLE,
      reason:
        'Cilium maintainers state that transparent encryption with IPsec is not supported when Cilium is chained ' +
        'on top of another CNI, which owns the underlying connectivity; on EKS chaining it broke node-to-node traffic',
      reference: 'cilium/cilium#15596, cilium/cilium#12955',
      alternative:
        'use TransparentEncryption.wireGuard() (with the VPC CNI POD_MTU lowered), or the ENI datapath for IPsec',
    },
  },
  ...envoyFrontendInChaining(Feature.GATEWAY_API, 'Gateway API'),
  ...envoyFrontendInChaining(Feature.INGRESS, 'the Ingress controller'),
  ...envoyUntested(Feature.ENVOY_CONFIG, 'CiliumEnvoyConfig'),
  {
    feature: Feature.L7_METRICS,
    datapath: Datapath.AWS_CNI_CHAINING,
    fromMinor: 16,
    toMinor: 20,
    capability: {
      support: Support.UNSUPPORTED,
      reason:
        "Hubble computes httpV2 and dns metrics from L7 flows, which only Cilium's L7 proxy (Envoy) and DNS proxy " +
        'emit for traffic an L7 rule covers; both are not supported in aws-cni chaining, so these metrics stay empty ' +
        '(exemplars included)',
      reference: 'cilium/cilium#42578, cilium/cilium#47269',
      alternative:
        ENI_ALTERNATIVE + '; on chaining keep to the L3/L4 metrics (drop, policy, flow, tcp, port-distribution)',
    },
  },
];

/**
 * The ENI rows: everything upstream CI tests there (cilium/cilium conformance-eks.yaml runs `cilium connectivity
 * test` without a filter, with `loadBalancer.l7.backend=envoy`, and IPsec and WireGuard variants). Gateway API,
 * Ingress and CiliumEnvoyConfig are not a test of their own there; they run on the same Envoy path as the `l7-lb`
 * test, and their Ingress address is an ENI address the VPC routes.
 */
const ENI_ROWS: readonly CapabilityRow[] = [
  eniSupported(Feature.L7_POLICY, 'the l7 connectivity tests'),
  eniSupported(Feature.FQDN_POLICY, 'the fqdn connectivity tests'),
  eniSupported(Feature.IPSEC, 'the connectivity tests with IPsec'),
  eniSupported(Feature.WIREGUARD, 'the connectivity tests with WireGuard'),
  eniSupported(Feature.GATEWAY_API, 'the l7-lb tests on the Envoy path Gateway API uses'),
  eniSupported(Feature.INGRESS, 'the l7-lb tests on the Envoy path the Ingress controller uses'),
  eniSupported(Feature.ENVOY_CONFIG, 'the l7-lb tests, whose Services get an annotation-generated CiliumEnvoyConfig'),
  eniSupported(
    Feature.L7_METRICS,
    'the l7 and fqdn tests, whose flows the httpV2 and dns metrics count (for traffic an L7 rule covers)',
  ),
];

/** The table: feature × datapath × line. Rows not listed are SUPPORTED. */
const TABLE: readonly CapabilityRow[] = [...CHAINING_ROWS, ...ENI_ROWS];

/** The whole table (rows not listed are SUPPORTED), e.g. to render documentation. */
export function capabilityTable(): readonly CapabilityRow[] {
  return TABLE;
}

/** The capability of `feature` on `datapath` for `version`. */
export function capabilityOf(feature: Feature, datapath: Datapath, version: CiliumVersion): Capability {
  const minor = version.minor;
  const row = TABLE.find(
    (r) => r.feature === feature && r.datapath === datapath && minor >= r.fromMinor && minor <= r.toMinor,
  );
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
 * The capability and its message per profile and feature: every route and Gateway checks Gateway API, so the table
 * lookup and the message (~1 µs per route at 20,000 objects) are done once per profile. Keyed by the profile object
 * (a mesh passes the same one to all its constructs), not by a key string made per check (a string of ~30
 * characters to allocate and hash for each of 10,000 routes); the datapath and version it was made for are
 * compared, so a profile object changed in place (plain JavaScript) is looked up again.
 */
const CHECKED = new WeakMap<CiliumProfile, Map<Feature, CheckedCapability>>();

interface CheckedCapability {
  readonly capability: Capability;
  readonly message: string;
  readonly datapath: Datapath;
  readonly version: string;
}

function checkedCapability(feature: Feature, profile: CiliumProfile): CheckedCapability {
  let byFeature = CHECKED.get(profile);
  if (byFeature === undefined) {
    byFeature = new Map();
    CHECKED.set(profile, byFeature);
  }
  let checked = byFeature.get(feature);
  if (checked === undefined || checked.datapath !== profile.datapath || checked.version !== profile.version.version) {
    const capability = capabilityOf(feature, profile.datapath, profile.version);
    const message = capability.support === Support.SUPPORTED ? '' : capabilityMessage(feature, profile, capability);
    checked = { capability, message, datapath: profile.datapath, version: profile.version.version };
    byFeature.set(feature, checked);
  }
  return checked;
}

/**
 * Capability warnings already given, per install or mesh: keyed by the construct right below the app root (the
 * Stack of a `Cilium` install, the `ServiceMesh` chart of a cdk8s app), then by warning text.
 */
const WARNED = new WeakMap<IConstruct, Set<string>>();

/**
 * Checks `feature` against the install `profile` on behalf of `scope`: INCOMPATIBLE throws, UNSUPPORTED and
 * UNTESTED add a warning `cdk-cilium-mesh:<feature>` that cites the upstream reason and names the alternative.
 * The warning is given once per install or mesh (on the first construct that uses the feature), not once per
 * object: 10,000 routes on a chaining install carry one Gateway API warning, not 10,000.
 */
export function checkCapability(scope: IConstruct, feature: Feature, profile: CiliumProfile): Capability {
  const { capability, message } = checkedCapability(feature, profile);
  switch (capability.support) {
    case Support.SUPPORTED:
      break;
    case Support.INCOMPATIBLE:
      throw new MeshValidationError(message, scope);
    default: {
      // the construct right below the root (`node.scopes[1]`, without an array of every scope)
      let anchor = scope;
      while (anchor.node.scope?.node.scope !== undefined) {
        anchor = anchor.node.scope;
      }
      let warned = WARNED.get(anchor);
      if (!warned) {
        warned = new Set();
        WARNED.set(anchor, warned);
      }
      if (!warned.has(message)) {
        warned.add(message);
        Annotations.of(scope).addWarningV2(`cdk-cilium-mesh:${feature}`, message);
      }
    }
  }
  return capability;
}
