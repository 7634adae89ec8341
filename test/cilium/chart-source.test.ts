import { CiliumChartSource } from '../../lib';

describe('CiliumChartSource.oci', () => {
  test('the official OCI location and a mirror are accepted', () => {
    expect(CiliumChartSource.oci().problem()).toBeUndefined();
    expect(
      CiliumChartSource.oci('oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/cilium').problem(),
    ).toBeUndefined();
  });

  test('a digest reference is refused: the aws-eks-v2 handler cannot install it', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(CiliumChartSource.oci(`oci://quay.io/cilium/charts/cilium@${digest}`).problem()).toMatch(
      /cannot be pinned by digest \('oci:\/\/quay\.io\/cilium\/charts\/cilium@sha256:a{64}'\).*CiliumChartSource\.asset\(\)/,
    );
  });
});
