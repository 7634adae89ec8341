export { MeshAssertions, type ConnectivityAssertionOptions } from './assertions';
export {
  TrafficDirection,
  type ConnectivityVerdict,
  type HttpRequestInfo,
  type RuleReference,
  type SideVerdict,
} from './connectivity';
export { meshDiagram, renderMeshDiagram, type DiagramWorkload, type MeshDiagramInput } from './diagram';
export { renderReviewManifest, type ReviewManifestHeader } from './manifest';
export { MeshReviewFiles, REVIEW_FILES_CONTEXT, type MeshReviewFile, type MeshReviewFilesProps } from './review-files';
