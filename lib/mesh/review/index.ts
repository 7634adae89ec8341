export { MeshAssertions, type ConnectivityAssertionOptions } from './assertions';
export type { ConnectivityVerdict, HttpRequestInfo, RuleReference, SideVerdict } from './connectivity';
export type { MeshEndpointRef } from './endpoints';
