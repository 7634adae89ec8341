export { Port, Protocol, type PortManifest } from './ports';
export * from './l7';
export {
  Entity, Peer, type CidrPeerOptions, type IMeshPeer, type IMirrorTarget, type IPolicySubject, type MirroredRule,
  type PeerRequirement, type PolicyPeer,
} from './peers';
export * from './manifest';
export { type AllowOptions, type DenyOptions, DNS_ALLOW_RULE, DNS_PROXY_RULE } from './rules';
export * from './network-policy';
export * from './default-deny';
export * from './clusterwide';
