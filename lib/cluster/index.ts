export { BUNDLED_KUBECTL_MINOR, MIN_KUBERNETES_MINOR } from './kubernetes-version';
export * from './mesh-cluster';
export { ImportedMeshCluster } from './imported-cluster';
export * from './mesh-cluster-props';
export {
  CILIUM_AGENT_NOT_READY_TAINT,
  DEFAULT_NODE_INSTANCE_TYPE,
  renderNodegroupTaints,
  resolveMeshNodegroup,
} from './nodegroup';
export type { MeshNodegroupOptions, ResolvedMeshNodegroup } from './nodegroup';
export { renderVpcCniConfiguration, VPC_CNI_MAX_MTU, VPC_CNI_MIN_MTU, type VpcCniOptions } from './vpc-cni';
export {
  ENI_PREFIX_ADDRESSES,
  HOST_NETWORK_PODS,
  PREFIX_DELEGATION_MAX_PODS,
  eniLimits,
  eniMaxPods,
  eniPodCapacity,
} from './max-pods';
export type { EniLimits } from './max-pods';
export { renderMaxPodsUserData } from './nodegroup';
export type { NodegroupDatapathFacts } from './nodegroup';
