export { planBatches, type BatchPlan, type BatchPlanOptions, type DeliveredObject, type ObjectBatch } from './plan';
export * from './mesh-delivery';
export { DeliveryProvider, DELIVERY_RESOURCE_TYPE, type DeliveryProviderOptions } from './provider';
export { MANAGED_BY_LABEL, SYSTEM_NAMESPACES, meshNamespaces, type MeshNamespaceOptions } from './namespaces';
export { MeshReviewFiles, REVIEW_FILES_CONTEXT, type MeshReviewFile, type MeshReviewFilesProps } from './review-files';
export { renderReviewManifest, type ReviewHeaderLine, type ReviewManifestHeader } from './review-manifest';
