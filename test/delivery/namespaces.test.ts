import { meshNamespaces } from '../../lib/delivery/namespaces';

const cnp = (name: string, namespace?: string) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: {},
});
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('meshNamespaces', () => {
  test('a Namespace is added for every namespace used and neither declared nor existing', () => {
    const out = meshNamespaces([cnp('a', 'shop'), cnp('b', 'shop'), cnp('c', 'team'), cnp('d', 'kube-system')]);
    expect(out.slice(4)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk-cilium-mesh' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team', labels: { 'app.kubernetes.io/managed-by': 'cdk-cilium-mesh' } },
      },
    ]);
  });

  test('declared Namespaces, existingNamespaces and cluster-scoped objects need nothing', () => {
    const ccnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'x' },
      spec: {},
    };
    const out = meshNamespaces([ns('shop'), cnp('a', 'shop'), cnp('b', 'legacy'), ccnp], {
      existingNamespaces: ['legacy'],
    });
    expect(out).toHaveLength(4);
  });

  test('a namespaced object without a namespace goes to default, explicitly', () => {
    expect(meshNamespaces([cnp('a')])).toEqual([{ ...cnp('a'), metadata: { name: 'a', namespace: 'default' } }]);
  });

  test('with createNamespaces off, an undeclared namespace names the object and both fixes', () => {
    expect(() => meshNamespaces([cnp('a', 'shop')], { createNamespaces: false })).toThrow(
      /^CiliumNetworkPolicy shop\/a \(cilium.io\) is in namespace 'shop', which the mesh neither creates nor declares as existing; add 'shop' to existingNamespaces if it exists, or set createNamespaces: true/,
    );
  });

  test('a namespace both declared and listed as existing is refused', () => {
    expect(() => meshNamespaces([ns('shop')], { existingNamespaces: ['shop'] })).toThrow(
      /namespace 'shop' is listed in existingNamespaces and also declared as a Namespace object of the mesh/,
    );
    expect(() => meshNamespaces([], { existingNamespaces: ['Shop'] })).toThrow(
      /existingNamespaces entry 'Shop' is not a namespace name/,
    );
  });
});
