export * from './versions';
export * from './gateway-api-crds';
export { GatewayApiFeature, type GatewayApiFeatureSupport, GATEWAY_API_FEATURES } from './features';
