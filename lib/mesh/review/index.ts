export { MeshAssertions, type ConnectivityAssertionOptions } from './assertions';
export type { ConnectivityVerdict, HttpRequestInfo, RuleReference, SideVerdict } from './connectivity';
export type { MeshEndpointRef } from './endpoints';
export { meshDiagram, renderMeshDiagram, type DiagramWorkload, type MeshDiagramInput } from './diagram';
export { renderReviewManifest, type ReviewManifestHeader } from './manifest';
export { MeshReviewFiles, REVIEW_FILES_CONTEXT, type MeshReviewFile, type MeshReviewFilesProps } from './review-files';
