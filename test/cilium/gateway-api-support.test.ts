import { CILIUM_GATEWAY_API, CiliumGatewayApi, CiliumVersion, GatewayApiChannel, GatewayApiVersion } from '../../lib';
import { install } from './install';
import { gatewayApiVersionOfLine } from '../../lib/cilium/gateway-api-support';

const GATEWAY = { gatewayApi: true, kubeProxyReplacement: true, k8sServiceHost: 'api.example' };

describe('Gateway API support per Cilium line (cilium/gateway-api-support.ts)', () => {
  test('each Cilium line maps to the Gateway API version its docs require', () => {
    expect(CILIUM_GATEWAY_API).toEqual({
      '1.16': 'v1.1.0',
      '1.17': 'v1.2.0',
      '1.18': 'v1.3.0',
      '1.19': 'v1.4.1',
      '1.20': 'v1.6.1',
    });
    expect(CiliumGatewayApi.versionFor(CiliumVersion.V1_20).version).toBe('v1.6.1');
    expect(CiliumGatewayApi.versionFor(CiliumVersion.of('1.19.6')).version).toBe('v1.4.1');
    expect(CiliumGatewayApi.versionFor(CiliumVersion.V1_16).version).toBe('v1.1.0');
  });

  test('1.16 defaults to the experimental channel, later lines to standard', () => {
    expect(CiliumGatewayApi.defaultChannel(CiliumVersion.V1_16)).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(CiliumGatewayApi.defaultChannel(CiliumVersion.V1_17)).toBe(GatewayApiChannel.STANDARD);
  });

  test('Cilium resolves the version and channel GatewayApiCrds installs: 1.16 gets experimental v1.1.0', () => {
    const { cilium } = install({ ...GATEWAY, version: CiliumVersion.V1_16 });
    expect([cilium.gatewayApiCrds?.version.version, cilium.gatewayApiCrds?.channel]).toEqual([
      'v1.1.0',
      GatewayApiChannel.EXPERIMENTAL,
    ]);
    const pinned = install({ ...GATEWAY, gatewayApiCrds: { version: GatewayApiVersion.V1_6_1 } }).cilium;
    expect([pinned.gatewayApiCrds?.version.version, pinned.gatewayApiCrds?.channel]).toEqual([
      'v1.6.1',
      GatewayApiChannel.STANDARD,
    ]);
  });

  test('Cilium 1.16 with the standard channel is refused, naming the Cilium construct', () => {
    expect(() =>
      install({ ...GATEWAY, version: CiliumVersion.V1_16, gatewayApiCrds: { channel: GatewayApiChannel.STANDARD } }),
    ).toThrow(
      /^Cilium 1\.16\.\d+ needs TLSRoute v1alpha2, which only the experimental channel of Gateway API v1\.1\.0 contains, got channel 'standard'; leave gatewayApiCrds\.channel unset or use GatewayApiChannel\.EXPERIMENTAL \[at S\/Cilium\]$/,
    );
  });
});

describe('gatewayApiVersionOfLine', () => {
  test('the release of each line of the table; a newer line gets the newest release', () => {
    expect(
      ['1.16', '1.17', '1.18', '1.19', '1.20'].map((line) =>
        gatewayApiVersionOfLine({ line, minor: Number(line.slice(2)) }),
      ),
    ).toEqual(['v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.1', 'v1.6.1']);
    expect(gatewayApiVersionOfLine({ line: '1.21', minor: 21 })).toBe('v1.6.1');
  });
});
