import { CiliumVersion } from '../../../lib/cilium/version';
import { Testing } from 'cdk8s';
import {
  Datapath,
  DefaultDeny,
  DnsRule,
  Entity,
  HttpRule,
  Peer,
  Port,
  ServiceMesh,
  Workload,
  chainingProfile,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { newMesh, specOf, synthSorted } from './util';

/** The issue's `zero-trust` example, exactly. */
function zeroTrust(version = CiliumVersion.V1_20) {
  const mesh = newMesh({ version });
  const frontend = new Workload(mesh, 'Frontend', { namespace: 'shop', labels: { app: 'frontend' } });
  const backend = new Workload(mesh, 'Backend', {
    namespace: 'shop',
    labels: { app: 'backend' },
    ports: [Port.tcp(8080)],
  });
  const database = new Workload(mesh, 'Database', {
    namespace: 'shop',
    labels: { app: 'database' },
    ports: [Port.tcp(5432)],
  });
  const operator = Workload.fromServiceAccount(mesh, 'Operator', { namespace: 'shop', name: 'shop-operator' });

  new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
  backend.allowFrom(frontend, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
  backend.allowTo(database, { ports: [Port.tcp(5432)] });
  backend.allowTo(Peer.fqdn('api.payments.example.com'), { ports: [Port.tcp(443)] });
  operator.allowTo(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(443)] });
  return mesh;
}

describe('zero-trust example', () => {
  test('renders default deny, L7 frontend→backend, backend→database, one FQDN and kube-apiserver for one ServiceAccount', () => {
    const mesh = zeroTrust();
    const objects = synthSorted(mesh);
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'CiliumNetworkPolicy shop/backend-policy',
      'CiliumNetworkPolicy shop/database-policy',
      'CiliumNetworkPolicy shop/frontend-policy',
      'CiliumNetworkPolicy shop/operator-policy',
      'CiliumNetworkPolicy shop/shop',
    ]);
    expect(objects).toMatchSnapshot();
    recordManifests('policy-zero-trust', objects, 'cilium-1.20');
  });

  test('mirrors the rules onto the enforced peers: frontend egress to backend, database ingress from backend', () => {
    const objects = synthSorted(zeroTrust());
    expect(specOf(objects, 'frontend-policy').egress).toEqual([
      {
        toEndpoints: [{ matchLabels: { app: 'backend', 'io.kubernetes.pod.namespace': 'shop' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
      },
    ]);
    expect(specOf(objects, 'database-policy').ingress).toEqual([
      {
        fromEndpoints: [{ matchLabels: { app: 'backend', 'io.kubernetes.pod.namespace': 'shop' } }],
        toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
      },
    ]);
  });

  test('warns that L7 and FQDN rules are unsupported in aws-cni chaining, citing upstream', () => {
    const warnings = zeroTrust().warnings.join('\n');
    expect(warnings).toMatch(
      /Mesh\/Backend\/Policy: .*l7Policy on aws-cni-chaining .* is unsupported.*cilium\/cilium#42578.*ipam\.mode=eni/,
    );
    expect(warnings).toMatch(/Mesh\/Backend\/Policy: .*fqdnPolicy on aws-cni-chaining .*cilium\/cilium#47269/);
  });

  test('the same scenario is valid for Cilium 1.16', () => {
    const objects = synthSorted(zeroTrust(CiliumVersion.V1_16));
    expect(objects).toEqual(synthSorted(zeroTrust()));
    recordManifests('policy-zero-trust', objects, 'cilium-1.16');
  });
});

describe('capability checks', () => {
  test('no capability warnings on the ENI datapath', () => {
    const mesh = new ServiceMesh(Testing.app(), 'Mesh', { cilium: { ...chainingProfile(), datapath: Datapath.ENI } });
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    api.allowFrom(new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } }), {
      ports: [Port.tcp(80)],
      http: [HttpRule.get('/')],
    });
    api.allowTo(Peer.fqdn('example.com'));
    expect(mesh.warnings).toEqual([]);
  });

  test('DNS rules alone warn about FQDN policy (DNS proxy) on chaining, once per policy', () => {
    const mesh = newMesh();
    const dns = Workload.fromName(mesh, 'Dns', { namespace: 'kube-system', name: 'kube-dns', nameLabel: 'k8s-app' });
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    api.allowTo(dns, { ports: [Port.udp(53)], dns: [DnsRule.matchPattern('*')] });
    api.allowTo(Peer.fqdn('example.com'));
    expect(mesh.warnings).toHaveLength(1);
    expect(mesh.warnings[0]).toMatch(
      /^Mesh\/Api\/Policy: fqdnPolicy on aws-cni-chaining \(Cilium 1.20\) is unsupported.*cilium\/cilium#47269/,
    );
  });
});
