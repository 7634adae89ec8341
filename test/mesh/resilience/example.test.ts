import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ResilienceStack } from '../../../examples/resilience';
import { Cilium } from '../../../lib';

describe('examples/resilience.ts', () => {
  const stack = new ResilienceStack(new App(), 'R');
  const objects = stack.mesh.toJson();

  test('the three CiliumEnvoyConfigs (snapshot), delivered with their Namespace and Services', () => {
    const cecs = objects.filter((o: { kind: string }) => o.kind === 'CiliumEnvoyConfig');
    expect(cecs.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'reviews-resilience',
      'ratings-resilience',
      'orders-resilience',
    ]);
    expect(cecs).toMatchSnapshot();
    expect(objects.map((o: { kind: string }) => o.kind).sort()).toEqual([
      'CiliumEnvoyConfig',
      'CiliumEnvoyConfig',
      'CiliumEnvoyConfig',
      'Namespace',
      'Service',
      'Service',
      'Service',
    ]);
  });

  test('Cilium 1.19 with envoyConfig and kube-proxy replacement; one chaining warning for the mesh', () => {
    const [release] = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'));
    expect(release.Properties.Version).toBe('1.19.8');
    const cilium = stack.node.findAll().find((c): c is Cilium => c instanceof Cilium)!;
    expect(cilium.values).toMatchObject({ envoyConfig: { enabled: true }, kubeProxyReplacement: true });
    expect(cilium.profile).toMatchObject({ envoyConfig: true, kubeProxyReplacement: true, l7Proxy: true });
    expect(stack.mesh.warnings.filter((w) => w.includes('envoyUntestedInChaining'))).toHaveLength(1);
  });
});
