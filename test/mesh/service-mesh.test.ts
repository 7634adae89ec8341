import { execFileSync } from 'child_process';
import * as path from 'path';
import { App, ApiObject, Testing } from 'cdk8s';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  Gateway,
  HttpRoute,
  Listener,
  ParentRef,
  ServiceMesh,
} from '../../lib';
import { CiliumClusterwideNetworkPolicy, CiliumNetworkPolicy } from '../../lib/imports/cilium.io';
import { CILIUM_CLUSTERWIDE_NETWORK_POLICY_GVK } from '../../lib/mesh/policy/clusterwide';
import { CILIUM_NETWORK_POLICY_GVK } from '../../lib/mesh/policy/network-policy';

describe('ServiceMesh', () => {
  test('defaults to a Cilium 1.20 aws-cni chaining profile', () => {
    const mesh = new ServiceMesh(Testing.app(), 'mesh');
    expect(mesh.cilium).toEqual(chainingProfile());
    expect(mesh.cilium.version).toBe(CiliumVersion.V1_20);
  });

  test('a capability warning is given once per mesh, not once per object', () => {
    const app = new App();
    const profile = chainingProfile({ kubeProxyReplacement: true, gatewayApi: true });
    const meshes = ['one', 'two'].map((id) => new ServiceMesh(app, id, { namespace: id, cilium: profile }));
    for (const mesh of meshes) {
      const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
      for (let i = 0; i < 20; i++) {
        new HttpRoute(mesh, `R${i}`, {
          parentRefs: [ParentRef.gateway(gw)],
          rules: [{ backendRefs: [{ backend: Backend.fromName(mesh.node.id, `s${i}`, 80) }] }],
        });
      }
    }
    for (const mesh of meshes) {
      expect(mesh.warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${mesh.node.id}/Gw: gatewayApi on aws-cni-chaining .* is untested.*\\[ack: cdk-cilium-mesh:gatewayApi\\]$`,
          ),
        ),
      ]);
    }
  });

  test('of() finds the mesh from a nested construct and fails outside one', () => {
    const app = new App();
    const mesh = new ServiceMesh(app, 'mesh');
    const inner = new Construct(new Construct(mesh, 'a'), 'b');
    expect(ServiceMesh.ofScope(inner)).toBe(mesh);
    const stray = new Construct(app, 'stray');
    expect(() => ServiceMesh.ofScope(stray)).toThrow(/must be created inside a ServiceMesh.*\[at stray\]/);
  });

  test('warnings are collected with paths, sorted', () => {
    const mesh = new ServiceMesh(Testing.app(), 'mesh');
    const b = new ApiObject(mesh, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    const a = new ApiObject(mesh, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    Annotations.of(b).addWarningV2('x:b', 'second');
    Annotations.of(a).addWarningV2('x:a', 'first');
    expect(mesh.warnings).toEqual(['mesh/a: first [ack: x:a]', 'mesh/b: second [ack: x:b]']);
  });
});

describe('loading the library', () => {
  test('loads neither the generated bindings nor cdk8s-plus (policies, routes and Ingress load them when used)', () => {
    // A fresh process: jest's module registry does not show what a plain require loads.
    const loaded = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          '-e',
          "require('./lib'); console.log(JSON.stringify(Object.keys(require.cache)))",
        ],
        { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
      ),
    ) as string[];
    expect(loaded.filter((f) => f.includes(`${path.sep}lib${path.sep}mesh${path.sep}`)).length).toBeGreaterThan(10);
    expect(
      loaded.filter((f) =>
        /lib[\\/]imports[\\/](cilium\.io|gateway\.networking)|node_modules[\\/]cdk8s-plus-34[\\/]/.test(f),
      ),
    ).toEqual([]);
  });

  test("the written-out policy kinds are the generated bindings' GVKs", () => {
    expect(CILIUM_NETWORK_POLICY_GVK).toEqual(CiliumNetworkPolicy.GVK);
    expect(CILIUM_CLUSTERWIDE_NETWORK_POLICY_GVK).toEqual(CiliumClusterwideNetworkPolicy.GVK);
  });
});
