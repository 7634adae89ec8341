export * from './kubernetes-version';
export * from './mesh-cluster';
export * from './mesh-cluster-props';
export { CILIUM_AGENT_NOT_READY_TAINT, DEFAULT_NODE_INSTANCE_TYPE, renderNodegroupTaints, resolveMeshNodegroup } from './nodegroup';
export type { MeshNodegroupOptions, ResolvedMeshNodegroup } from './nodegroup';
export * from './vpc-cni';
