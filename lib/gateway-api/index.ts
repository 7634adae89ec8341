export * from './versions';
export * from './gateway-api-crds';
