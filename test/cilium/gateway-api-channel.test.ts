import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  Datapath,
  Gateway,
  GatewayApiChannel,
  gatewayApiChannelOf,
  HttpRoute,
  Listener,
  ParentRef,
  ServiceMesh,
} from '../../lib';
import { install } from './install';

const GATEWAY = { gatewayApi: true, kubeProxyReplacement: true, k8sServiceHost: 'api.example' };

function crdSources(stack: Stack): string {
  const template = Template.fromStack(stack).toJSON();
  const ids = Object.keys(template.Resources).filter(
    (id) => /GatewayApiCrds/.test(id) && template.Resources[id].Type === 'Custom::CiliumMeshObjects',
  );
  expect(ids).toHaveLength(1);
  return JSON.stringify(template.Resources[ids[0]].Properties.Sources);
}

describe('the Gateway API channel in the Cilium profile', () => {
  test('gatewayApiCrds.channel EXPERIMENTAL installs experimental-install.yaml and says so in the profile', () => {
    const { stack, cilium } = install({ ...GATEWAY, gatewayApiCrds: { channel: GatewayApiChannel.EXPERIMENTAL } });
    expect(crdSources(stack)).toContain(
      'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/experimental-install.yaml',
    );
    expect(cilium.gatewayApiCrds?.channel).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(cilium.profile.gatewayApiChannel).toBe(GatewayApiChannel.EXPERIMENTAL);
  });

  test('defaults follow GatewayApiCrds: standard on 1.20, experimental on 1.16', () => {
    const v20 = install(GATEWAY);
    expect(crdSources(v20.stack)).toContain('v1.6.1/standard-install.yaml');
    expect(v20.cilium.profile.gatewayApiChannel).toBe(GatewayApiChannel.STANDARD);
    expect(v20.cilium.profile.gatewayApiChannel).toBe(v20.cilium.gatewayApiCrds?.channel);
    const v16 = install({ gatewayApi: true, version: CiliumVersion.V1_16 });
    expect(v16.cilium.profile.gatewayApiChannel).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(v16.cilium.gatewayApiCrds?.channel).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(install().cilium.profile.gatewayApiChannel).toBe(GatewayApiChannel.STANDARD);
  });

  test('CRDs installed by someone else: the profile takes the stated channel', () => {
    const { cilium } = install({
      ...GATEWAY,
      gatewayApiCrds: { install: false, channel: GatewayApiChannel.EXPERIMENTAL },
    });
    expect(cilium.gatewayApiCrds).toBeUndefined();
    expect(cilium.profile.gatewayApiChannel).toBe(GatewayApiChannel.EXPERIMENTAL);
  });

  test('chainingProfile defaults, and a hand-written profile without the field', () => {
    expect(chainingProfile().gatewayApiChannel).toBe(GatewayApiChannel.STANDARD);
    expect(chainingProfile({ version: CiliumVersion.V1_16 }).gatewayApiChannel).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(chainingProfile({ gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL }).gatewayApiChannel).toBe(
      GatewayApiChannel.EXPERIMENTAL,
    );
    const handWritten = {
      version: CiliumVersion.V1_16,
      datapath: Datapath.AWS_CNI_CHAINING,
      kubeProxyReplacement: false,
      l7Proxy: true,
      mutualAuthentication: false,
      gatewayApi: true,
      ingressController: false,
    };
    expect(gatewayApiChannelOf(handWritten)).toBe(GatewayApiChannel.EXPERIMENTAL);
    expect(gatewayApiChannelOf({ ...handWritten, version: CiliumVersion.V1_20 })).toBe(GatewayApiChannel.STANDARD);
  });

  test('addMesh compares the channel (a missing one counts as the default)', () => {
    const { cilium } = install({ ...GATEWAY, gatewayApiCrds: { channel: GatewayApiChannel.EXPERIMENTAL } });
    const standard = new ServiceMesh(Testing.app(), 'shop', {
      cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }),
    });
    expect(() => cilium.addMesh(standard)).toThrow(
      /mesh 'shop' was rendered for Cilium 1.20.2 \(.*gatewayApiChannel=standard\), but this install is Cilium 1.20.2 \(.*gatewayApiChannel=experimental\); create the mesh with new ServiceMesh/,
    );
    const plain = install(GATEWAY).cilium;
    const { gatewayApiChannel: _omitted, ...withoutChannel } = plain.profile;
    expect(plain.addMesh(new ServiceMesh(Testing.app(), 'shop', { cilium: withoutChannel })).node.path).toBe(
      'S/Cilium/Mesh-shop',
    );
  });

  test('a retrying route rendered for cilium.profile of an experimental install is delivered', () => {
    const { cilium } = install({ ...GATEWAY, gatewayApiCrds: { channel: GatewayApiChannel.EXPERIMENTAL } });
    const mesh = new ServiceMesh(Testing.app(), 'shop', { cilium: cilium.profile, namespace: 'shop' });
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http({})] });
    new HttpRoute(mesh, 'Route', {
      parentRefs: [ParentRef.gateway(gw)],
      rules: [
        {
          backendRefs: [{ backend: Backend.fromName('shop', 'api', 80) }],
          retry: { codes: [503], backoff: Duration.millis(200) },
        },
      ],
    });
    expect(Testing.synth(mesh).find((o: any) => o.kind === 'HTTPRoute').spec.rules[0].retry).toEqual({
      codes: [503],
      backoff: '200ms',
    });
    expect(cilium.addMesh(mesh).node.path).toBe('S/Cilium/Mesh-shop');
  });
});
