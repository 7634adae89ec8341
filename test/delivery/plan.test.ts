import { createHash } from 'crypto';
import { syntheticPolicies, syntheticPolicy } from '../../bench/synthetic';
import { recordManifests } from '../util/record';
import {
  canonicalJson,
  clusterScopedTest,
  isClusterScoped,
  objectIdentity,
  planBatches,
  planFilteredBatches,
  withoutClusterScopedNamespaces,
  type DeliveredObject,
} from '../../lib/delivery/plan';

const objs = (n: number) => syntheticPolicies(n) as unknown as DeliveredObject[];
/** 2-, 3- and 4-byte characters (4 bytes are two UTF-16 code units) and ASCII, for the byte-budget tests. */
const WIDTHS = ['é', '日本', '😀', 'a'];
/**
 * `n` objects whose text is `text(i)`, last in their canonical JSON line (so that a line measured at the wrong offset
 * takes in text of another width).
 */
const widgets = (n: number, text: (i: number) => string): DeliveredObject[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: `w-${i}`, namespace: 'shop' },
    spec: { text: text(i) },
  }));
/** Bytes of a batch without objects. */
const EMPTY_LIST_BYTES = '{"apiVersion":"v1","kind":"List","items":[\n\n]}\n'.length;
const shas = (o: DeliveredObject[]) => planBatches(o).batches.map((b) => b.sha256);
const diff = (a: string[], b: string[]) => ({
  removed: a.filter((x) => !b.includes(x)),
  added: b.filter((x) => !a.includes(x)),
});

describe('withoutClusterScopedNamespaces', () => {
  test('drops metadata.namespace from built-in, Cilium/Gateway API and delivered-CRD cluster-scoped kinds only', () => {
    const o = (apiVersion: string, kind: string, spec?: object) => ({
      apiVersion,
      kind,
      metadata: { name: 'x', namespace: 'shop' },
      ...(spec ? { spec } : {}),
    });
    const out = withoutClusterScopedNamespaces([
      o('v1', 'Namespace'),
      o('v1', 'ConfigMap'),
      o('cilium.io/v2', 'CiliumClusterwideNetworkPolicy'),
      o('cilium.io/v2', 'CiliumNetworkPolicy'),
      o('gateway.networking.k8s.io/v1', 'GatewayClass'),
      o('gateway.networking.k8s.io/v1', 'Gateway'),
      o('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        group: 'example.com',
        scope: 'Cluster',
        names: { kind: 'Widget' },
      }),
      o('example.com/v1', 'Widget'),
      o('example.com/v1', 'Gadget'),
    ] as DeliveredObject[]);
    expect(out.map((x: any) => `${x.kind}:${x.metadata.namespace ?? '-'}`)).toEqual([
      'Namespace:-',
      'ConfigMap:shop',
      'CiliumClusterwideNetworkPolicy:-',
      'CiliumNetworkPolicy:shop',
      'GatewayClass:-',
      'Gateway:shop',
      'CustomResourceDefinition:-',
      'Widget:-',
      'Gadget:shop',
    ]);
  });
});

test('clusterScopedTest answers as isClusterScoped, also for kinds asked again and for odd values', () => {
  const crdKinds = new Set(['example.com/Widget']);
  const test = clusterScopedTest(crdKinds);
  const kinds: Array<[unknown, unknown]> = [
    ['v1', 'Namespace'],
    ['v1', 'ConfigMap'],
    ['example.com/v1', 'Widget'],
    ['example.com/v2', 'Widget'],
    ['example.com/v1', 'Gadget'],
    [undefined, 'Namespace'],
    [7, 'Namespace'],
    ['v1', undefined],
    ['v1', 'undefined'],
  ];
  const objects = [...kinds, ...kinds.reverse()].map(([apiVersion, kind]) => ({ apiVersion, kind }) as DeliveredObject);
  expect(objects.map((o) => test(o))).toEqual(objects.map((o) => isClusterScoped(o, crdKinds)));
  expect(objects.filter((o) => test(o)).length).toBe(10);
});

describe('canonicalJson / objectIdentity', () => {
  test('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
  test('identity is group/Kind/namespace/name, without the version', () => {
    expect(
      objectIdentity({
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'a', namespace: 'n' },
      }),
    ).toBe('cilium.io/CiliumNetworkPolicy/n/a');
    expect(objectIdentity({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).toBe('/Namespace//n');
  });
  test('rejects objects without a name', () => {
    expect(() => objectIdentity({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toThrow(
      /metadata.name.*"kind":"ConfigMap"/,
    );
  });
});

test('the synthetic policies used by the tests and the benchmark are valid CiliumNetworkPolicies', () => {
  const sample = [syntheticPolicy(0), syntheticPolicy(1, 1), syntheticPolicy(4999)];
  recordManifests('delivery-synthetic-policies', sample, 'cilium-1.20');
  recordManifests('delivery-synthetic-policies', sample, 'cilium-1.16');
  expect(sample.map((p) => p.kind)).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy']);
});

describe('planBatches', () => {
  test('every object lands in exactly one batch, sorted by identity, kinds listed', () => {
    const plan = planBatches(objs(1000));
    const ids = plan.batches.flatMap((b) => b.identities);
    expect(ids).toHaveLength(1000);
    expect([...ids].sort()).toEqual(ids);
    expect(plan.kinds).toEqual(['cilium.io/v2/CiliumNetworkPolicy']);
    expect(plan.objectCount).toBe(1000);
    // ~64 objects per batch on average
    expect(plan.batches.length).toBeGreaterThan(5);
    expect(plan.batches.length).toBeLessThan(40);
  });

  test('Namespaces and CRDs come first (kubectl applies a file in order)', () => {
    const { batches } = planBatches(
      [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'shop', name: 'a' } },
        { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { namespace: 'shop', name: 'b' } },
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'xs.example.io' },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ],
      { targetObjectsPerBatch: 1_000_000 },
    );
    expect(batches.flatMap((b) => b.identities)).toEqual([
      '/Namespace//shop',
      'apiextensions.k8s.io/CustomResourceDefinition//xs.example.io',
      '/ConfigMap/shop/a',
      'cilium.io/CiliumNetworkPolicy/shop/b',
    ]);
  });
  test('batch content is a v1 List of canonical objects, one per line, named by its sha256', () => {
    const [batch] = planBatches([
      { kind: 'ConfigMap', apiVersion: 'v1', metadata: { namespace: 'x', name: 'b' } },
      { kind: 'ConfigMap', apiVersion: 'v1', metadata: { namespace: 'x', name: 'a' } },
    ]).batches;
    expect(batch.content).toBe(
      '{"apiVersion":"v1","kind":"List","items":[\n' +
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"x"}},\n' +
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"x"}}\n]}\n',
    );
    expect(JSON.parse(batch.content).items).toHaveLength(2);
    expect(batch.sha256).toBe(createHash('sha256').update(batch.content).digest('hex'));
  });

  test('declaration order does not change the output', () => {
    const a = objs(300);
    const b = [...a].reverse();
    expect(planBatches(b)).toEqual(planBatches(a));
  });

  test('changing one object changes exactly one batch', () => {
    const before = objs(2000);
    for (const i of [0, 17, 999, 1999]) {
      const after = [...before];
      after[i] = syntheticPolicy(i, 1) as unknown as DeliveredObject;
      const d = diff(shas(before), shas(after));
      expect(d.removed).toHaveLength(1);
      expect(d.added).toHaveLength(1);
    }
  });

  test('inserting or removing one object changes at most two batches', () => {
    const before = objs(2000);
    for (const extra of [2000, 2500, 3001, 4444]) {
      const d = diff(shas(before), shas([...before, syntheticPolicy(extra) as unknown as DeliveredObject]));
      expect(d.removed.length).toBeLessThanOrEqual(2);
      expect(d.added.length).toBeGreaterThanOrEqual(1);
      expect(d.added.length).toBeLessThanOrEqual(2);
    }
    const d = diff(shas(before), shas(before.filter((_, i) => i !== 1234)));
    expect(d.removed.length).toBeGreaterThanOrEqual(1);
    expect(d.removed.length).toBeLessThanOrEqual(2);
  });

  test('the byte budget caps a batch', () => {
    const plan = planBatches(objs(200), { targetObjectsPerBatch: 1_000_000, maxBatchBytes: 8192 });
    for (const b of plan.batches) {
      expect(Buffer.byteLength(b.content)).toBeLessThanOrEqual(8192);
    }
    expect(plan.batches.length).toBeGreaterThan(10);
  });

  test('the byte budget counts UTF-8 bytes: each batch is as full as the budget allows, multi-byte text included', () => {
    // text of every width, and one object larger than the budget
    const objects = widgets(120, (i) => WIDTHS[i % 4].repeat(i === 6 ? 3000 : 40 + ((i * 37) % 300)));
    const budget = 4096;
    const plan = planBatches(objects, { targetObjectsPerBatch: 1_000_000, maxBatchBytes: budget });
    const lines = plan.batches.map((b) => b.content.split('\n').slice(1, -2));
    expect(lines.flat()).toHaveLength(120);
    plan.batches.forEach((b, i) => {
      const bytes = Buffer.byteLength(b.content);
      // the budget counts ',\n' after every object, the last one too
      expect({ i, within: bytes + 2 <= budget || lines[i].length === 1 }).toEqual({ i, within: true });
      if (i + 1 < plan.batches.length) {
        // the next object would not have fitted (the object and its ',\n')
        expect({ i, full: bytes + 2 + Buffer.byteLength(lines[i + 1][0].replace(/,$/, '')) + 2 > budget }).toEqual({
          i,
          full: true,
        });
      }
    });
    expect(lines.some((l) => l.length === 1 && Buffer.byteLength(l[0]) > budget)).toBe(true);
  });

  test('batches end after each identity cut and before each object that would pass the byte budget', () => {
    // the cuts recomputed the plain way (UTF-8 bytes of every object, ',\n' after each) for runs below the budget,
    // above 3 × its code units but within its bytes, and above it, multi-byte text included
    const objects = widgets(400, (i) => WIDTHS[i % 4].repeat(10 + ((i * 53) % 400)));
    for (const [k, budget] of [
      [8, 8192],
      [16, 4096],
      [3, 2048],
    ]) {
      const plan = planBatches(objects, { targetObjectsPerBatch: k, maxBatchBytes: budget });
      const expected: string[][] = [[]];
      let bytes = EMPTY_LIST_BYTES;
      for (const o of [...objects].sort((a, b) => (objectIdentity(a) < objectIdentity(b) ? -1 : 1))) {
        const id = objectIdentity(o);
        const size = Buffer.byteLength(canonicalJson(o)) + 2;
        if (expected[expected.length - 1].length > 0 && bytes + size > budget) {
          expected.push([]);
          bytes = EMPTY_LIST_BYTES;
        }
        expected[expected.length - 1].push(id);
        bytes += size;
        if (parseInt(createHash('sha256').update(id).digest('hex').slice(0, 8), 16) % k === 0) {
          expected.push([]);
          bytes = EMPTY_LIST_BYTES;
        }
      }
      expect(plan.batches.map((b) => b.identities)).toEqual(expected.filter((ids) => ids.length > 0));
      expect(plan.batches.map((b) => b.sha256)).toEqual(
        plan.batches.map((b) => createHash('sha256').update(b.content).digest('hex')),
      );
    }
  });

  test('a run of objects exactly as large as the byte budget is one batch, one byte more is two', () => {
    const objects = widgets(40, () => 'é'.repeat(100));
    const [all] = planBatches(objects, { targetObjectsPerBatch: 1_000_000, maxBatchBytes: 1_000_000 }).batches;
    // the budget counts ',\n' after the last object too
    const fits = Buffer.byteLength(all.content) + 2;
    const at = (maxBatchBytes: number) =>
      planBatches(objects, { targetObjectsPerBatch: 1_000_000, maxBatchBytes }).batches.map((b) => b.identities.length);
    expect(at(fits)).toEqual([40]);
    expect(at(fits - 1)).toEqual([39, 1]);
  });

  test('duplicates are rejected naming both objects', () => {
    const a = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'p', namespace: 'n' },
      spec: { x: 1 },
    };
    const b = { ...a, apiVersion: 'cilium.io/v2alpha1', spec: { x: 2 } };
    expect(() => planBatches([a, b])).toThrow(
      /same identity cilium.io\/CiliumNetworkPolicy\/n\/p: .*"x":1.* and .*"x":2/,
    );
  });

  test('planFilteredBatches plans filtered objects as planBatches does, without filtering them again', () => {
    const objects: DeliveredObject[] = [
      ...objs(300),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: 'chart-ns' } },
    ];
    const filtered = withoutClusterScopedNamespaces(objects);
    expect(planFilteredBatches(filtered)).toEqual(planBatches(objects));
    expect(planFilteredBatches(filtered, { targetObjectsPerBatch: 7 })).toEqual(
      planBatches(objects, { targetObjectsPerBatch: 7 }),
    );
    // given unfiltered objects, it keeps the namespace of the cluster-scoped one
    expect(planFilteredBatches(objects).batches[0].identities[0]).toBe('/Namespace/chart-ns/shop');
    expect(() => planFilteredBatches([], { maxBatchBytes: 10 })).toThrow(/maxBatchBytes must be an integer/);
  });

  test('bad options are rejected', () => {
    expect(() => planBatches([], { targetObjectsPerBatch: 0 })).toThrow(
      /targetObjectsPerBatch must be a positive integer, got 0/,
    );
    expect(() => planBatches([], { maxBatchBytes: 10 })).toThrow(
      /maxBatchBytes must be an integer of at least 1024, got 10/,
    );
  });
});
