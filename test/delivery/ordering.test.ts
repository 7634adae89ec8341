import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, App as K8sApp } from 'cdk8s';
import { syntheticPolicy } from '../../bench/synthetic';
import { GatewayApiCrds, GatewayApiVersion } from '../../lib/gateway-api';
import { MeshDelivery } from '../../lib/delivery';
import { ServiceMesh } from '../../lib/mesh/service-mesh';
import { eksClusterStack } from '../util/clusters';

/**
 * The first `cdk deploy` of cluster + Gateway API CRDs + Cilium + mesh in one stack: CloudFormation must create
 * the CRDs before the Cilium release and the mesh objects after it (the handler then waits for Cilium's own
 * CRDs, which the operator registers after the release returns).
 */
test('deploy order: access entry → Gateway API CRDs → Cilium release → mesh objects', () => {
  const { stack, cluster } = eksClusterStack({ validation: false });
  const crds = new GatewayApiCrds(stack, 'GatewayApi', { cluster, version: GatewayApiVersion.V1_6_1 });
  const cilium = cluster.addHelmChart('Cilium', {
    chart: 'cilium',
    repository: 'https://helm.cilium.io',
    version: '1.20.0',
    namespace: 'kube-system',
  });
  cilium.node.addDependency(crds);
  const mesh = new ServiceMesh(new K8sApp(), 'mesh');
  new ApiObject(mesh, 'p', syntheticPolicy(1));
  new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh], dependsOn: [cilium] });

  const t = Template.fromStack(stack);
  const logicalId = (type: string, pattern: RegExp) =>
    Object.keys(t.findResources(type)).find((id) => pattern.test(id))!;
  const deps = (id: string): string[] => t.toJSON().Resources[id].DependsOn ?? [];
  const crdsId = logicalId('Custom::CiliumMeshObjects', /GatewayApi/);
  const meshId = logicalId('Custom::CiliumMeshObjects', /Delivery/);
  const ciliumId = logicalId('Custom::AWSCDK-EKS-HelmChart', /Cilium/);
  const accessId = logicalId('AWS::EKS::AccessEntry', /CiliumMeshDelivery/);
  expect(deps(ciliumId)).toContain(crdsId);
  expect(deps(meshId)).toEqual(expect.arrayContaining([ciliumId, accessId]));
  expect(deps(crdsId)).toContain(accessId);
  // one handler, one access entry for both deliveries
  expect(
    Object.keys(t.findResources('AWS::EKS::AccessEntry')).filter((id) => /CiliumMeshDelivery/.test(id)),
  ).toHaveLength(1);
});
