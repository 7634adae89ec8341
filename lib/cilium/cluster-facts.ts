import type { Datapath } from './profile';

/** Whether the cluster runs kube-proxy, or Cilium replaces it (`kubeProxyReplacement`). */
export enum KubeProxyMode {
  /** EKS installs kube-proxy (with CoreDNS and the VPC CNI) at cluster creation; Cilium leaves Services to it. */
  KEEP = 'keep',
  /**
   * The cluster is created without the default networking add-ons (`bootstrapSelfManagedAddons: false`); the VPC CNI
   * and CoreDNS come back as managed add-ons, kube-proxy does not: Cilium must run with `kubeProxyReplacement: true`.
   */
  REPLACE = 'replace',
}

/**
 * What a cluster construct of this library states about its networking, for the `Cilium` construct installed on it:
 * kube-proxy replacement follows `kubeProxyMode`, the datapath must be `datapath`, and WireGuard is checked against
 * the pod and ENI MTUs. `MeshCluster` implements it; `new Cilium({ cluster })` and `cluster.addCilium()` therefore
 * apply the same checks. An imported cluster states nothing: its facts are given as `Cilium` props instead.
 */
export interface IMeshClusterFacts {
  /** Whether kube-proxy runs. */
  readonly kubeProxyMode: KubeProxyMode;
  /** The datapath the cluster was created for. */
  readonly datapath: Datapath;
  /**
   * The pods' MTU (the VPC CNI's `POD_MTU`), in aws-cni chaining.
   * @default - not stated (the ENI datapath: Cilium sets the pod MTU itself)
   */
  readonly podMtu?: number;
  /**
   * The ENIs' MTU (the VPC CNI's `AWS_VPC_ENI_MTU`), in aws-cni chaining.
   * @default - not stated (the ENI datapath)
   */
  readonly eniMtu?: number;
}

const FACTS_BRAND = Symbol.for('cdk-cilium-mesh.IMeshClusterFacts');

/**
 * Marks `cluster` as stating its facts, so that `_meshClusterFactsOf` finds them. Called by `MeshCluster`'s
 * constructor.
 * @internal
 */
export function _markMeshClusterFacts(cluster: IMeshClusterFacts): void {
  Object.defineProperty(cluster, FACTS_BRAND, { value: true, enumerable: false });
}

/**
 * The facts a cluster construct states (a `MeshCluster`), or undefined for any other `eks.ICluster` (imported or
 * plain aws-eks-v2 clusters).
 * @internal
 */
export function _meshClusterFactsOf(cluster: object): IMeshClusterFacts | undefined {
  return (cluster as { [FACTS_BRAND]?: boolean })[FACTS_BRAND] === true
    ? (cluster as unknown as IMeshClusterFacts)
    : undefined;
}
