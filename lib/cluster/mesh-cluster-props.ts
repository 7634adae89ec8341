import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { MeshNodegroupOptions } from './nodegroup';
import type { EniOptions } from '../cilium/eni';
import type { KubeProxyMode } from '../cilium/cluster-facts';
import type { Datapath } from '../cilium/profile';
import type { VpcCniOptions } from './vpc-cni';

/** The five control-plane log types, all enabled by default. */
export const ALL_CLUSTER_LOGGING_TYPES: readonly eks.ClusterLoggingTypes[] = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/**
 * Properties of a `MeshCluster`: aws-eks-v2's `ClusterCommonOptions` (as its own `FargateClusterProps`), plus the
 * mesh's networking. `version` is required, as in `eks.Cluster` (a library default that moved would upgrade the
 * control plane, which cannot be undone): 1.31 or later, and any version but 1.35 needs
 * `kubectlProviderOptions: { kubectlLayer }` of its minor. Defaults that differ from `eks.Cluster`'s:
 * `clusterLogging` (all five types), `secretsEncryptionKey` (a new key with rotation) and `kubectlProviderOptions` (the
 * bundled kubectl layer on Kubernetes 1.35). Refused with an error: `ipFamily: IpFamily.IP_V6` (neither datapath supports it: cilium/cilium#18405 for ENI IPAM,
 * cilium/cilium#28409 for aws-cni chaining), `remoteNodeNetworks`/`remotePodNetworks` (hybrid nodes run neither the
 * VPC CNI nor ENI IPAM) and `coreDnsComputeType: FARGATE` (Cilium does not run on Fargate, so its pods would be
 * outside the mesh). `albController` installs the AWS Load Balancer Controller, which load-balancer Gateways and
 * Ingresses need.
 */
export interface MeshClusterProps extends eks.ClusterCommonOptions {
  /**
   * The IAM principals granted cluster admin (`AmazonEKSClusterAdminPolicy`) through access entries: role or user ARNs.
   *
   * @default - none: only the kubectl provider has access; add more with `grantAccess` / `grantClusterAdmin`
   * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
   */
  readonly admins?: string[];
  /**
   * Whether the IAM principal that creates the cluster (CloudFormation's execution role, not a person) becomes
   * cluster admin. Off by default: access is granted explicitly with `admins`. Changing it replaces the cluster.
   *
   * @default false
   */
  readonly bootstrapClusterCreatorAdminPermissions?: boolean;
  /**
   * Keep kube-proxy, or create the cluster without it for Cilium's kube-proxy replacement.
   *
   * @default KubeProxyMode.KEEP
   */
  readonly kubeProxyMode?: KubeProxyMode;
  /**
   * The datapath, fixed for the life of the cluster: aws-cni chaining (the VPC CNI add-on assigns pod addresses,
   * Cilium is chained after it) or ENI (no VPC CNI: the cluster is created with `bootstrapSelfManagedAddons: false`,
   * kube-proxy and CoreDNS come back as managed add-ons, Cilium's operator attaches ENIs, Cilium is installed before
   * the node groups, whose `maxPods` follows ENI IPAM). `addCilium` follows it. Changing it on a deployed cluster
   * would replace the cluster; migrate to a new cluster instead (README, "Switching datapaths").
   *
   * @default Datapath.AWS_CNI_CHAINING
   */
  readonly datapath?: Datapath;
  /**
   * Options of the ENI datapath (`datapath: Datapath.ENI` only). Set here, not on `addCilium`, because node groups
   * need prefix delegation for their max-pods before Cilium is added.
   *
   * @default - no prefix delegation, operator credentials from EKS Pod Identity
   */
  readonly eni?: EniOptions;
  /**
   * Version of the `kube-proxy` add-on (`Datapath.ENI` with `KubeProxyMode.KEEP` only).
   *
   * @default - the add-on's default version for the cluster's Kubernetes version
   */
  readonly kubeProxyAddonVersion?: string;
  /**
   * Settings of the VPC CNI add-on.
   *
   * @default - MTU 9001, no prefix delegation, VPC CNI network policy off
   */
  readonly vpcCni?: VpcCniOptions;
  /**
   * Version of the `vpc-cni` add-on, e.g. `v1.20.4-eksbuild.1`.
   *
   * @default - the add-on's default version for the cluster's Kubernetes version
   */
  readonly vpcCniAddonVersion?: string;
  /**
   * Version of the `coredns` add-on (`KubeProxyMode.REPLACE` or `Datapath.ENI`).
   *
   * @default - the add-on's default version for the cluster's Kubernetes version
   */
  readonly coreDnsAddonVersion?: string;
  /**
   * Only managed node groups are supported: EKS Auto Mode does not allow a custom CNI, and self-managed
   * Auto Scaling groups are out of scope.
   *
   * @default eks.DefaultCapacityType.NODEGROUP
   */
  readonly defaultCapacityType?: eks.DefaultCapacityType;
  /**
   * Whether to create the default node group.
   *
   * @default true
   */
  readonly createDefaultNodegroup?: boolean;
  /**
   * Options of the default node group.
   *
   * @default - 2 × m6i.large, AL2023
   */
  readonly defaultNodegroup?: MeshNodegroupOptions;
  // --- Secure defaults (issue #13, item 8) ---

  /**
   * Flow logs (all traffic) of the VPC the cluster creates, to a CloudWatch Logs group kept for `logRetention`.
   * Only for that VPC: with `vpc`, its owner adds flow logs (`vpc.addFlowLog()`), and setting this is an error.
   *
   * @default true when the cluster creates its VPC
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
   */
  readonly vpcFlowLogs?: boolean;
  /**
   * How long the logs of the Lambda functions the cluster creates (aws-eks-v2's kubectl handler and its provider
   * framework, aws-cdk-lib's LogRetention function), of the VPC flow logs and of the control plane
   * (`/aws/eks/<name>/cluster`, when `clusterLogging` is not empty) are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
