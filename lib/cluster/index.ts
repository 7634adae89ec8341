export * from './kubernetes-version';
export * from './mesh-cluster';
export * from './nodegroup';
export * from './vpc-cni';
