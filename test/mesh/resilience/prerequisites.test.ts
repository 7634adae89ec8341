import { chainingProfile, CiliumVersion, envoyConfigOf, Feature, renderCiliumValues } from '../../../lib';
import { ciliumProfileFromValues, enabledFeatures } from '../../../lib/cilium/values';
import { recordHelmValues } from '../../util/record';

const KPR = { kubeProxyReplacement: true, k8sServiceHost: 'ABC.gr7.eu-west-1.eks.amazonaws.com' };

describe('Cilium values for CiliumEnvoyConfig', () => {
  test('envoyConfig and l7LoadBalancing render their Helm keys and profile facts', () => {
    const values = renderCiliumValues({ ...KPR, envoyConfig: true }, CiliumVersion.V1_20);
    expect(values).toMatchObject({ envoyConfig: { enabled: true }, kubeProxyReplacement: true });
    expect(ciliumProfileFromValues(values, CiliumVersion.V1_20)).toMatchObject({
      envoyConfig: true,
      l7LoadBalancing: false,
    });
    expect(enabledFeatures(values)).toEqual([Feature.ENVOY_CONFIG]);
    recordHelmValues('cilium-envoy-config', values);

    const lb = renderCiliumValues({ ...KPR, l7LoadBalancing: true }, CiliumVersion.V1_20);
    expect(lb).toMatchObject({ loadBalancer: { l7: { backend: 'envoy' } } });
    const profile = ciliumProfileFromValues(lb, CiliumVersion.V1_20);
    expect(profile).toMatchObject({ envoyConfig: false, l7LoadBalancing: true });
    expect(envoyConfigOf(profile)).toBe(true);
    recordHelmValues('cilium-l7-load-balancing', lb);
  });

  test('1.16-1.18 without kube-proxy replacement get nodePort.enabled, the documented alternative', () => {
    const values = renderCiliumValues({ envoyConfig: true }, CiliumVersion.V1_16);
    expect(values).toMatchObject({ envoyConfig: { enabled: true }, nodePort: { enabled: true } });
    recordHelmValues('cilium-envoy-config-116', values, 'cilium-1.16');
  });

  test('refused without l7Proxy (also through valuesOverrides); without kube-proxy replacement allowed (the agent does not require it)', () => {
    expect(() => renderCiliumValues({ ...KPR, envoyConfig: true, l7Proxy: false }, CiliumVersion.V1_20)).toThrow(
      /^CiliumEnvoyConfig \(envoyConfig.enabled, loadBalancer.l7.backend: envoy\) requires l7Proxy: true \(the agent ignores CiliumEnvoyConfig when L7 proxies are disabled\), got l7Proxy: false; remove l7Proxy: false$/,
    );
    expect(() =>
      renderCiliumValues(
        { valuesOverrides: { loadBalancer: { l7: { backend: 'envoy' } }, l7Proxy: false } },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/requires l7Proxy: true/);
    expect(renderCiliumValues({ envoyConfig: true }, CiliumVersion.V1_19)).toMatchObject({
      envoyConfig: { enabled: true },
      kubeProxyReplacement: false,
    });
  });

  test('Gateway API implies enable-envoy-config; chainingProfile states neither by default', () => {
    expect(envoyConfigOf(chainingProfile({ gatewayApi: true }))).toBe(true);
    expect(envoyConfigOf(chainingProfile())).toBe(false);
  });
});
