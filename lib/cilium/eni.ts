import type { CiliumVersion } from './version';
import { MeshValidationError } from '../private/errors';

/** How the Cilium operator gets the AWS credentials it manages ENIs with. Never the node role. */
export enum EniOperatorCredentials {
  /**
   * EKS Pod Identity: an IAM role associated with the `kube-system/cilium-operator` ServiceAccount
   * (`AWS::EKS::PodIdentityAssociation`), served by the `eks-pod-identity-agent` add-on. No OIDC provider, no
   * annotation; the association must exist before the operator pod is created, which the `Cilium` construct orders.
   * The agent uses the node role's `eks-auth:AssumeRoleForPodIdentity` (AmazonEKSWorkerNodePolicy). Not available in
   * the China Regions: use IRSA there.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
   */
  POD_IDENTITY = 'podIdentity',
  /**
   * IAM roles for service accounts: a role trusted by the cluster's OIDC provider, set as `eni.iamRole` (the chart
   * annotates the operator's ServiceAccount with it).
   * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
   */
  IRSA = 'irsa',
}

/** One subnet tag of `eni.subnetTagsFilter`. */
export interface EniSubnetTag {
  readonly key: string;
  readonly value: string;
}

/**
 * Options of the ENI datapath (`eni.*` Helm values and the operator's IAM).
 * @see https://docs.cilium.io/en/stable/network/concepts/ipam/eni/
 */
export interface EniOptions {
  /**
   * `eni.awsEnablePrefixDelegation`: assign /28 IPv4 prefixes to ENI slots instead of single addresses, 16 pod
   * addresses per slot. Needs Nitro instances and subnets with free /28 blocks.
   * @default false
   * @see https://docs.cilium.io/en/stable/network/concepts/ipam/eni/#prefix-delegation
   */
  readonly prefixDelegation?: boolean;
  /**
   * `eni.awsReleaseExcessIPs`: give addresses that no pod uses back to the subnet (above the pre-allocation and
   * max-above-watermark). Adds `ec2:UnassignPrivateIpAddresses` to the operator's policy.
   * @default false
   */
  readonly releaseExcessIps?: boolean;
  /**
   * `eni.eniTags`: tags of the ENIs the operator creates.
   * @default - none (the operator adds its own `io.cilium/cilium-managed` garbage-collection tags)
   */
  readonly eniTags?: { [key: string]: string };
  /**
   * `eni.subnetIDsFilter`: create ENIs only in these subnets (of the node's VPC and availability zone).
   * @default - the node's own subnet while it has free addresses; then, on 1.20, a subnet with the node subnet's
   * route table, and on every line any subnet of the zone, which can be a public one: pass subnetIds or subnetTags
   * to keep pod addresses in private subnets
   */
  readonly subnetIds?: string[];
  /**
   * `eni.subnetTagsFilter` (rendered `key=value`): create ENIs only in subnets with these tags.
   * @default - no tag filter
   */
  readonly subnetTags?: EniSubnetTag[];
  /**
   * `egressMasqueradeInterfaces` on Cilium 1.16 and 1.17, whose ENI install documents it: the interfaces pod traffic is
   * masqueraded on when it leaves the VPC. Amazon Linux 2023 names interfaces `ens5`, `ens6`, …; Amazon Linux 2 and
   * Bottlerocket `eth0`, `eth1`, …. From 1.18 masquerading is off with ENI (the NAT gateway translates), and the
   * key is refused there.
   * @default - `['ens+']` on 1.16/1.17 (a `MeshCluster` with Bottlerocket node groups refuses it: pass
   * `['eth+', 'ens+']`); unset from 1.18
   */
  readonly egressMasqueradeInterfaces?: string[];
  /**
   * How the operator gets AWS credentials.
   * @default EniOperatorCredentials.POD_IDENTITY
   */
  readonly operatorCredentials?: EniOperatorCredentials;
  /**
   * Install the `eks-pod-identity-agent` add-on with Pod Identity credentials. Turn it off only when the cluster
   * already has the agent (an imported cluster, or one whose add-on another stack manages).
   * @default true
   */
  readonly installPodIdentityAgent?: boolean;
}

/** The last line whose ENI install documents `egressMasqueradeInterfaces`. */
export const EGRESS_MASQUERADE_INTERFACES_LAST_MINOR = 17;

/**
 * The EC2 actions the Cilium operator needs in ENI mode ("Required Privileges" of the ENI IPAM page): the interface
 * and address actions, `DescribeTags` (ENI garbage collection, on by default, without a custom cluster name),
 * `UnassignPrivateIpAddresses` with `releaseExcessIps`, and `DescribeInstanceTypes` on every line: from 1.18 the
 * operator takes adapter limits only from EC2 (the docs add that AmazonEKSWorkerNodePolicy, the node role's, has
 * it, which the operator must not use); on 1.16/1.17 the chart turns `eni.updateEC2AdapterLimitViaAPI` on by
 * default and the operator stops when that call fails (pkg/ipam/allocator/aws/aws.go). Sorted. `version` is
 * kept for actions that differ per line.
 * @see https://docs.cilium.io/en/stable/network/concepts/ipam/eni/#required-privileges
 */
export function eniOperatorActions(_version: CiliumVersion, options: EniOptions = {}): string[] {
  const actions = [
    'ec2:AssignPrivateIpAddresses',
    'ec2:AttachNetworkInterface',
    'ec2:CreateNetworkInterface',
    'ec2:CreateTags',
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeInstanceTypes',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeRouteTables',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'ec2:DescribeTags',
    'ec2:DescribeVpcs',
    'ec2:ModifyNetworkInterfaceAttribute',
  ];
  if (options.releaseExcessIps) actions.push('ec2:UnassignPrivateIpAddresses');
  return actions.sort();
}

const TAG_KEY = /^[\w.:/=+\-@ ]{1,128}$/;
const TAG_VALUE = /^[\w.:/=+\-@ ]{0,256}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const INTERFACE_PATTERN = /^[a-z][a-z0-9]{0,14}\+?$/;

/** Checks `EniOptions` (pure; path-less `MeshValidationError`s). */
export function validateEniOptions(options: EniOptions, version: CiliumVersion): void {
  for (const [k, v] of Object.entries(options.eniTags ?? {})) {
    if (!TAG_KEY.test(k) || k.startsWith('aws:') || !TAG_VALUE.test(v)) {
      throw new MeshValidationError(
        `eni.eniTags entry '${k}=${v}' is not a valid EC2 tag (key 1-128 characters, ` +
          "value up to 256, letters, digits, spaces and _.:/=+-@, no 'aws:' prefix); fix or remove the tag",
      );
    }
  }
  for (const id of options.subnetIds ?? []) {
    if (!SUBNET_ID.test(id)) {
      throw new MeshValidationError(
        `eni.subnetIds entry '${id}' is not a subnet ID; pass IDs such as 'subnet-0123456789abcdef0' ` +
          '(subnet.subnetId of a looked-up VPC), or select subnets by tag with subnetTags',
      );
    }
  }
  for (const t of options.subnetTags ?? []) {
    if (!TAG_KEY.test(t.key) || !TAG_VALUE.test(t.value) || t.key.includes('=')) {
      throw new MeshValidationError(
        `eni.subnetTags entry '${t.key}=${t.value}' is not a valid EC2 tag filter; ` +
          "pass { key, value } with a key without '='",
      );
    }
  }
  const interfaces = options.egressMasqueradeInterfaces;
  if (interfaces !== undefined) {
    if (version.minor > EGRESS_MASQUERADE_INTERFACES_LAST_MINOR) {
      throw new MeshValidationError(
        `eni.egressMasqueradeInterfaces is set (${interfaces.join(' ')}), but Cilium ` +
          `${version.line} does not masquerade in ENI mode (enableIPv4Masquerade defaults to false with eni.enabled from ` +
          '1.18; the NAT gateway translates pod traffic); remove egressMasqueradeInterfaces',
      );
    }
    if (interfaces.length === 0 || interfaces.some((i) => !INTERFACE_PATTERN.test(i))) {
      throw new MeshValidationError(
        `eni.egressMasqueradeInterfaces must be interface names or prefixes such as 'ens+' ` +
          `or 'eth+', got ${JSON.stringify(interfaces)}; pass ['ens+'] for Amazon Linux 2023 or ['eth+'] for Bottlerocket`,
      );
    }
  }
  if (options.installPodIdentityAgent !== undefined && options.operatorCredentials === EniOperatorCredentials.IRSA) {
    throw new MeshValidationError(
      'eni.installPodIdentityAgent is set, but the operator uses IRSA credentials; ' +
        'remove installPodIdentityAgent or use EniOperatorCredentials.POD_IDENTITY',
    );
  }
}
