import { CiliumVersion } from './version';
import { defaultGatewayApiChannel } from './gateway-api-support';
import type { GatewayApiChannel } from '../gateway-api/versions';

/** How pod networking is provided on the nodes that Cilium runs on. */
export enum Datapath {
  /** Amazon VPC CNI assigns pod IPs; Cilium is chained after it (`cni.chainingMode: aws-cni`). */
  AWS_CNI_CHAINING = 'aws-cni-chaining',
  /**
   * Cilium's own ENI IPAM (`eni.enabled`, `ipam.mode: eni`): Cilium is the only CNI, pods get VPC addresses from
   * ENIs the operator attaches. L7 and FQDN policy and the Envoy features run here with upstream CI behind them.
   */
  ENI = 'eni',
}

/**
 * The facts about a Cilium installation that mesh objects depend on (what the datapath can enforce, which
 * API versions exist). The `Cilium` construct exposes its own as `cilium.profile`; a plain cdk8s app that
 * renders mesh objects for a cluster installed elsewhere states them with `CiliumProfile`.
 */
export interface CiliumProfile {
  /** The Cilium release. */
  readonly version: CiliumVersion;
  /** The datapath. */
  readonly datapath: Datapath;
  /** `kubeProxyReplacement: true`. */
  readonly kubeProxyReplacement: boolean;
  /** Cilium's Envoy-based L7 proxy (`l7Proxy`). */
  readonly l7Proxy: boolean;
  /** Mutual authentication with SPIRE (`authentication.mutual.spire.enabled`). */
  readonly mutualAuthentication: boolean;
  /** The Gateway API controller (`gatewayAPI.enabled`). */
  readonly gatewayApi: boolean;
  /** The Ingress controller (`ingressController.enabled`). */
  readonly ingressController: boolean;
  /**
   * The release channel of the installed Gateway API CRDs (`GatewayApiCrds.channel`). Fields that only the
   * experimental channel has (e.g. HTTPRoute `retry` in Gateway API v1.6.1) are refused on a standard install.
   * Read it with `gatewayApiChannelOf(profile)`.
   * @default - `defaultGatewayApiChannel(version)`: experimental on Cilium 1.16, else standard
   * @see https://gateway-api.sigs.k8s.io/concepts/versioning/#release-channels
   */
  readonly gatewayApiChannel?: GatewayApiChannel;
  /**
   * The agent handles CiliumEnvoyConfig (`enable-envoy-config`: Helm `envoyConfig.enabled`, also implied by
   * `gatewayAPI.enabled`, `ingressController.enabled` and `loadBalancer.l7.backend: envoy`). Read it with
   * `envoyConfigOf(profile)`.
   * @default - implied by the features above
   * @see https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/
   */
  readonly envoyConfig?: boolean;
  /**
   * Per-Service L7 load balancing through Envoy (Helm `loadBalancer.l7.backend: envoy`): Services annotated
   * `service.cilium.io/lb-l7: enabled` are load-balanced by Envoy.
   * @default false
   * @see https://docs.cilium.io/en/stable/network/servicemesh/envoy-load-balancing/
   */
  readonly l7LoadBalancing?: boolean;
}

/** Options for `chainingProfile` and `eniProfile`; every field defaults to what `Cilium` installs by default. */
export interface ChainingProfileOptions {
  /** @default CiliumVersion.V1_20 */
  readonly version?: CiliumVersion;
  /** @default false */
  readonly kubeProxyReplacement?: boolean;
  /** @default true */
  readonly l7Proxy?: boolean;
  /** @default false */
  readonly mutualAuthentication?: boolean;
  /** @default false */
  readonly gatewayApi?: boolean;
  /** @default false */
  readonly ingressController?: boolean;
  /**
   * The release channel of the Gateway API CRDs installed in the cluster.
   * @default - `defaultGatewayApiChannel(version)`: experimental on Cilium 1.16, else standard
   */
  readonly gatewayApiChannel?: GatewayApiChannel;
  /** `envoyConfig.enabled`. @default false */
  readonly envoyConfig?: boolean;
  /** `loadBalancer.l7.backend: envoy`. @default false */
  readonly l7LoadBalancing?: boolean;
}

/** The profile of an aws-cni chaining install, for mesh objects rendered without the `Cilium` construct. */
export function chainingProfile(options: ChainingProfileOptions = {}): CiliumProfile {
  const version = options.version ?? CiliumVersion.V1_20;
  return {
    version,
    datapath: Datapath.AWS_CNI_CHAINING,
    kubeProxyReplacement: options.kubeProxyReplacement ?? false,
    l7Proxy: options.l7Proxy ?? true,
    mutualAuthentication: options.mutualAuthentication ?? false,
    gatewayApi: options.gatewayApi ?? false,
    ingressController: options.ingressController ?? false,
    gatewayApiChannel: options.gatewayApiChannel ?? defaultGatewayApiChannel(version),
    envoyConfig: options.envoyConfig ?? false,
    l7LoadBalancing: options.l7LoadBalancing ?? false,
  };
}

/**
 * Whether the agent handles CiliumEnvoyConfig: `envoyConfig` when stated, else implied by Gateway API, the Ingress
 * controller or L7 load balancing (each switches `enable-envoy-config` on in the chart).
 */
export function envoyConfigOf(profile: CiliumProfile): boolean {
  return (
    (profile.envoyConfig ?? false) ||
    profile.gatewayApi ||
    profile.ingressController ||
    (profile.l7LoadBalancing ?? false)
  );
}

/** The profile of an ENI install, for mesh objects rendered without the `Cilium` construct (e.g. GitOps). */
export function eniProfile(options: ChainingProfileOptions = {}): CiliumProfile {
  return { ...chainingProfile(options), datapath: Datapath.ENI };
}

/** The Gateway API channel of a profile: its `gatewayApiChannel`, else the default for its Cilium line. */
export function gatewayApiChannelOf(profile: CiliumProfile): GatewayApiChannel {
  return profile.gatewayApiChannel ?? defaultGatewayApiChannel(profile.version);
}
