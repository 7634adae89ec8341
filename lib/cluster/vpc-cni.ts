import { Token } from 'aws-cdk-lib';
import { MeshValidationError } from '../private/errors';

/** Smallest MTU the VPC CNI accepts for IPv4 (`AWS_VPC_ENI_MTU`, `POD_MTU`). */
export const VPC_CNI_MIN_MTU = 576;
/** Largest MTU the VPC CNI accepts (EC2 jumbo frames inside a VPC). */
export const VPC_CNI_MAX_MTU = 9001;

/**
 * Settings of the Amazon VPC CNI (the `aws-node` DaemonSet) when Cilium is chained after it.
 *
 * @see https://github.com/aws/amazon-vpc-cni-k8s#cni-configuration-variables
 */
export interface VpcCniOptions {
  /**
   * MTU of the ENIs the VPC CNI attaches (`AWS_VPC_ENI_MTU`), 576-9001. Lower it (e.g. 1500) when traffic leaves
   * the VPC through a path without jumbo frames (VPN, Transit Gateway peering, the internet).
   *
   * @default 9001
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/network_mtu.html
   */
  readonly mtu?: number;

  /**
   * MTU of the pods' interfaces (`POD_MTU`, VPC CNI v1.16.4+), 576-9001 and at most `mtu`.
   *
   * @default - the same as `mtu`
   */
  readonly podMtu?: number;

  /**
   * Assign /28 IPv4 prefixes instead of single secondary IPs to ENI slots (`ENABLE_PREFIX_DELEGATION`), which raises
   * the pod density per node. It must be decided before the node groups are created: managed node groups compute
   * the kubelet's max-pods from the VPC CNI's settings when nodes launch.
   *
   * @default false
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-increase-ip-addresses.html
   */
  readonly prefixDelegation?: boolean;

  /**
   * The Kubernetes API server URL that `ipamd` calls directly (`CLUSTER_ENDPOINT`, VPC CNI v1.12.1+,
   * aws/amazon-vpc-cni-k8s#2138) instead of the `kubernetes` Service ClusterIP. Needed when the cluster has no
   * kube-proxy: until Cilium replaces it, no ClusterIP is reachable. `MeshCluster` sets it in
   * `KubeProxyMode.REPLACE`.
   *
   * @default - ipamd reaches the API server through the `kubernetes` Service ClusterIP
   */
  readonly clusterEndpoint?: string;
}

/**
 * Environment of the `aws-node` container, as the EKS add-on configuration schema names it (every value is a string).
 */
export interface VpcCniEnvironment {
  /** `AWS_VPC_ENI_MTU`. */
  readonly AWS_VPC_ENI_MTU: string;
  /** `CLUSTER_ENDPOINT`, only when set. */
  readonly CLUSTER_ENDPOINT?: string;
  /** `ENABLE_PREFIX_DELEGATION`: `"true"` or `"false"`. */
  readonly ENABLE_PREFIX_DELEGATION: string;
  /** `POD_MTU`. */
  readonly POD_MTU: string;
}

/**
 * The `configurationValues` document of the `vpc-cni` EKS add-on that this library writes.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/vpc-add-on-update.html (`aws eks describe-addon-configuration --addon-name vpc-cni`)
 */
export interface VpcCniConfigurationValues {
  /** Environment of the `aws-node` container. */
  readonly env: VpcCniEnvironment;
  /**
   * The VPC CNI's own network-policy agent, always `"false"`: Cilium enforces network policy, and two enforcers on
   * one datapath would drop traffic the other allowed.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
   */
  readonly enableNetworkPolicy: 'false';
}

/**
 * Renders the `configurationValues` of the `vpc-cni` EKS managed add-on from typed options. Pure: throws a path-less
 * `MeshValidationError` on bad input (wrap it with `atScope` in a construct). Keys are in a fixed, sorted order so
 * that the rendered JSON is deterministic.
 */
export function renderVpcCniConfiguration(options: VpcCniOptions = {}): VpcCniConfigurationValues {
  const { eniMtu: mtu, podMtu } = resolveVpcCniMtu(options);
  const endpoint = options.clusterEndpoint;
  if (endpoint !== undefined && !Token.isUnresolved(endpoint) && !/^https:\/\/[^\s/]+\/?$/.test(endpoint)) {
    throw new MeshValidationError(
      `vpcCni.clusterEndpoint must be the API server URL 'https://<host>', got '${endpoint}'; pass cluster.clusterEndpoint`,
    );
  }
  return {
    env: {
      AWS_VPC_ENI_MTU: String(mtu),
      ...(endpoint !== undefined ? { CLUSTER_ENDPOINT: endpoint } : {}),
      ENABLE_PREFIX_DELEGATION: String(options.prefixDelegation ?? false),
      POD_MTU: String(podMtu),
    },
    enableNetworkPolicy: 'false',
  };
}

/** The VPC CNI's MTUs with their defaults filled in: the numbers that `POD_MTU` and `AWS_VPC_ENI_MTU` are made of. */
export interface VpcCniMtu {
  /** `AWS_VPC_ENI_MTU`. */
  readonly eniMtu: number;
  /** `POD_MTU`. */
  readonly podMtu: number;
}

/** The VPC CNI's MTUs from its options, checked (576-9001, pod MTU at most the ENI MTU). Pure; throws path-less errors. */
export function resolveVpcCniMtu(options: VpcCniOptions = {}): VpcCniMtu {
  const eniMtu = validateMtu('vpcCni.mtu', options.mtu ?? VPC_CNI_MAX_MTU);
  const podMtu = validateMtu('vpcCni.podMtu', options.podMtu ?? eniMtu);
  if (podMtu > eniMtu) {
    throw new MeshValidationError(
      `vpcCni.podMtu must not exceed vpcCni.mtu (${eniMtu}), got ${podMtu}; lower podMtu or raise mtu`,
    );
  }
  return { eniMtu, podMtu };
}

function validateMtu(what: string, mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < VPC_CNI_MIN_MTU || mtu > VPC_CNI_MAX_MTU) {
    throw new MeshValidationError(
      `${what} must be an integer from ${VPC_CNI_MIN_MTU} to ${VPC_CNI_MAX_MTU}, got ${mtu}; ` +
        `use ${VPC_CNI_MAX_MTU} inside a VPC or 1500 when traffic leaves it`,
    );
  }
  return mtu;
}
