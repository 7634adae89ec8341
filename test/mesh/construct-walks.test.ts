import * as cdk from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ApiObject, App } from 'cdk8s';
import { Construct, Node } from 'constructs';
import {
  Backend,
  DefaultDeny,
  Gateway,
  HttpRoute,
  Listener,
  meshDiagram,
  MeshDelivery,
  MeshReviewFiles,
  ParentRef,
  Port,
  ServiceMesh,
  Workload,
} from '../../lib';
import { importedClusterStack } from '../util/clusters';
import { meshFor, service } from './routing/util';

/**
 * A mesh in namespace shop whose route's backend drops Envoy's `ingress` identity (a cross-check finding, so that
 * the check reads the constructs too), with a warning recorded on a construct inside a plain construct `Group`.
 */
function shop() {
  const mesh = meshFor({}, 'shop');
  const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
  new HttpRoute(mesh, 'Route', {
    parentRefs: [ParentRef.gateway(gw)],
    rules: [{ backendRefs: [{ backend: Backend.fromService(service(mesh, 'api', [8080])) }] }],
  });
  new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' }, ports: [Port.tcp(8080)] });
  new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
  const group = new Construct(mesh, 'Group');
  const config = new ApiObject(group, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
  cdk.Annotations.of(config).addWarningV2('x:config', 'look at this');
  return { mesh, group };
}

/** How many times `f` walks the tree through `c` (every walk lists the children of each construct once). */
function walksThrough(c: Construct, f: () => void): number {
  const reads = jest.spyOn(Node.prototype, 'children', 'get');
  try {
    f();
    return reads.mock.contexts.filter((n) => n === c.node).length;
  } finally {
    reads.mockRestore();
  }
}

describe('the constructs of a mesh are walked once per reading', () => {
  test('a delivery walks them once: objects, validation, recorded warnings, cross-checks and the review diagram', () => {
    const { mesh, group } = shop();
    const { app, stack, cluster } = importedClusterStack();
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    expect(walksThrough(group, () => app.synth())).toBe(1);
    // each reader did read the constructs
    const warnings = Annotations.fromStack(stack)
      .findWarning('/Stack/Delivery', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mesh\/Route: HTTPRoute shop\/route .*\[ack: cdk-cilium-mesh:envoySourceIdentity\]$/),
        'mesh/Group/Config: look at this [ack: x:config]',
      ]),
    );
    const md = MeshReviewFiles.filesOf(stack).find((f) => f.fileName.endsWith('.md'))!.content;
    expect(md).toContain('Api');
  });

  test('mesh.toJson(), mesh.warnings and meshDiagram(mesh) each walk them once', () => {
    const { mesh, group } = shop();
    expect(walksThrough(group, () => mesh.toJson())).toBe(1);
    let warnings: string[] = [];
    expect(walksThrough(group, () => (warnings = mesh.warnings))).toBe(1);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'mesh/Group/Config: look at this [ack: x:config]',
        expect.stringMatching(/^mesh\/Route: HTTPRoute shop\/route /),
      ]),
    );
    let diagram = '';
    expect(walksThrough(group, () => (diagram = meshDiagram(mesh)))).toBe(1);
    expect(diagram).toContain('Api');
  });

  test('what users read before synth does not freeze the mesh: later constructs are delivered, warned and drawn', () => {
    const { mesh } = shop();
    const { app, stack, cluster } = importedClusterStack();
    const delivery = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const before = { objects: mesh.toJson().length, warnings: mesh.warnings.length, diagram: meshDiagram(mesh) };
    expect(before.diagram).not.toContain('Late');
    const late = new Workload(mesh, 'Late', { namespace: 'shop', labels: { app: 'late' } });
    cdk.Annotations.of(late).addWarningV2('x:late', 'added late');
    new ApiObject(late, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    expect(mesh.toJson()).toHaveLength(before.objects + 1);
    expect(mesh.warnings).toHaveLength(before.warnings + 1);
    app.synth();
    expect(delivery.plan.objectCount).toBe(mesh.toJson().length + 1); // and the Namespace shop
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Delivery', Match.stringLikeRegexp('added late'));
    expect(warnings).toHaveLength(1);
    expect(MeshReviewFiles.filesOf(stack).find((f) => f.fileName.endsWith('.md'))!.content).toContain('Late');
  });

  test("a ServiceMesh subclass's own toJson() is what it delivers and checks", () => {
    class Extended extends ServiceMesh {
      public override toJson(): any[] {
        return [
          ...super.toJson(),
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'x' } },
        ];
      }
    }
    const mesh = new Extended(new App(), 'mesh');
    new ApiObject(mesh, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'x' } });
    const { app, stack, cluster } = importedClusterStack();
    const delivery = new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    app.synth();
    expect(delivery.plan.objectCount).toBe(3); // both ConfigMaps and the Namespace x
    const yaml = MeshReviewFiles.filesOf(stack).find((f) => f.fileName.endsWith('.yaml'))!.content;
    expect(yaml).toContain('name: extra');
  });
});
