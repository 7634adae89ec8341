import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Entity, NetworkPolicy, Peer, Port, Workload } from '../../../lib';
import { recordManifests } from '../../util/record';
import { newMesh, specOf, synthSorted } from '../policy/util';

const web = (mesh: any) => new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } });

describe('workloads', () => {
  test('from a cdk8s-plus Service and Deployment: selector, namespace and ports', () => {
    const mesh = newMesh();
    const chart = new Chart(Testing.app(), 'Apps');
    const deployment = new kplus.Deployment(chart, 'Backend', {
      metadata: { namespace: 'shop' },
      containers: [{ image: 'backend', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    });
    const service = deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const fromDeployment = Workload.fromDeployment(mesh, 'BackendPods', deployment);
    const fromService = Workload.fromService(mesh, 'BackendService', service, { namespace: 'shop' });
    expect(fromService.labels).toEqual(fromDeployment.labels);
    expect(fromService.ports.map(String)).toEqual(['TCP/8080']);
    expect(fromDeployment.namespace).toBe('shop');
    fromService.allowFrom(web(mesh));
    expect(specOf(synthSorted(mesh), 'backendservice-policy').ingress[0].toPorts).toEqual([
      { ports: [{ port: '8080', protocol: 'TCP' }] },
    ]);
    recordManifests('policy-workload-from-kplus', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-workload-from-kplus', synthSorted(mesh), 'cilium-1.16');
  });

  test('by ServiceAccount, by name and all pods of a namespace', () => {
    const mesh = newMesh();
    const sa = Workload.fromServiceAccount(mesh, 'Sa', { namespace: 'ops', name: 'deployer' });
    const named = Workload.fromName(mesh, 'Named', { namespace: 'ops', name: 'billing' });
    const all = Workload.allInNamespace(mesh, 'AllShop', 'shop');
    all.allowFrom(sa);
    all.allowFrom(named);
    const spec = specOf(synthSorted(mesh), 'allshop-policy');
    expect(spec.endpointSelector).toEqual({});
    expect(spec.ingress).toEqual([
      {
        fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'billing', 'io.kubernetes.pod.namespace': 'ops' } }],
      },
      {
        fromEndpoints: [
          { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'deployer', 'io.kubernetes.pod.namespace': 'ops' } },
        ],
      },
    ]);
    recordManifests('policy-workloads', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-workloads', synthSorted(mesh), 'cilium-1.16');
  });

  test('an explicit NetworkPolicy is a separate object for the same workload', () => {
    const mesh = newMesh();
    const w = web(mesh);
    const extra = new NetworkPolicy(mesh, 'WebFromMonitoring', { workload: w, description: 'scraping' });
    extra.allowFrom(Peer.entity(Entity.HOST), { ports: [Port.tcp(9090)] });
    const spec = specOf(synthSorted(mesh), 'webfrommonitoring');
    expect(spec.description).toBe('scraping');
    expect(spec.endpointSelector).toEqual({ matchLabels: { app: 'web' } });
  });
});

describe('workload rules', () => {
  test('rules towards a workload without ports use its known ports; without known ports they are L3 only', () => {
    const mesh = newMesh();
    const withPorts = new Workload(mesh, 'Api', {
      namespace: 'shop',
      labels: { app: 'api' },
      ports: [Port.tcp(8443), Port.tcp(8080)],
    });
    const w = web(mesh);
    w.allowTo(withPorts);
    withPorts.allowFrom(Peer.entity(Entity.HOST));
    const objects = synthSorted(mesh);
    expect(specOf(objects, 'web-policy').egress[0].toPorts[0].ports).toEqual([
      { port: '8080', protocol: 'TCP' },
      { port: '8443', protocol: 'TCP' },
    ]);
    expect(specOf(objects, 'api-policy').ingress[0].toPorts[0].ports).toHaveLength(2);
    w.allowFrom(Peer.entity(Entity.HOST));
    expect(specOf(synthSorted(mesh), 'web-policy').ingress).toEqual([{ fromEntities: ['host'] }]);
  });

  test('a workload in another namespace is selected with its namespace label', () => {
    const mesh = newMesh();
    const db = new Workload(mesh, 'Db', { namespace: 'data', labels: { app: 'db' } });
    web(mesh).allowTo(db, { ports: [Port.tcp(5432)] });
    expect(specOf(synthSorted(mesh), 'web-policy').egress[0].toEndpoints).toEqual([
      { matchLabels: { app: 'db', 'io.kubernetes.pod.namespace': 'data' } },
    ]);
  });

  test('toPolicyPeer exposes the selector and ports', () => {
    const mesh = newMesh();
    const p = new Workload(mesh, 'Api', {
      namespace: 'shop',
      labels: { app: 'api' },
      ports: [Port.udp(53)],
    })._toPolicyPeer();
    expect(p.key).toBe('workload:shop/{"app":"api"}');
    expect(p.from).toEqual({ fromEndpoints: [{ matchLabels: { app: 'api', 'io.kubernetes.pod.namespace': 'shop' } }] });
    expect(p.ports?.map(String)).toEqual(['UDP/53']);
  });
});
