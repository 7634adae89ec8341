// The public policy API. Wire shapes (manifest.ts, PortManifest, the rule renderers) and the mirroring
// machinery (mirroring.ts) are internal: tests import them from their modules.
export { Port, Protocol } from './ports';
export { DnsRule, HttpRule, type HttpRuleOptions } from './l7';
export { Entity, Peer, type CidrPeerOptions, type IMeshPeer, type IPolicySubject } from './peers';
export { type AllowOptions, type DenyOptions } from './rules';
export * from './network-policy';
export { DefaultDeny, renderDefaultDenySpec, type DefaultDenyDirections, type DefaultDenyProps } from './default-deny';
export * from './clusterwide';
