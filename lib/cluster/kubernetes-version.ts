import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { BUNDLED_KUBECTL_MINOR } from '../delivery/kubectl-layer';
import { MeshValidationError } from '../private/errors';

export { BUNDLED_KUBECTL_MINOR };

/**
 * The oldest Kubernetes minor version Amazon EKS still creates clusters for: 1.28-1.30 are past the end of
 * extended support, so `CreateCluster` rejects them.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 */
export const MIN_KUBERNETES_MINOR = 31;

/** The minor number of a `1.x` Kubernetes version ("1.35" gives 35). Throws a path-less error for anything else. */
export function kubernetesMinor(version: eks.KubernetesVersion): number {
  const match = /^1\.(\d{1,3})$/.exec(version.version);
  if (!match) {
    throw new MeshValidationError(
      `Kubernetes version must look like '1.35', got '${version.version}'; pass an eks.KubernetesVersion such as ` +
        'eks.KubernetesVersion.V1_35',
    );
  }
  return Number(match[1]);
}

/**
 * Checks that EKS can create a cluster of this version and that a matching kubectl layer is available: the bundled
 * `KubectlV35Layer` serves 1.35 only, any other version needs the caller's layer. Pure; returns the minor number.
 */
export function checkKubernetesVersion(version: eks.KubernetesVersion, hasKubectlLayer: boolean): number {
  const minor = kubernetesMinor(version);
  if (minor < MIN_KUBERNETES_MINOR) {
    throw new MeshValidationError(
      `Kubernetes version ${version.version} cannot be created: Amazon EKS no longer creates clusters older than ` +
        `1.${MIN_KUBERNETES_MINOR} (1.28-1.30 are past the end of support); pass version: ` +
        `eks.KubernetesVersion.V1_${BUNDLED_KUBECTL_MINOR} or another version from 1.${MIN_KUBERNETES_MINOR} on`,
    );
  }
  if (minor !== BUNDLED_KUBECTL_MINOR && !hasKubectlLayer) {
    throw new MeshValidationError(
      `Kubernetes version ${version.version} needs a kubectl layer of the same minor version, and only ` +
        `KubectlV${BUNDLED_KUBECTL_MINOR}Layer is bundled; pass kubectlProviderOptions: { kubectlLayer: new KubectlV${minor}Layer(this, 'KubectlLayer') } ` +
        `from '@aws-cdk/lambda-layer-kubectl-v${minor}', or use eks.KubernetesVersion.V1_${BUNDLED_KUBECTL_MINOR}`,
    );
  }
  return minor;
}
