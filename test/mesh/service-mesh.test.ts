import { App, ApiObject, Testing } from 'cdk8s';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { chainingProfile, CiliumVersion, ServiceMesh } from '../../lib';

describe('ServiceMesh', () => {
  test('defaults to a Cilium 1.20 aws-cni chaining profile', () => {
    const mesh = new ServiceMesh(Testing.app(), 'mesh');
    expect(mesh.cilium).toEqual(chainingProfile());
    expect(mesh.cilium.version).toBe(CiliumVersion.V1_20);
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
