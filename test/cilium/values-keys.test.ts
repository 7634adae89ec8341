import { CiliumVersion, renderCiliumValues } from '../../lib';
import { checkValuesKeys } from '../../lib/cilium/values-keys';
import { install } from './install';

describe('valuesOverrides keys are checked against the chart of the line', () => {
  test('a typo in a declared map is refused with the closest key of the same parent', () => {
    expect(() =>
      renderCiliumValues({ valuesOverrides: { hubble: { relay: { enabeld: true } } } }, CiliumVersion.V1_20),
    ).toThrow(
      /^valuesOverrides key 'hubble.relay.enabeld' is not a value of the Cilium 1.20 chart \(neither declared in its values.yaml nor read by its templates\), so Helm would ignore it; did you mean 'hubble.relay.enabled'\?$/,
    );
    expect(() => checkValuesKeys({ operatr: { replicas: 1 } }, CiliumVersion.V1_16)).toThrow(
      /key 'operatr' is not a value of the Cilium 1.16 chart .*did you mean 'operator'\?$/,
    );
  });

  test('keys below free-form values (maps, lists, rendered whole) are not checked; null deletes a declared key', () => {
    for (const version of [
      CiliumVersion.V1_16,
      CiliumVersion.V1_17,
      CiliumVersion.V1_18,
      CiliumVersion.V1_19,
      CiliumVersion.V1_20,
    ]) {
      expect(() =>
        checkValuesKeys(
          {
            extraConfig: { 'any-agent-flag': 'x' },
            podAnnotations: { 'example.com/team': 'mesh' },
            operator: { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ operator: 'Exists' }] },
            hubble: { relay: { enabled: true } },
            bpf: null,
          },
          version,
        ),
      ).not.toThrow();
    }
  });

  test('a key only one line has is refused on the others', () => {
    // `kubeProxyReplacement` is read by every line's templates (declared in values.yaml only from 1.19).
    expect(() => checkValuesKeys({ kubeProxyReplacement: true }, CiliumVersion.V1_16)).not.toThrow();
    // `nodePort.enabled` went away with the --enable-nodeport flag in 1.19 (cilium/cilium#41380).
    expect(() => checkValuesKeys({ nodePort: { enabled: true } }, CiliumVersion.V1_18)).not.toThrow();
    expect(() => checkValuesKeys({ nodePort: { enabled: true } }, CiliumVersion.V1_19)).toThrow(
      /key 'nodePort.enabled' is not a value of the Cilium 1.19 chart/,
    );
  });
});

test('on the Cilium construct the error names its path', () => {
  expect(() => install({ valuesOverrides: { hubble: { ui: { enabeld: true } } } })).toThrow(
    /key 'hubble.ui.enabeld' is not a value of the Cilium 1.20 chart .*did you mean 'hubble.ui.enabled'\? \[at S\/Cilium\]$/,
  );
});
