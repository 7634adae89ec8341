import * as fs from 'fs';
import * as path from 'path';
import { App as CdkApp, type Stack } from 'aws-cdk-lib';
import { ApiObject, App, Chart, JsonPatch, Lazy, type IResolver, type ResolutionContext, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { realisticMesh } from '../../bench/realistic';
import { CanaryStack } from '../../examples/canary';
import { EastWestStack } from '../../examples/east-west';
import { EniL7Stack } from '../../examples/eni-l7';
import { buildGitOpsMesh } from '../../examples/gitops';
import { ImportedClusterStack } from '../../examples/imported-cluster';
import { ResilienceStack } from '../../examples/resilience';
import { ZeroTrustStack } from '../../examples/zero-trust';
import * as cilium from '../../lib/imports/cilium.io';
import * as gw from '../../lib/imports/gateway.networking.k8s.io';
import * as gwx from '../../lib/imports/gateway.networking.k8s.io.experimental';
import {
  Backend,
  chainingProfile,
  ClusterSelector,
  ClusterwidePolicy,
  Entity,
  Gateway,
  GatewayApiChannel,
  GrpcRoute,
  HttpRoute,
  Listener,
  ParentRef,
  Peer,
  ServiceMesh,
  TlsRoute,
} from '../../lib';
import { isMeshObject, MeshObject, RENDERED_CDK8S_VERSION } from '../../lib/mesh/rendered-object';

type StackClass = new (scope: CdkApp, id: string) => Stack & { mesh: ServiceMesh };
const STACKS: Record<string, StackClass> = {
  'zero-trust': ZeroTrustStack,
  canary: CanaryStack,
  'east-west': EastWestStack,
  'eni-l7': EniL7Stack,
  resilience: ResilienceStack,
  'imported-cluster': ImportedClusterStack,
};

/** The meshes whose objects are compared: every example's, the GitOps one and a small bench mesh. */
function meshes(): Array<[string, ServiceMesh]> {
  const out: Array<[string, ServiceMesh]> = Object.entries(STACKS).map(([name, cls]) => [
    name,
    new cls(new CdkApp(), 'Example').mesh,
  ]);
  out.push(['gitops', buildGitOpsMesh(new App())]);
  out.push(['realistic', realisticMesh(new App(), 400)]);
  out.push(['other kinds', otherKinds()]);
  return out;
}

/** The kinds the examples do not make: GRPCRoute, TLSRoute, experimental HTTPRoute, ReferenceGrant, CCNP. */
function otherKinds(): ServiceMesh {
  const mesh = new ServiceMesh(new App(), 'mesh', {
    namespace: 'shop',
    cilium: chainingProfile({ gatewayApi: true, gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL }),
  });
  const api = Backend.fromName('backend', 'api', 8080);
  const gw = new Gateway(mesh, 'Gw', {
    listeners: [Listener.http(), Listener.tlsPassthrough({ hostname: 'db.example.com' })],
  });
  new HttpRoute(mesh, 'Retry', {
    parentRefs: [ParentRef.gateway(gw)],
    rules: [{ backendRefs: [{ backend: api }], retry: { attempts: 2 } }],
  });
  new GrpcRoute(mesh, 'G', { parentRefs: [ParentRef.gateway(gw)], rules: [{ backendRefs: [{ backend: api }] }] });
  new TlsRoute(mesh, 'T', {
    parentRefs: [ParentRef.gateway(gw, 'tls')],
    hostnames: ['db.example.com'],
    backendRefs: [{ backend: api }],
  });
  new ClusterwidePolicy(mesh, 'Baseline', { selector: ClusterSelector.allPods() }).allowTo(Peer.entity(Entity.CLUSTER));
  return mesh;
}

/** The generated classes with `o`'s group, version and kind (standard and experimental channel). */
function generatedClassesOf(o: ApiObject): unknown[] {
  return [cilium, gw, gwx]
    .flatMap((m) => Object.values(m) as unknown[])
    .filter((c) => {
      const gvk = typeof c === 'function' ? (c as { GVK?: { apiVersion: string; kind: string } }).GVK : undefined;
      return gvk?.apiVersion === o.apiVersion && gvk?.kind === o.kind;
    });
}

/** `o.toJson()` is cdk8s's rendering, key order included (serialized) and undefined array items included. */
function expectSameAsCdk8s(o: MeshObject): void {
  const fast = o.toJson();
  const slow = o._cdk8sToJson();
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  expect(fast).toStrictEqual(slow);
}

function meshWith(props: Record<string, unknown>, app: App = Testing.app()): MeshObject {
  const mesh = new ServiceMesh(app, 'mesh', { namespace: 'shop', labels: { team: 'a' } });
  return new MeshObject(mesh, 'Obj', {
    apiVersion: 'example.io/v1',
    kind: 'Thing',
    metadata: { name: 'thing' },
    ...props,
  });
}

describe('MeshObject', () => {
  test('the installed cdk8s is the release the renderer reproduces, so the fast path is taken', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(require.resolve('cdk8s'), '..', '..', 'package.json'), 'utf8'));
    expect(pkg.version).toBe(RENDERED_CDK8S_VERSION);
    const o = meshWith({ spec: { a: 1 } });
    const slow = jest.spyOn(o, '_cdk8sToJson');
    expect(o.toJson()).toEqual({
      apiVersion: 'example.io/v1',
      kind: 'Thing',
      metadata: { name: 'thing', namespace: 'shop', labels: { team: 'a' } },
      spec: { a: 1 },
    });
    expect(slow).not.toHaveBeenCalled();
  });

  test('every object of every example mesh renders as cdk8s (and its generated class) renders it', () => {
    let compared = 0;
    const kinds = new Set<string>();
    for (const [name, mesh] of meshes()) {
      const objects = mesh.node.findAll().filter(isMeshObject);
      expect({ name, some: objects.length > 0 }).toEqual({ name, some: true });
      for (const o of objects) {
        // the binding is a generated class of the kind; policies were plain ApiObjects before and stay so
        if (o._binding === undefined) {
          expect(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']).toContain(o.kind);
        } else {
          expect(generatedClassesOf(o)).toContain(o._binding);
        }
        expectSameAsCdk8s(o);
        kinds.add(o.kind);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'CiliumClusterwideNetworkPolicy',
        'CiliumEnvoyConfig',
        'CiliumNetworkPolicy',
        'GRPCRoute',
        'Gateway',
        'HTTPRoute',
        'ReferenceGrant',
        'TLSRoute',
      ]),
    );
  });

  test('labels, annotations and metadata fields added after construction are rendered', () => {
    const o = meshWith({ spec: { a: 1 } });
    o.metadata.addLabel('added', 'yes');
    o.metadata.addAnnotation('note', 'x');
    o.metadata.add('generateName', 'thing-');
    o.metadata.addFinalizers('example.io/keep');
    expectSameAsCdk8s(o);
    expect(o.toJson().metadata).toEqual({
      annotations: { note: 'x' },
      finalizers: ['example.io/keep'],
      generateName: 'thing-',
      labels: { added: 'yes', team: 'a' },
      name: 'thing',
      namespace: 'shop',
    });
  });

  test('a JSON patch is applied (by cdk8s)', () => {
    const o = meshWith({ spec: { a: 1 } });
    ApiObject.of(o).addJsonPatch(JsonPatch.add('/spec/b', 2), JsonPatch.remove('/metadata/namespace'));
    expect(o.toJson()).toEqual({
      apiVersion: 'example.io/v1',
      kind: 'Thing',
      metadata: { name: 'thing', labels: { team: 'a' } },
      spec: { a: 1, b: 2 },
    });
    expectSameAsCdk8s(o);
  });

  test('Lazy values, nulls, empty values, key order and integer-like keys as cdk8s renders them', () => {
    const produced: string[] = [];
    const lazy = (name: string, value: unknown) =>
      Lazy.any({
        produce: () => {
          produced.push(name);
          return value;
        },
      });
    const o = meshWith({
      zeta: lazy('zeta', { b: lazy('inner', [1, null, undefined, { y: 1, x: null }]), a: {} }),
      spec: { b: [], B: 'upper', a: null, '10': 'ten', '9': 'nine', é: 1, list: [{}, [], null] },
      empty: {},
      nothing: undefined,
      metadata: { name: 'thing', annotations: {}, labels: { z: '1', a: '2' }, finalizers: [] },
      alpha: lazy('alpha', 'A'),
    });
    expectSameAsCdk8s(o);
    // produced in cdk8s's order (property order, depth first), once per rendering
    expect(produced).toEqual(['zeta', 'inner', 'alpha', 'zeta', 'inner', 'alpha']);
    expect(Object.keys(o.toJson())).toEqual(['apiVersion', 'kind', 'metadata', 'alpha', 'empty', 'spec', 'zeta']);
  });

  test('values that are not plain data are left to cdk8s: resolvers, implicit tokens, non-plain objects', () => {
    class Quantity {
      constructor(public readonly value: string) {}
    }
    const token = { resolve: () => 'resolved' };
    const o = meshWith({ spec: { q: new Quantity('1Gi'), t: token } });
    expectSameAsCdk8s(o);
    expect(o.toJson().spec).toEqual({ q: { value: '1Gi' }, t: 'resolved' });

    class Opaque {
      public readonly x = 1;
    }
    const bad = meshWith({ spec: { o: new Opaque() } });
    expect(() => bad.toJson()).toThrow("can't render non-simple object of type 'Opaque'");
    expect(() => bad.toJson()).toThrow(/^Failed serializing construct at path 'mesh\/Obj' with name 'thing'/);
  });

  test('an error of a Lazy producer has cdk8s wording', () => {
    const o = meshWith({
      spec: Lazy.any({
        produce: () => {
          throw new Error('no rules');
        },
      }),
    });
    const message = "Failed serializing construct at path 'mesh/Obj' with name 'thing': Error: no rules";
    expect(() => o.toJson()).toThrow(message);
    expect(() => o._cdk8sToJson()).toThrow(message);
  });

  test('an app with its own resolvers renders through them (cdk8s), as does CDK8S_DISABLE_SORT', () => {
    const upper: IResolver = {
      resolve: (context: ResolutionContext) => {
        if (context.value === 'lower') context.replaceValue('UPPER');
      },
    };
    const o = meshWith({ spec: { b: 'lower', a: 1 } }, new App({ resolvers: [upper] }));
    expect(o.toJson().spec).toEqual({ a: 1, b: 'UPPER' });
    expectSameAsCdk8s(o);

    const unsorted = meshWith({ spec: { b: 1, a: 2 } });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      expect(Object.keys(unsorted.toJson().spec)).toEqual(['b', 'a']);
      expectSameAsCdk8s(unsorted);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });
});

/** `mesh.toJson()` is cdk8s's `Chart.toJson()`, order included; returns whether cdk8s's own synthesis ran. */
function expectChartAsCdk8s(mesh: ServiceMesh): boolean {
  const synth = jest.spyOn(App as unknown as { _synthChart: (c: Chart) => unknown[] }, '_synthChart');
  try {
    const fast = mesh.toJson();
    const usedCdk8s = synth.mock.calls.length > 0;
    const slow = Chart.prototype.toJson.call(mesh);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
    expect(fast).toStrictEqual(slow);
    return usedCdk8s;
  } finally {
    synth.mockRestore();
  }
}

describe('ServiceMesh.toJson', () => {
  test('every example mesh gives the objects cdk8s gives, in its order, without its synthesis', () => {
    for (const [name, mesh] of meshes()) {
      expect({ name, usedCdk8s: expectChartAsCdk8s(mesh) }).toEqual({ name, usedCdk8s: false });
    }
  });

  test('a dependency anywhere in the app: cdk8s orders the objects', () => {
    const app = new App();
    const mesh = new ServiceMesh(app, 'mesh');
    const first = new ApiObject(mesh, 'First', { apiVersion: 'v1', kind: 'ConfigMap' });
    const second = new ApiObject(mesh, 'Second', { apiVersion: 'v1', kind: 'ConfigMap' });
    first.addDependency(second);
    expect(expectChartAsCdk8s(mesh)).toBe(true);
    expect(mesh.toJson().map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      second.name,
      first.name,
    ]);
  });

  test('charts inside the mesh: their objects are theirs, as in cdk8s', () => {
    const mesh = new ServiceMesh(new App(), 'mesh');
    new ApiObject(mesh, 'Own', { apiVersion: 'v1', kind: 'ConfigMap' });
    // below a plain construct: no chart dependency, the walk skips the chart's objects
    new ApiObject(new Chart(new Construct(mesh, 'Group'), 'Inner'), 'Theirs', { apiVersion: 'v1', kind: 'ConfigMap' });
    new ApiObject(mesh, 'Last', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(expectChartAsCdk8s(mesh)).toBe(false);
    expect(mesh.toJson()).toHaveLength(2);
    // a direct child chart: cdk8s adds a chart dependency, so cdk8s renders
    new ApiObject(new Chart(mesh, 'Child'), 'Child', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(expectChartAsCdk8s(mesh)).toBe(true);
  });

  test('validation errors of any construct of the app have cdk8s wording', () => {
    const app = new App();
    const mesh = new ServiceMesh(app, 'mesh');
    new ApiObject(mesh, 'Obj', { apiVersion: 'v1', kind: 'ConfigMap' });
    new Chart(app, 'other').node.addValidation({ validate: () => ['broken', 'also broken'] });
    const message = 'Validation failed with the following errors:\n  [other] broken\n  [other] also broken';
    expect(() => mesh.toJson()).toThrow(message);
    expect(() => Chart.prototype.toJson.call(mesh)).toThrow(message);
  });
});

describe('plain cdk8s ApiObjects in a mesh', () => {
  test('are rendered without cdk8s when nothing can differ, and by cdk8s (or their own class) otherwise', () => {
    const mesh = new ServiceMesh(new App(), 'mesh', { namespace: 'shop', labels: { team: 'a' } });
    const plain = new ApiObject(mesh, 'Svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', annotations: { b: '1', a: '2' } },
      spec: {
        selector: { app: 'api' },
        ports: [{ port: 80, targetPort: 8080 }],
        lazy: Lazy.any({ produce: () => 'x' }),
      },
    });
    plain.metadata.addLabel('added', 'later');
    const patched = new ApiObject(mesh, 'Patched', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } });
    patched.addJsonPatch(JsonPatch.add('/data/b', '2'));
    class Own extends ApiObject {
      public toJson(): any {
        return { ...super.toJson(), own: true };
      }
    }
    new Own(mesh, 'Own', { apiVersion: 'v1', kind: 'ConfigMap' });
    // an implicit token (an object with resolve()): cdk8s's resolvers handle it
    new ApiObject(mesh, 'NotPlain', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { token: { resolve: () => 'resolved' } },
    });

    const cdk8sToJson = jest.spyOn(ApiObject.prototype, 'toJson');
    let objects: any[];
    try {
      objects = mesh.toJson();
      // the patched object, Own's super call and the non-plain object: cdk8s; the Service: not
      expect(cdk8sToJson.mock.contexts.map((c) => (c as ApiObject).node.id).sort()).toEqual([
        'NotPlain',
        'Own',
        'Patched',
      ]);
    } finally {
      cdk8sToJson.mockRestore();
    }
    expect(objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'api',
        namespace: 'shop',
        annotations: { a: '2', b: '1' },
        labels: { added: 'later', team: 'a' },
      },
      spec: { lazy: 'x', ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'api' } },
    });
    expect(objects[1].data).toEqual({ a: '1', b: '2' });
    expect(objects[2].own).toBe(true);
    expect(objects[3].data).toEqual({ token: 'resolved' });
    expect(expectChartAsCdk8s(mesh)).toBe(false);
  });
});
