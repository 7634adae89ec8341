export * from './ports';
export * from './l7';
export * from './peers';
export * from './manifest';
export { type AllowOptions, type DenyOptions, DNS_ALLOW_RULE, DNS_PROXY_RULE } from './rules';
export * from './network-policy';
export * from './default-deny';
export * from './clusterwide';
