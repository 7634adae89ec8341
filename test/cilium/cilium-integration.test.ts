import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, Testing } from 'cdk8s';
import { chainingProfile, GatewayApiChannel, ServiceMesh } from '../../lib';
import { install } from './install';

describe('Cilium + Gateway API CRDs', () => {
  test('gatewayApi installs the CRDs the line needs, before the release', () => {
    const { stack, cilium } = install({ gatewayApi: true, kubeProxyReplacement: true, k8sServiceHost: 'api.example' });
    expect(cilium.gatewayApiCrds?.version.version).toBe('v1.6.1');
    expect(cilium.gatewayApiCrds?.channel).toBe(GatewayApiChannel.STANDARD);
    const template = Template.fromStack(stack).toJSON();
    const [crdsId] = Object.keys(template.Resources).filter(
      (id) => /GatewayApiCrds/.test(id) && template.Resources[id].Type === 'Custom::CiliumMeshObjects',
    );
    const [releaseId] = Object.keys(template.Resources).filter(
      (id) => template.Resources[id].Type === 'Custom::AWSCDK-EKS-HelmChart',
    );
    expect(template.Resources[releaseId].DependsOn).toContain(crdsId);
    expect(JSON.stringify(template.Resources[crdsId].Properties.Sources)).toContain('v1.6.1/standard-install.yaml');
  });

  test('the CRD install can be left to someone else, and is refused without gatewayApi', () => {
    expect(
      install({ gatewayApi: true, kubeProxyReplacement: true, k8sServiceHost: 'h', gatewayApiCrds: { install: false } })
        .cilium.gatewayApiCrds,
    ).toBeUndefined();
    expect(() => install({ gatewayApiCrds: { install: true } })).toThrow(
      /gatewayApiCrds is set but gatewayApi is off; set gatewayApi: true or remove gatewayApiCrds \[at S\/Cilium\]/,
    );
    expect(install().cilium.gatewayApiCrds).toBeUndefined();
  });
});

describe('Cilium.addMesh', () => {
  test('delivers the mesh after the release', () => {
    const { stack, cilium } = install();
    const mesh = new ServiceMesh(Testing.app(), 'shop', { cilium: cilium.profile });
    new ApiObject(mesh, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } });
    const delivery = cilium.addMesh(mesh);
    expect(delivery.node.path).toBe('S/Cilium/Mesh-shop');
    const template = Template.fromStack(stack).toJSON();
    const [meshId] = Object.keys(template.Resources).filter(
      (id) => /Meshshop/.test(id) && template.Resources[id].Type === 'Custom::CiliumMeshObjects',
    );
    const [releaseId] = Object.keys(template.Resources).filter(
      (id) => template.Resources[id].Type === 'Custom::AWSCDK-EKS-HelmChart',
    );
    expect(template.Resources[meshId].DependsOn).toContain(releaseId);
  });

  test('refuses a mesh rendered for another install', () => {
    const { cilium } = install();
    const mesh = new ServiceMesh(Testing.app(), 'shop', { cilium: chainingProfile({ gatewayApi: true }) });
    expect(() => cilium.addMesh(mesh)).toThrow(
      /mesh 'shop' was rendered for Cilium 1.20.2 \(.*gatewayApi=true.*\), but this install is Cilium 1.20.2 \(.*gatewayApi=false.*\); create the mesh with new ServiceMesh\(app, id, \{ cilium: cilium.profile \}\) \[at S\/Cilium\]/,
    );
  });
});
