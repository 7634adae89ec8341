/** CiliumVersion.of accepts SemVer 2.0.0 only (issue #13, item 5): Helm and OCI tags do not match '1.020.0'. */
import { Testing } from 'cdk8s';
import { CiliumVersion } from '../../lib';

describe('CiliumVersion.of', () => {
  test.each(['1.020.0', '01.20.0', '1.20.00', 'v1.20.0', '1.20', ' 1.20.0', '1.20.0-rc.1'])(
    'refuses %s with the construct path',
    (v) => {
      const scope = Testing.chart();
      expect(() => CiliumVersion.of(v).validate(scope)).toThrow(
        new RegExp(
          `^Cilium version must be MAJOR.MINOR.PATCH \\(SemVer 2.0.0: no leading zeros, e.g. '1.20.0'\\), got '${v.replace(/[.+]/g, '\\$&')}'; .* \\[at test\\]$`,
        ),
      );
    },
  );
  test.each(['1.20.0', '1.16.0', '1.19.10'])('accepts %s', (v) => {
    expect(CiliumVersion.of(v).validate().chartVersion).toBe(v);
  });
});
