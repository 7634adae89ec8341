import { Testing } from 'cdk8s';
import {
  ClusterSelector,
  ClusterwidePolicy,
  CiliumVersion,
  DefaultDeny,
  DnsRule,
  Entity,
  HttpRule,
  Peer,
  Port,
  Protocol,
  ServiceMesh,
  Workload,
  renderDefaultDenySpec,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { newMesh, specOf, synthSorted } from './util';

const web = (mesh: any) => new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } });

describe('peers', () => {
  test('entities render fromEntities/toEntities', () => {
    const mesh = newMesh();
    const w = web(mesh);
    w.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
    w.allowTo(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(443)] });
    const spec = specOf(synthSorted(mesh), 'web-policy');
    expect(spec.ingress).toEqual([
      { fromEntities: ['ingress'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
    ]);
    expect(spec.egress).toEqual([
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    recordManifests('policy-entities', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-entities', synthSorted(mesh), 'cilium-1.16');
  });

  test('cluster-mesh entity renders on 1.20', () => {
    const mesh = newMesh();
    web(mesh).allowFrom(Peer.entity(Entity.CLUSTER_MESH));
    expect(specOf(synthSorted(mesh), 'web-policy').ingress).toEqual([{ fromEntities: ['cluster-mesh'] }]);
    recordManifests('policy-entity-cluster-mesh', synthSorted(mesh), 'cilium-1.20');
  });

  test('CIDRs render CIDRSet with sorted except, IPv4 and IPv6', () => {
    const mesh = newMesh();
    const w = web(mesh);
    w.allowTo(Peer.cidr('10.0.0.0/8', { except: ['10.96.0.0/12', '10.1.0.0/16'] }), { ports: [Port.tcp(443)] });
    w.allowFrom(Peer.cidr('2001:db8::/32'));
    const spec = specOf(synthSorted(mesh), 'web-policy');
    expect(spec.egress[0].toCIDRSet).toEqual([{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.96.0.0/12'] }]);
    expect(spec.ingress).toEqual([{ fromCIDRSet: [{ cidr: '2001:db8::/32' }] }]);
    recordManifests('policy-cidr', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-cidr', synthSorted(mesh), 'cilium-1.16');
  });

  test('FQDN peers add the DNS proxy rule to kube-dns once', () => {
    const mesh = newMesh();
    const w = web(mesh);
    w.allowTo(Peer.fqdn('api.example.com'), { ports: [Port.tcp(443)] });
    w.allowTo(Peer.fqdnPattern('*.s3.amazonaws.com'), { ports: [Port.tcp(443)] });
    const egress = specOf(synthSorted(mesh), 'web-policy').egress;
    expect(egress).toHaveLength(3);
    expect(egress).toContainEqual({
      toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
    expect(egress).toContainEqual({
      toFQDNs: [{ matchPattern: '*.s3.amazonaws.com' }],
      toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
    });
    recordManifests('policy-fqdn', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-fqdn', synthSorted(mesh), 'cilium-1.16');
  });

  test('Kubernetes Services render toServices', () => {
    const mesh = newMesh();
    web(mesh).allowTo(Peer.service('legacy-db', 'data'), { ports: [Port.tcp(5432)] });
    expect(specOf(synthSorted(mesh), 'web-policy').egress).toEqual([
      {
        toServices: [{ k8sService: { serviceName: 'legacy-db', namespace: 'data' } }],
        toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
      },
    ]);
    recordManifests('policy-services', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-services', synthSorted(mesh), 'cilium-1.16');
  });
});

describe('ports', () => {
  test('ranges and protocols render endPort and protocol, sorted and de-duplicated', () => {
    const mesh = newMesh();
    web(mesh).allowFrom(Peer.entity(Entity.CLUSTER), {
      ports: [
        Port.udp(53),
        Port.tcpRange(30000, 32767),
        Port.sctp(9000),
        Port.any(7000),
        Port.udpRange(6000, 6000),
        Port.udp(53),
      ],
    });
    expect(specOf(synthSorted(mesh), 'web-policy').ingress[0].toPorts[0].ports).toEqual([
      { port: '7000', protocol: 'ANY' },
      { port: '9000', protocol: 'SCTP' },
      { port: '30000', endPort: 32767, protocol: 'TCP' },
      { port: '53', protocol: 'UDP' },
      { port: '6000', protocol: 'UDP' },
    ]);
    recordManifests('policy-ports', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-ports', synthSorted(mesh), 'cilium-1.16');
  });

  test('Port.range takes any protocol', () => {
    expect(Port.range(Protocol.SCTP, 1, 2)._toKube()).toEqual({ port: '1', endPort: 2, protocol: 'SCTP' });
  });
});

describe('L7 rules', () => {
  test('HTTP rules render method, path, host and sorted headers', () => {
    const mesh = newMesh();
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    web(mesh).allowTo(api, {
      ports: [Port.tcp(8080)],
      http: [
        HttpRule.post('/orders'),
        HttpRule.of({
          method: 'GET',
          path: '/health',
          host: 'api\\.shop',
          headers: { 'X-Tenant': 'a', Accept: 'json' },
        }),
      ],
    });
    expect(specOf(synthSorted(mesh), 'web-policy').egress[0].toPorts[0].rules.http).toEqual([
      { method: 'GET', path: '/health', host: 'api\\.shop', headers: ['Accept: json', 'X-Tenant: a'] },
      { method: 'POST', path: '/orders' },
    ]);
    recordManifests('policy-http', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-http', synthSorted(mesh), 'cilium-1.16');
  });

  test('DNS rules render matchName/matchPattern on the DNS server rule', () => {
    const mesh = newMesh();
    const dns = Workload.fromName(mesh, 'KubeDns', {
      namespace: 'kube-system',
      name: 'kube-dns',
      nameLabel: 'k8s-app',
    });
    web(mesh).allowTo(dns, {
      ports: [Port.any(53)],
      dns: [DnsRule.matchPattern('*.shop.svc.cluster.local'), DnsRule.matchName('example.com')],
    });
    expect(specOf(synthSorted(mesh), 'web-policy').egress[0].toPorts[0].rules.dns).toEqual([
      { matchName: 'example.com' },
      { matchPattern: '*.shop.svc.cluster.local' },
    ]);
    recordManifests('policy-dns', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-dns', synthSorted(mesh), 'cilium-1.16');
  });
});

describe('deny rules and mutual authentication', () => {
  test('deny rules render ingressDeny/egressDeny', () => {
    const mesh = newMesh();
    const w = web(mesh);
    w.denyTo(Peer.cidr('169.254.169.254/32'));
    w.denyFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(22)] });
    const spec = specOf(synthSorted(mesh), 'web-policy');
    expect(spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }]);
    expect(spec.ingressDeny).toEqual([
      { fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] },
    ]);
    recordManifests('policy-deny', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-deny', synthSorted(mesh), 'cilium-1.16');
  });

  test('mutualAuth renders authentication.mode required when the profile has SPIRE', () => {
    const mesh = newMesh({ mutualAuthentication: true });
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    api.allowFrom(web(mesh), { ports: [Port.tcp(8080)], mutualAuth: true });
    expect(specOf(synthSorted(mesh), 'api-policy').ingress[0].authentication).toEqual({ mode: 'required' });
    recordManifests('policy-mutual-auth', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-mutual-auth', synthSorted(mesh), 'cilium-1.16');
  });
});

describe('default deny and gradual adoption', () => {
  test('allow rules alone never enable default deny', () => {
    const mesh = newMesh();
    web(mesh).allowFrom(Peer.entity(Entity.CLUSTER));
    expect(specOf(synthSorted(mesh), 'web-policy').enableDefaultDeny).toEqual({ ingress: false, egress: false });
  });

  test('renderDefaultDenySpec keeps DNS to kube-dns and denies all ingress', () => {
    expect(renderDefaultDenySpec({}, {})).toMatchSnapshot();
    expect(renderDefaultDenySpec({ matchLabels: { app: 'x' } }, { egress: false })).toEqual({
      endpointSelector: { matchLabels: { app: 'x' } },
      enableDefaultDeny: { ingress: true, egress: false },
      ingress: [{}],
    });
  });

  test('per workload default deny selects the workload only', () => {
    const mesh = newMesh();
    new DefaultDeny(mesh, 'WebDeny', { workload: web(mesh), ingress: true, egress: false });
    const spec = specOf(synthSorted(mesh), 'webdeny');
    expect(spec.endpointSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(spec.enableDefaultDeny).toEqual({ ingress: true, egress: false });
    recordManifests('policy-default-deny-workload', synthSorted(mesh), 'cilium-1.20');
    recordManifests('policy-default-deny-workload', synthSorted(mesh), 'cilium-1.16');
  });

  test('peer side is rendered only when enforced, regardless of declaration order', () => {
    const build = (denyFirst: boolean, namespaceEgress: boolean) => {
      const mesh = newMesh();
      if (denyFirst) new DefaultDeny(mesh, 'Shop', { namespace: 'shop', egress: namespaceEgress });
      const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
      api.allowFrom(web(mesh), { ports: [Port.tcp(8080)] });
      if (!denyFirst) new DefaultDeny(mesh, 'Shop', { namespace: 'shop', egress: namespaceEgress });
      return synthSorted(mesh);
    };
    expect(build(true, true).map((o) => o.metadata.name)).toEqual(['api-policy', 'shop', 'web-policy']);
    expect(build(false, true)).toEqual(build(true, true));
    expect(build(false, false).map((o) => o.metadata.name)).toEqual(['api-policy', 'shop']);
  });

  test('a DefaultDeny for Workload.allInNamespace enforces the whole namespace', () => {
    const mesh = newMesh();
    new DefaultDeny(mesh, 'Shop', { workload: Workload.allInNamespace(mesh, 'AllShop', 'shop'), ingress: false });
    new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } }).allowFrom(web(mesh), {
      ports: [Port.tcp(8080)],
    });
    expect(synthSorted(mesh).map((o) => o.metadata.name)).toEqual(['api-policy', 'shop', 'web-policy']);
  });

  test('mirror: true forces and mirror: false suppresses the peer side', () => {
    const mesh = newMesh();
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    const db = new Workload(mesh, 'Db', { namespace: 'data', labels: { app: 'db' } });
    api.allowTo(db, { ports: [Port.tcp(5432)], mirror: true });
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    api.allowFrom(web(mesh), { ports: [Port.tcp(8080)], mirror: false });
    const names = synthSorted(mesh).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    // db-policy exists although 'data' is not enforced; web-policy is absent although 'shop' is.
    expect(names).toEqual(['data/db-policy', 'shop/api-policy', 'shop/shop']);
    expect(specOf(synthSorted(mesh), 'db-policy').ingress[0].fromEndpoints).toEqual([
      { matchLabels: { app: 'api', 'io.kubernetes.pod.namespace': 'shop' } },
    ]);
  });

  test('a rule between a workload and itself is not mirrored back into its own policy', () => {
    const mesh = newMesh();
    const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    api.allowFrom(api, { ports: [Port.tcp(8080)], mirror: true });
    const spec = specOf(synthSorted(mesh), 'api-policy');
    expect(spec.ingress).toHaveLength(1);
    expect(spec.egress).toBeUndefined();
  });
});

describe('cluster-wide baseline', () => {
  test('renders a CiliumClusterwideNetworkPolicy with a namespace selector', () => {
    const mesh = newMesh();
    const baseline = new ClusterwidePolicy(mesh, 'Baseline', {
      selector: ClusterSelector.allNamespacesExcept('kube-system', 'cilium'),
      defaultDeny: { egress: true },
      description: 'platform baseline',
    });
    baseline.denyTo(Peer.cidr('169.254.169.254/32'));
    baseline.allowTo(Peer.entity(Entity.CLUSTER));
    const objects = synthSorted(mesh);
    expect(objects).toMatchSnapshot();
    expect(objects[0].metadata).toEqual({ name: 'baseline' });
    recordManifests('policy-clusterwide', objects, 'cilium-1.20');
    // in a chart with a namespace, cdk8s would copy it onto the cluster-scoped object: it is removed
    const namespaced = new ServiceMesh(Testing.app(), 'Mesh', { namespace: 'platform' });
    new ClusterwidePolicy(namespaced, 'Baseline', { selector: ClusterSelector.allPods() }).allowTo(
      Peer.entity(Entity.CLUSTER),
    );
    expect(Testing.synth(namespaced).map((o: any) => o.metadata)).toEqual([{ name: 'baseline' }]);
    recordManifests('policy-clusterwide', objects, 'cilium-1.16');
  });

  test('selectors: namespaces, pod labels, all pods', () => {
    expect(ClusterSelector.namespaces('b', 'a')._toKube()).toEqual({
      matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b'] }],
    });
    expect(ClusterSelector.podLabels({ tier: 'edge' })._toKube()).toEqual({ matchLabels: { tier: 'edge' } });
    expect(ClusterSelector.allPods()._toKube()).toEqual({});
  });
});

describe('versions', () => {
  test('1.16 profile renders the same policy objects as 1.20 for 1.16 features', () => {
    const build = (version: CiliumVersion) => {
      const mesh = newMesh({ version });
      web(mesh).allowFrom(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(10250)] });
      return synthSorted(mesh);
    };
    expect(build(CiliumVersion.V1_16)).toEqual(build(CiliumVersion.V1_20));
  });
});
