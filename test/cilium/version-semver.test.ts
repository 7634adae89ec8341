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

  test('versions are parsed once per string, yet every use of a bad one fails and every instance reads its own', () => {
    const bad = CiliumVersion.of('1.15.7');
    for (let i = 0; i < 2; i++) {
      expect(() => bad.validate()).toThrow(/'1.15.7' is not on a supported line/);
      expect(() => bad.minor).toThrow(/'1.15.7' is not on a supported line/);
    }
    expect([
      CiliumVersion.of('1.19.10').minor,
      CiliumVersion.of('1.19.10').line,
      CiliumVersion.of('1.18.2').line,
    ]).toEqual([19, '1.19', '1.18']);
    // instances stay plain values: equal by their version string
    expect(CiliumVersion.of('1.20.1')).toEqual(CiliumVersion.of('1.20.1'));
    expect(CiliumVersion.of('1.20.1').minor).toBe(20);
    expect(CiliumVersion.of('1.20.1')).toEqual(CiliumVersion.of('1.20.1'));
  });
});
