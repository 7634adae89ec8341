import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { ApiObject } from 'cdk8s';
import {
  chainingProfile,
  CiliumVersion,
  DefaultDeny,
  Entity,
  MeshDelivery,
  MeshReviewFiles,
  Peer,
  Port,
  REVIEW_FILES_CONTEXT,
  ServiceMesh,
  Workload,
} from '../../../lib';
import { renderReviewManifest, sortForReview } from '../../../lib/delivery/review-manifest';
import { describeCiliumProfile } from '../../../lib/mesh/review/mesh-review';
import * as YAML from 'yaml';
import { ResilienceStack } from '../../../examples/resilience';
import { ZeroTrustStack } from '../../../examples/zero-trust';
import { trickyMesh } from './fixtures';
import { importedClusterStack, TEST_ENV } from '../../util/clusters';

describe('review manifest (pure)', () => {
  test('the YAML reads back as the objects, with YAML 1.2 and with YAML 1.1 (as kubectl reads it)', () => {
    const tricky = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'a' },
      data: {
        yes: 'no',
        on: 'off',
        n: 'y',
        empty: '',
        num: '0x10',
        date: '2001-12-14',
        float: '1.0',
        colon: 'a: b',
        hash: 'a #b',
        regex: '(^|.*;\\s*)beta=1(;.*|$)',
        path: '/api/v1',
        star: '*.example.com',
        quote: 'say "hi"',
        nl: 'a\nb',
        uni: 'ü',
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        nested: [[1, 2], [], {}, [{ a: 1 }]],
        // sequences in sequences, and mappings whose first member is a sequence, at several depths
        deep: [[[1, [2]]], [{ b: [[{ c: 1, d: [] }]] }], [null, {}], { e: [{ f: [[]] }] }],
        nil: null,
        t: true,
        z: 0,
      },
    };
    const objects = [...trickyMesh().toJson(), new ResilienceStack(new App(), 'R').mesh.toJson(), tricky].flat();
    const text = renderReviewManifest(objects, { stack: 's', mesh: 'm' });
    for (const version of ['1.1', '1.2'] as const) {
      const docs = YAML.parseAllDocuments(text, { version }).map((d) => d.toJS());
      expect(docs).toHaveLength(objects.length);
      expect([...docs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))).toEqual(
        [...objects]
          .map((o) => JSON.parse(JSON.stringify(o)))
          .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
      );
    }
  });

  const a = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { namespace: 'shop', name: 'b' },
    spec: { z: 1, a: [2, 1] },
  };
  const b = {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { ports: [{ port: 80 }] },
  };
  const c = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { namespace: 'shop', name: 'a' },
    spec: {},
  };
  const header = {
    stack: 'App/Shop (Shop)',
    mesh: 'shop',
    lines: [{ key: 'cilium', value: describeCiliumProfile(chainingProfile({ version: CiliumVersion.V1_18 })) }],
  };

  test('objects sorted by group, kind, namespace, name; keys sorted; arrays kept; a header', () => {
    expect(renderReviewManifest([a, b, c], header)).toMatchSnapshot();
  });

  test('the same objects in any order give the same bytes', () => {
    expect(renderReviewManifest([c, a, b], header)).toEqual(renderReviewManifest([b, c, a], header));
  });

  test('sortForReview: by group, kind, namespace and name, then by content; keys sorted; the same for any order', () => {
    const twin = { ...a, spec: { endpointSelector: {} } };
    const sorted = sortForReview([twin, c, b, a]);
    // core group first; the two objects named shop/b by content ("a" before "endpointSelector")
    expect(sorted.map((o) => JSON.stringify(o))).toEqual([
      '{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"shop"},"spec":{"ports":[{"port":80}]}}',
      '{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"a","namespace":"shop"},"spec":{}}',
      '{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"b","namespace":"shop"},"spec":{"a":[2,1],"z":1}}',
      '{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"b","namespace":"shop"},"spec":{"endpointSelector":{}}}',
    ]);
    expect(sortForReview([a, b, twin, c])).toEqual(sorted);
    expect(sortForReview(sorted)).toEqual(sorted);
  });

  test('the header ends with the lines the chart adds, aligned; a plain chart adds none', () => {
    expect(renderReviewManifest([], { stack: 's', mesh: 'm', lines: [{ key: 'team', value: 'payments' }] })).toMatch(
      /# mesh: {3}m \(0 objects\)\n# team: {3}payments\n$/,
    );
    expect(renderReviewManifest([], { stack: 's', mesh: 'm' })).toMatch(/# mesh: {3}m \(0 objects\)\n$/);
  });

  test('a manifest of many objects (joined in chunks) is the header and each object written alone, in order', () => {
    const headerOf = (n: number) =>
      renderReviewManifest([], { stack: 's', mesh: 'm' }).replace('(0 objects)', `(${n} objects)`);
    const alone = (o: unknown) => {
      const one = renderReviewManifest([o], { stack: 's', mesh: 'm' });
      return one.slice(one.indexOf('\n---\n') + 1);
    };
    for (const n of [255, 256, 257, 513, 1000]) {
      const objects = Array.from({ length: n }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${String(i).padStart(4, '0')}`, namespace: 'shop' },
        data: { i: String(i) },
      }));
      const text = renderReviewManifest([...objects].reverse(), { stack: 's', mesh: 'm' });
      expect(text).toEqual(headerOf(n) + objects.map(alone).join(''));
      expect(text.match(/^---$/gm)).toHaveLength(n);
    }
  });
});

describe('MeshReviewFiles', () => {
  test('cdk synth writes the YAML and the diagram of each delivered mesh next to the template', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    const app = new App({ outdir });
    new ZeroTrustStack(app, 'ZeroTrust');
    app.synth();
    const files = fs
      .readdirSync(outdir)
      .filter((f) => f.includes('.mesh.'))
      .sort();
    expect(files).toEqual(['ZeroTrust.shop.mesh.md', 'ZeroTrust.shop.mesh.yaml']);
    expect(fs.existsSync(path.join(outdir, 'ZeroTrust.template.json'))).toBe(true);
    const yaml = fs.readFileSync(path.join(outdir, 'ZeroTrust.shop.mesh.yaml'), 'utf8');
    expect(yaml.split('\n').slice(0, 4)).toEqual([
      '# Generated by cdk-cilium-mesh at synth for review; not applied from here. Do not edit.',
      '# stack:  ZeroTrust',
      '# mesh:   shop (5 objects)',
      '# cilium: Cilium 1.20.2 (line 1.20; aws-cni-chaining, kubeProxyReplacement=false, l7Proxy=true, gatewayApi=false, ' +
        'ingressController=false, envoyConfig=false, l7LoadBalancing=false, mutualAuthentication=false)',
    ]);
    expect(fs.readFileSync(path.join(outdir, 'ZeroTrust.shop.mesh.md'), 'utf8')).toMatch(
      /^# Mesh shop\n[\s\S]*```mermaid\nflowchart LR\n/,
    );
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('objects added after the delivery was created are in the files; two charts with one id in one stack are refused', () => {
    const { app, stack, cluster } = importedClusterStack();
    const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: chainingProfile() });
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    const w = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' }, ports: [Port.tcp(80)] });
    new DefaultDeny(mesh, 'ApiDeny', { workload: w });
    expect(MeshReviewFiles.filesOf(stack).map((f) => f.fileName)).toEqual([
      'Stack.shop.mesh.md',
      'Stack.shop.mesh.yaml',
    ]);
    expect(MeshReviewFiles.filesOf(stack)[1].content).toMatch(/# mesh: {3}shop \(1 object\)/);

    const other = new cdk8s.Chart(new cdk8s.App(), 'shop');
    new ApiObject(other, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } });
    new MeshDelivery(stack, 'Other', { cluster, charts: [other] });
    expect(() => app.synth()).toThrow(
      /two deliveries in this stack write different meshes to Stack.shop.mesh.yaml; give the charts distinct ids/,
    );
  });

  test('a plain chart gets the YAML only, without a Cilium line; each chart is read once for delivery and review', () => {
    const { app, stack, cluster } = importedClusterStack();
    const plain = new cdk8s.Chart(new cdk8s.App(), 'plain');
    new ApiObject(plain, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: chainingProfile() });
    new DefaultDeny(mesh, 'Deny', { namespace: 'shop' });
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [plain, mesh], existingNamespaces: ['default'] });
    const reads = [jest.spyOn(plain, 'toJson'), jest.spyOn(mesh, 'toJson')];
    app.synth();
    const files = MeshReviewFiles.filesOf(stack);
    expect(files.map((f) => f.fileName)).toEqual([
      'Stack.plain.mesh.yaml',
      'Stack.shop.mesh.md',
      'Stack.shop.mesh.yaml',
    ]);
    expect(files[0].content.split('\n').slice(2, 4)).toEqual(['# mesh:   plain (1 object)', '---']);
    expect(files[2].content.split('\n')[3]).toMatch(/^# cilium: Cilium 1\.20\.\d+ \(line 1\.20; aws-cni-chaining, /);
    expect(reads.map((r) => r.mock.calls.length)).toEqual([1, 1]);
  });

  test('a second synth into the same directory replaces the files (cdk.out is reused)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    for (const port of [80, 81]) {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Stack', { env: TEST_ENV });
      const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
        clusterName: 'prod',
        clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        clusterCertificateAuthorityData: 'Q0E=',
      });
      const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: chainingProfile() });
      new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } }).allowFrom(Peer.entity(Entity.WORLD), {
        ports: [Port.tcp(port)],
      });
      new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
      app.synth();
      expect(fs.readFileSync(path.join(outdir, 'Stack.shop.mesh.yaml'), 'utf8')).toMatch(new RegExp(`port: "${port}"`));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('-c cdk-cilium-mesh:reviewFiles=false turns the files off', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
    const app = new App({ outdir, context: { [REVIEW_FILES_CONTEXT]: 'false' } });
    const stack = new Stack(app, 'Stack', { env: TEST_ENV });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'prod',
      clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      clusterCertificateAuthorityData: 'Q0E=',
    });
    const mesh = new ServiceMesh(new cdk8s.App(), 'shop', { cilium: chainingProfile() });
    new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } }).allowFrom(Peer.entity(Entity.WORLD), {
      ports: [Port.tcp(80)],
    });
    new MeshDelivery(stack, 'Delivery', { cluster, charts: [mesh] });
    app.synth();
    expect(fs.readdirSync(outdir).filter((f) => f.includes('.mesh.'))).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
