export { planBatches, type BatchPlan, type BatchPlanOptions, type DeliveredObject, type ObjectBatch } from './plan';
export * from './mesh-delivery';
export { DeliveryProvider, DELIVERY_RESOURCE_TYPE, type DeliveryProviderOptions } from './provider';
export * from './namespaces';
