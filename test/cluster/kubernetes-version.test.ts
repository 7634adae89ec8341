import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { checkKubernetesVersion, kubernetesMinor } from '../../lib/cluster/kubernetes-version';

describe('Kubernetes version rules', () => {
  test('minor number of 1.x versions', () => {
    expect(kubernetesMinor(eks.KubernetesVersion.V1_35)).toBe(35);
    expect(kubernetesMinor(eks.KubernetesVersion.of('1.40'))).toBe(40);
    expect(() => kubernetesMinor(eks.KubernetesVersion.of('2.0'))).toThrow(
      /Kubernetes version must look like '1.35', got '2.0'; pass an eks.KubernetesVersion such as eks.KubernetesVersion.V1_35/,
    );
    expect(() => kubernetesMinor(eks.KubernetesVersion.of('1.35.2'))).toThrow(/got '1.35.2'/);
  });

  test('1.35 works with the bundled layer, and with a caller layer', () => {
    expect(checkKubernetesVersion(eks.KubernetesVersion.V1_35, false)).toBe(35);
    expect(checkKubernetesVersion(eks.KubernetesVersion.V1_35, true)).toBe(35);
  });

  test('1.31-1.34 and 1.36+ need the caller layer, and the message names the package', () => {
    expect(() => checkKubernetesVersion(eks.KubernetesVersion.V1_34, false)).toThrow(
      /Kubernetes version 1.34 needs a kubectl layer of the same minor version.*pass kubectlProviderOptions: { kubectlLayer: new KubectlV34Layer\(this, 'KubectlLayer'\) } from '@aws-cdk\/lambda-layer-kubectl-v34', or use eks.KubernetesVersion.V1_35/,
    );
    expect(() => checkKubernetesVersion(eks.KubernetesVersion.V1_36, false)).toThrow(/lambda-layer-kubectl-v36/);
    expect(checkKubernetesVersion(eks.KubernetesVersion.V1_31, true)).toBe(31);
    expect(checkKubernetesVersion(eks.KubernetesVersion.V1_36, true)).toBe(36);
  });

  test.each([eks.KubernetesVersion.V1_28, eks.KubernetesVersion.V1_29, eks.KubernetesVersion.V1_30])(
    'version %p cannot be created any more, even with a layer',
    (version) => {
      expect(() => checkKubernetesVersion(version, true)).toThrow(
        new RegExp(
          `Kubernetes version ${version.version.replace('.', '\\.')} cannot be created: Amazon EKS no longer creates ` +
            'clusters older than 1.31 .*; pass version: eks.KubernetesVersion.V1_35',
        ),
      );
    },
  );
});
