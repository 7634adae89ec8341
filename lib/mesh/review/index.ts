export { MeshAssertions, type ConnectivityAssertionOptions } from './assertions';
export {
  TrafficDirection,
  type ConnectivityVerdict,
  type HttpRequestInfo,
  type RuleReference,
  type SideVerdict,
} from './connectivity';
export { meshDiagram, renderMeshDiagram, type DiagramWorkload, type MeshDiagramInput } from './diagram';
