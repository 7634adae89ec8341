// The package's public API: the constructs, their props and the value types they take, plus the pure `render*`
// functions (TypeScript only: jsii does not carry free functions to other languages). Checks and helpers stay in
// their modules (tests import them from there). Wire shapes (Helm values, Envoy resources, policy manifests) are not
// exported as types; the constructs expose them as `{ [key: string]: any }`.
export { MeshValidationError } from './private/errors';
export * from './cilium/version';
export * from './cilium/profile';
export {
  Feature,
  Support,
  capabilityOf,
  capabilityTable,
  type Capability,
  type CapabilityRow,
} from './cilium/capabilities';
export * from './mesh/service-mesh';
export * from './cilium/values-options';
export {
  CHAINING_ENVOY_CLUSTER_POOL_CIDR,
  datapathOf,
  renderCiliumValues,
  type CiliumInstallFacts,
  type RenderedCiliumValues,
} from './cilium/values';
export * from './cilium/hubble';
export * from './cilium/encryption';
export * from './cilium/eni';
export * from './cilium/flow-export';
export * from './cilium/alert-rules';
export * from './cilium/chart-source';
export {
  CiliumGatewayApi,
  CILIUM_GATEWAY_API,
  defaultGatewayApiChannel,
  gatewayApiSupports,
  type GatewayApiCiliumLine,
  type GatewayApiInstall,
} from './cilium/gateway-api-support';
export * from './cilium/cilium';
export { KubeProxyMode, type IMeshClusterFacts } from './cilium/cluster-facts';
export * from './mesh/routing';
export * from './mesh/policy';
export * from './mesh/workload';
export * from './mesh/resilience';
export * from './cluster';
export * from './delivery';
export * from './gateway-api';
export * from './mesh/review';
