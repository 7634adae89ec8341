import type { Stack } from 'aws-cdk-lib';
import { Cilium } from '../../lib';
import { eksClusterStack } from '../util/clusters';

/** Cilium on a plain aws-eks-v2 cluster (not MeshCluster) in a fresh stack `S`, with the given props. */
export function install(props: Partial<ConstructorParameters<typeof Cilium>[2]> = {}): {
  stack: Stack;
  cilium: Cilium;
} {
  const { stack, cluster } = eksClusterStack({ id: 'S', env: false });
  const cilium = new Cilium(stack, 'Cilium', { cluster, ...props });
  return { stack, cilium };
}
