import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** The Kubernetes minor of the kubectl in the bundled layer (`@aws-cdk/lambda-layer-kubectl-v35`). */
export const BUNDLED_KUBECTL_MINOR = 35;

const LAYER_ID = `CdkCiliumMeshKubectlV${BUNDLED_KUBECTL_MINOR}Layer`;

/**
 * The `KubectlV35Layer` of a stack: one per stack, shared by the clusters' kubectl providers (`MeshCluster`, imported
 * clusters) and the delivery handlers, so that a stack carries the layer (a 50 MB asset) in one `LayerVersion`.
 */
export function bundledKubectlLayer(scope: Construct): lambda.ILayerVersion {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LAYER_ID) as lambda.ILayerVersion | undefined;
  return existing ?? new KubectlV35Layer(stack, LAYER_ID);
}
