import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Cilium } from '../../lib';

/** Cilium on a plain aws-eks-v2 cluster (not MeshCluster) in a fresh stack `S`, with the given props. */
export function install(props: Partial<ConstructorParameters<typeof Cilium>[2]> = {}): { stack: Stack; cilium: Cilium } {
  const stack = new Stack(new App(), 'S');
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
  });
  const cilium = new Cilium(stack, 'Cilium', { cluster, ...props });
  return { stack, cilium };
}
