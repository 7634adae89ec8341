import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  CiliumVersion,
  Datapath,
  Feature,
  Support,
  capabilityOf,
  capabilityTable,
  chainingProfile,
  eniProfile,
} from '../../lib';
import { checkCapability } from '../../lib/cilium/capabilities';

describe('capability table', () => {
  test('IPsec is incompatible with aws-cni chaining on every line, with reason, reference and alternative', () => {
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_18, CiliumVersion.V1_20]) {
      expect(capabilityOf(Feature.IPSEC, Datapath.AWS_CNI_CHAINING, version)).toEqual({
        support: Support.INCOMPATIBLE,
        reason: expect.stringMatching(/not supported when Cilium is chained/),
        reference: 'cilium/cilium#15596, cilium/cilium#12955',
        alternative: expect.stringMatching(/TransparentEncryption.wireGuard\(\)/),
      });
    }
    expect(capabilityOf(Feature.IPSEC, Datapath.ENI, CiliumVersion.V1_20).support).toBe(Support.SUPPORTED);
  });

  test('Envoy north-south features are untested in chaining; WireGuard is supported', () => {
    for (const feature of [Feature.GATEWAY_API, Feature.INGRESS, Feature.ENVOY_CONFIG]) {
      const c = capabilityOf(feature, Datapath.AWS_CNI_CHAINING, CiliumVersion.V1_19);
      expect(c.support).toBe(Support.UNTESTED);
      expect(c.reference).toBe('cilium/cilium#42578, cilium/cilium#33685, cilium/cilium#46447');
    }
    expect(capabilityOf(Feature.WIREGUARD, Datapath.AWS_CNI_CHAINING, CiliumVersion.V1_20).support).toBe(
      Support.SUPPORTED,
    );
  });

  test('every non-supported row cites upstream and names an alternative; supported rows cite the CI', () => {
    const rows = capabilityTable();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows.filter((r) => r.capability.support === Support.SUPPORTED)) {
      expect(row.datapath).toBe(Datapath.ENI);
      expect(row.capability.reference).toBe('cilium/cilium .github/workflows/conformance-eks.yaml');
    }
    for (const row of rows.filter((r) => r.capability.support !== Support.SUPPORTED)) {
      expect(row.capability.reference).toMatch(/cilium\/cilium#\d+/);
      expect(row.capability.alternative).toMatch(/\w+/);
      expect(row.fromMinor).toBeLessThanOrEqual(row.toMinor);
    }
  });

  test('ENI: L7, FQDN, Gateway API, Ingress, CiliumEnvoyConfig and IPsec are supported on every line, citing the EKS CI', () => {
    for (const version of [
      CiliumVersion.V1_16,
      CiliumVersion.V1_17,
      CiliumVersion.V1_18,
      CiliumVersion.V1_19,
      CiliumVersion.V1_20,
    ]) {
      for (const feature of [
        Feature.L7_POLICY,
        Feature.FQDN_POLICY,
        Feature.GATEWAY_API,
        Feature.INGRESS,
        Feature.ENVOY_CONFIG,
        Feature.IPSEC,
      ]) {
        expect(capabilityOf(feature, Datapath.ENI, version)).toMatchObject({
          support: Support.SUPPORTED,
          reference: 'cilium/cilium .github/workflows/conformance-eks.yaml',
        });
      }
    }
  });

  test("Gateway API and Ingress in chaining: the warning says where Envoy's source address comes from and what is unverified", () => {
    for (const feature of [Feature.GATEWAY_API, Feature.INGRESS]) {
      const c = capabilityOf(feature, Datapath.AWS_CNI_CHAINING, CiliumVersion.V1_20);
      expect(c.support).toBe(Support.UNTESTED);
      expect(c.reason).toMatch(/from the node's Ingress address, which comes from Cilium's cluster-pool IPAM/);
      expect(c.reason).toMatch(/same node .* expected to work/);
      expect(c.reason).toMatch(/source\/destination check drops packets sent from it/);
      expect(c.reason).toMatch(/Unverified on a real cluster: both expectations, and whether WireGuard/);
      expect(c.alternative).toMatch(/datapath: Datapath.ENI/);
    }
  });

  test('checkCapability is silent on ENI', () => {
    const stack = new Stack(new App(), 'Stack');
    for (const feature of [Feature.L7_POLICY, Feature.FQDN_POLICY, Feature.GATEWAY_API, Feature.INGRESS]) {
      checkCapability(stack, feature, eniProfile({ gatewayApi: true, kubeProxyReplacement: true }));
    }
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('checkCapability warns for untested and throws for incompatible', () => {
    const stack = new Stack(new App(), 'Stack');
    checkCapability(stack, Feature.INGRESS, chainingProfile({ ingressController: true }));
    Annotations.fromStack(stack).hasWarning(
      '/Stack',
      Match.stringLikeRegexp('ingress on aws-cni-chaining \\(Cilium 1.20\\) is untested'),
    );
    expect(() => checkCapability(stack, Feature.IPSEC, chainingProfile())).toThrow(
      /ipsec on aws-cni-chaining \(Cilium 1.20\) is incompatible.*\[at Stack\]/,
    );
  });
});

describe('checkCapability per feature, datapath and version', () => {
  test('each combination gets its own capability and message, also after another was checked', () => {
    const stack = new Stack(new App(), 'S');
    const profiles = [
      chainingProfile({ version: CiliumVersion.V1_20 }),
      eniProfile({ version: CiliumVersion.V1_20 }),
      chainingProfile({ version: CiliumVersion.V1_16 }),
      chainingProfile({ version: CiliumVersion.V1_20 }),
    ];
    for (const profile of profiles) {
      expect(checkCapability(stack, Feature.GATEWAY_API, profile)).toEqual(
        capabilityOf(Feature.GATEWAY_API, profile.datapath, profile.version),
      );
      const ipsec = () => checkCapability(stack, Feature.IPSEC, profile);
      if (profile.datapath === Datapath.ENI) {
        expect(ipsec().support).toBe(Support.SUPPORTED);
      } else {
        expect(ipsec).toThrow(
          new RegExp(`^${Feature.IPSEC} on aws-cni-chaining \\(Cilium ${profile.version.line}\\) is`),
        );
      }
    }
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('gatewayApi'));
    expect(warnings.map((w) => String(w.entry.data).match(/\(Cilium [0-9.]+\)/)?.[0])).toEqual([
      '(Cilium 1.20)',
      '(Cilium 1.16)',
    ]);
  });

  test('a profile object changed in place (plain JavaScript) is looked up again, not served from the cache', () => {
    const stack = new Stack(new App(), 'S');
    const profile = { ...chainingProfile({ version: CiliumVersion.V1_20 }) } as {
      -readonly [K in keyof ReturnType<typeof chainingProfile>]: ReturnType<typeof chainingProfile>[K];
    };
    expect(() => checkCapability(stack, Feature.IPSEC, profile)).toThrow(/incompatible/);
    profile.datapath = Datapath.ENI;
    expect(checkCapability(stack, Feature.IPSEC, profile).support).toBe(Support.SUPPORTED);
    profile.datapath = Datapath.AWS_CNI_CHAINING;
    profile.version = CiliumVersion.V1_16;
    expect(() => checkCapability(stack, Feature.IPSEC, profile)).toThrow(/\(Cilium 1\.16\) is incompatible/);
  });
});
