import { App, CfnResource, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Template } from 'aws-cdk-lib/assertions';
import { Cilium, Datapath, KubeProxyMode, MeshCluster, TransparentEncryption } from '../../lib';

/**
 * How MeshCluster and the Cilium construct fit together through `addCilium()`: Cilium's release waits for the
 * node groups, and in REPLACE mode CoreDNS waits for Cilium (no kube-proxy before it).
 */
function wire(mode: KubeProxyMode) {
  const stack = new Stack(new App(), 'S');
  const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, kubeProxyMode: mode });
  const cilium = cluster.addCilium();
  return { stack, cluster, cilium, template: Template.fromStack(stack) };
}

function dependsOn(
  template: Template,
  type: string,
  filter: (r: { Properties?: Record<string, unknown> }) => boolean,
): string[] {
  const found = Object.values(template.findResources(type)).filter(filter);
  expect(found).toHaveLength(1);
  return found[0].DependsOn ?? [];
}

describe('MeshCluster + Cilium', () => {
  test('KEEP: Cilium keeps kube-proxy; its release waits for the node groups', () => {
    const { stack, cluster, cilium, template } = wire(KubeProxyMode.KEEP);
    expect(cilium.profile.kubeProxyReplacement).toBe(false);
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    expect(dependsOn(template, 'Custom::AWSCDK-EKS-HelmChart', () => true)).toEqual(
      expect.arrayContaining([barrierId]),
    );
  });

  test('REPLACE: Cilium replaces kube-proxy; order is VPC CNI -> node groups -> Cilium and CoreDNS side by side', () => {
    const { stack, cluster, cilium, template } = wire(KubeProxyMode.REPLACE);
    expect(cilium.profile.kubeProxyReplacement).toBe(true);
    const releaseId = stack.getLogicalId(cilium.release.node.defaultChild as CfnResource);
    const barrierId = stack.getLogicalId(cluster.nodegroupsReady as CfnWaitConditionHandle);
    const vpcCniId = stack.getLogicalId(cluster.vpcCniAddon!);
    expect(dependsOn(template, 'Custom::AWSCDK-EKS-HelmChart', () => true)).toEqual(
      expect.arrayContaining([barrierId]),
    );
    // CoreDNS comes up alongside Cilium, not after its release: Hubble Relay needs DNS before Helm's wait ends.
    const coreDnsDeps = dependsOn(template, 'AWS::EKS::Addon', (r) => r.Properties?.AddonName === 'coredns');
    expect(coreDnsDeps).toEqual(expect.arrayContaining([barrierId]));
    expect(coreDnsDeps).not.toContain(releaseId);
    expect(dependsOn(template, 'AWS::EKS::Nodegroup', () => true)).toEqual(expect.arrayContaining([vpcCniId]));
  });

  test('addCilium installs once and exposes the install', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    const cilium = cluster.addCilium();
    expect(cluster.cilium).toBe(cilium);
    expect(cilium.node.path).toBe('S/Mesh/Cilium');
    expect(() => cluster.addCilium()).toThrow(
      /Cilium is already installed on this cluster \(S\/Mesh\/Cilium\); call addCilium once .*\[at S\/Mesh\]/,
    );
  });

  test('WireGuard pod MTU must be the VPC CNI POD_MTU of the cluster', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35 });
    expect(() => cluster.addCilium({ encryption: TransparentEncryption.wireGuard({ podMtu: 8906 }) })).toThrow(
      /WireGuard is configured for podMtu 8906, but this cluster's VPC CNI sets POD_MTU 9001; pass vpcCni: \{ podMtu: 8906 \} .*\[at S\/Mesh\/Cilium\]/,
    );
    const ok = new MeshCluster(new Stack(new App(), 'T'), 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpcCni: { podMtu: 8906 },
    });
    const cilium = ok.addCilium({ encryption: TransparentEncryption.wireGuard({ podMtu: 8906 }) });
    expect(cilium.values.encryption).toEqual({ enabled: true, type: 'wireguard' });
  });

  test('WireGuard takes the MTUs from the cluster; with vpcCni.mtu 1500 the pod MTU may be at most 1405', () => {
    // The bug this guards against: the cluster's ENI MTU never reached the check, which assumed 9001.
    const jumbo = new MeshCluster(new Stack(new App(), 'J'), 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpcCni: { mtu: 1500 },
    });
    expect(jumbo.podMtu).toBe(1500);
    expect(jumbo.eniMtu).toBe(1500);
    expect(() => jumbo.addCilium({ encryption: TransparentEncryption.wireGuard({ podMtu: 1500 }) })).toThrow(
      /wireGuard.podMtu must be an integer from 576 to 1405 \(ENI MTU 1500 minus 95 bytes of WireGuard overhead\), got 1500 \(the cluster's vpcCni.podMtu\); pass vpcCni: \{ mtu: 1500, podMtu: 1405 \} to the MeshCluster .*\[at J\/Mesh\/Cilium\]/,
    );
    const unstated = new MeshCluster(new Stack(new App(), 'U'), 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpcCni: { mtu: 1500 },
    });
    expect(() => unstated.addCilium({ encryption: TransparentEncryption.wireGuard() })).toThrow(
      /got 1500 \(the cluster's vpcCni.podMtu\).*\[at U\/Mesh\/Cilium\]/,
    );
    const eni = new MeshCluster(new Stack(new App(), 'E'), 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpcCni: { mtu: 1500 },
    });
    expect(() => eni.addCilium({ encryption: TransparentEncryption.wireGuard({ eniMtu: 9001 }) })).toThrow(
      /WireGuard is configured for eniMtu 9001, but this cluster's VPC CNI sets AWS_VPC_ENI_MTU 1500; pass vpcCni: \{ mtu: 9001 \} .*\[at E\/Mesh\/Cilium\]/,
    );

    const fixed = new MeshCluster(new Stack(new App(), 'F'), 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      vpcCni: { mtu: 1500, podMtu: 1405 },
    });
    const cilium = fixed.addCilium({ encryption: TransparentEncryption.wireGuard() });
    expect(cilium.values.encryption).toEqual({ enabled: true, type: 'wireguard' });
  });

  test('new Cilium({ cluster: meshCluster }) applies the same WireGuard check as addCilium', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, vpcCni: { mtu: 1500 } });
    expect(
      () => new Cilium(stack, 'Direct', { cluster, encryption: TransparentEncryption.wireGuard({ podMtu: 1500 }) }),
    ).toThrow(
      /wireGuard.podMtu must be an integer from 576 to 1405 .*got 1500 \(the cluster's vpcCni.podMtu\).*\[at S\/Direct\]/,
    );
  });

  test('the operator replicas must fit on distinct nodes', () => {
    const small = new Stack(new App(), 'S');
    const cluster = new MeshCluster(small, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      defaultNodegroup: { minSize: 1, desiredSize: 1, maxSize: 3 },
    });
    cluster.addCilium();
    expect(() => Template.fromStack(small)).toThrow(
      /the Cilium operator runs 2 replicas with a required pod anti-affinity .* start only 1 node\(s\).*pass operatorReplicas: 1 to addCilium/,
    );

    const fixed = new Stack(new App(), 'T');
    new MeshCluster(fixed, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      defaultNodegroup: { minSize: 1, desiredSize: 1, maxSize: 3 },
    }).addCilium({ operatorReplicas: 1 });
    expect(() => Template.fromStack(fixed)).not.toThrow();

    const later = new Stack(new App(), 'U');
    const grown = new MeshCluster(later, 'Mesh', {
      version: eks.KubernetesVersion.V1_35,
      defaultNodegroup: { minSize: 1, desiredSize: 1, maxSize: 3 },
    });
    grown.addCilium();
    grown.addMeshNodegroup('More', { minSize: 1, desiredSize: 1, maxSize: 2 });
    expect(() => Template.fromStack(later)).not.toThrow();
  });
});

describe('WireGuard on the ENI datapath', () => {
  test('needs no pod MTU: Cilium owns the pod interfaces there and sets their MTU itself', () => {
    const stack = new Stack(new App(), 'S');
    const cluster = new MeshCluster(stack, 'Mesh', { version: eks.KubernetesVersion.V1_35, datapath: Datapath.ENI });
    expect(cluster.podMtu).toBeUndefined();
    const cilium = cluster.addCilium({ encryption: TransparentEncryption.wireGuard() });
    expect(cilium.values.encryption).toEqual({ enabled: true, type: 'wireguard' });
  });
});
