export * from './versions';
export * from './gateway-api-crds';
export {
  GatewayApiFeature,
  type GatewayApiFeatureSupport,
  type GatewayApiInstall,
  type GatewayApiCiliumLine,
  GATEWAY_API_FEATURES,
  CILIUM_GATEWAY_API,
  gatewayApiSupports,
  defaultGatewayApiChannel,
} from './features';
