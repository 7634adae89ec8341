import * as lib from '../../lib';
import { deliveredObjects, meshNamespaces } from '../../lib/delivery/namespaces';
import { withoutClusterScopedNamespaces, type DeliveredObject } from '../../lib/delivery/plan';

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

describe('deliveredObjects', () => {
  // cluster-scoped objects with the chart namespace cdk8s puts on them (built-in, Cilium, delivered CRD), namespaced
  // ones with and without a namespace, declared and undeclared namespaces
  const o = (apiVersion: string, kind: string, name: string, namespace?: string, spec?: object): DeliveredObject => ({
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...(spec ? { spec } : {}),
  });
  const objects = [
    o('v1', 'Namespace', 'shop', 'chart-ns'),
    o('cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'ccnp', 'chart-ns'),
    o('example.com/v1', 'Widget', 'w', 'chart-ns'),
    o('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com', 'chart-ns', {
      group: 'example.com',
      scope: 'Cluster',
      names: { kind: 'Widget' },
    }),
    o('example.com/v1', 'Gadget', 'g', 'chart-ns'),
    o('cilium.io/v2', 'CiliumNetworkPolicy', 'a', 'shop'),
    o('cilium.io/v2', 'CiliumNetworkPolicy', 'b'),
    o('v1', 'ConfigMap', 'c', 'team'),
  ];

  test('is meshNamespaces of withoutClusterScopedNamespaces, in one pass', () => {
    const options = { existingNamespaces: ['legacy'] };
    const out = deliveredObjects(objects, options);
    expect(out).toEqual(meshNamespaces(withoutClusterScopedNamespaces(objects), options));
    expect(out.map((x) => `${x.kind}:${(x.metadata as { namespace?: string }).namespace ?? '-'}`)).toEqual([
      'Namespace:-',
      'CiliumClusterwideNetworkPolicy:-',
      'Widget:-',
      'CustomResourceDefinition:-',
      'Gadget:chart-ns',
      'CiliumNetworkPolicy:shop',
      'CiliumNetworkPolicy:default',
      'ConfigMap:team',
      'Namespace:-',
      'Namespace:-',
    ]);
    expect(out.slice(-2).map((x) => (x.metadata as { name: string }).name)).toEqual(['chart-ns', 'team']);
    // objects it need not change are not copied
    expect(out[5]).toBe(objects[5]);
  });

  test('fails as meshNamespaces does', () => {
    expect(() => deliveredObjects(objects, { createNamespaces: false })).toThrow(
      /^Gadget chart-ns\/g \(example.com\) is in namespace 'chart-ns', which the mesh neither creates nor declares/,
    );
    expect(() => deliveredObjects(objects, { existingNamespaces: ['shop'] })).toThrow(
      /namespace 'shop' is listed in existingNamespaces and also declared as a Namespace object of the mesh/,
    );
  });

  test('is not exported from the package index', () => {
    expect(Object.keys(lib)).not.toContain('deliveredObjects');
    expect(Object.keys(lib)).toContain('meshNamespaces');
  });
});
