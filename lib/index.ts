export { MeshValidationError } from './private/errors';
export * from './cilium/version';
export * from './cilium/profile';
export * from './cilium/capabilities';
export * from './mesh/service-mesh';
export * from './mesh/delivery';
export * from './gateway-api';
