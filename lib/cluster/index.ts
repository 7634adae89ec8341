export * from './kubernetes-version';
export * from './mesh-cluster';
export * from './mesh-cluster-props';
export * from './nodegroup';
export * from './vpc-cni';
