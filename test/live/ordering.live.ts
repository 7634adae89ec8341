/**
 * Ordering on a live API server: the Gateway API CRDs exist before the Cilium release is installed, mesh objects
 * are applied after it, and the handler's wait for "no matches for kind" ends when the Cilium CRDs appear (here
 * registered late, seconds after the delivery started, as Cilium's operator does once its pod runs).
 */
import * as fs from 'fs';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  Backend,
  Entity,
  Gateway,
  HttpRoute,
  KubeProxyMode,
  Listener,
  MeshCluster,
  Peer,
  Port,
  ParentRef,
  ServiceMesh,
  Workload,
} from '../../lib';
import { deployTemplate, startServer, tally } from './cluster';

const LATE_SECONDS = 4;

function synthOrderingStack(): { dir: string; template: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-ordering-'));
  const app = new App({ outdir: dir });
  const stack = new Stack(app, 'Ordering');
  const cluster = new MeshCluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubeProxyMode: KubeProxyMode.REPLACE,
  });
  const cilium = cluster.addCilium({ gatewayApi: true });
  const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { namespace: 'shop', cilium: cilium.profile });
  // The namespace is declared in the mesh, so that this test does not depend on how delivery creates namespaces.
  new cdk8s.ApiObject(mesh, 'Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', namespace: undefined },
  });
  const web = new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' }, ports: [Port.tcp(8080)] });
  web.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
  const gateway = new Gateway(mesh, 'Public', { listeners: [Listener.http()] });
  new HttpRoute(mesh, 'WebRoute', {
    parentRefs: [ParentRef.gateway(gateway)],
    rules: [{ backendRefs: [{ backend: Backend.fromName('shop', 'web', 8080) }] }],
  });
  cilium.addMesh(mesh);
  app.synth();
  return { dir, template: path.join(dir, 'Ordering.template.json') };
}

test('Gateway API CRDs before the Cilium release, mesh objects after it, CRDs registered late are waited for', () => {
  const { dir, template } = synthOrderingStack();
  const server = startServer('ordering');
  let report;
  try {
    report = deployTemplate(server, dir, template, { lateCiliumCrds: LATE_SECONDS, waitSeconds: 120 });
  } finally {
    server.stop();
  }
  const failures = [report.error, ...report.resources.flatMap((r) => r.problems)].filter((x) => x);
  tally({ objects: report.objects, chartInstalls: report.chartInstalls, failed: failures.length > 0 ? 1 : 0 });
  expect(failures).toEqual([]);

  const [crds, release, mesh] = report.order;
  expect(report.order).toHaveLength(3);
  expect(report.resources.map((r) => r.type)).toEqual([
    'Custom::CiliumMeshObjects',
    'Custom::AWSCDK-EKS-HelmChart',
    'Custom::CiliumMeshObjects',
  ]);
  const seen = report.seen!;
  // Before the Gateway API CRDs: neither they nor the release exist.
  expect(seen[crds]).toEqual({ crdGroups: [], releases: [] });
  // Before the Cilium release: the Gateway API CRDs exist (Cilium's Gateway controller checks them at start).
  expect(seen[release]).toEqual({ crdGroups: ['gateway.networking.k8s.io'], releases: [] });
  // Before the mesh: the release is deployed, and the Cilium CRDs are not registered yet (they come late here).
  expect(seen[mesh]).toEqual({ crdGroups: ['gateway.networking.k8s.io'], releases: ['kube-system/cilium:deployed'] });
  const delivery = report.resources[2] as { seconds?: number; objects?: number };
  expect(report.lateCrdFiles).toBeGreaterThan(0);
  expect(delivery.seconds).toBeGreaterThanOrEqual(LATE_SECONDS);
  expect(delivery.objects).toBeGreaterThanOrEqual(4);
});
