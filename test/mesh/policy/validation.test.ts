import { Testing } from 'cdk8s';
import {
  ClusterSelector,
  ClusterwidePolicy,
  CiliumVersion,
  DefaultDeny,
  DnsRule,
  Entity,
  HttpRule,
  NetworkPolicy,
  Peer,
  Port,
  Workload,
} from '../../../lib';
import { newMesh } from './util';

function setup(options = {}) {
  const mesh = newMesh(options);
  const web = new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } });
  return { mesh, web };
}

describe('ports', () => {
  test('port numbers are 1-65535', () => {
    const { web } = setup();
    expect(() => web.allowFrom(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(0)] })).toThrow(
      /port of TCP\/0 must be an integer from 1 to 65535, got 0; pass a valid port number \[at Mesh\/Web\/Policy\]/,
    );
  });

  test('endPort must be >= port', () => {
    const { web } = setup();
    expect(() => web.allowFrom(Peer.entity(Entity.CLUSTER), { ports: [Port.tcpRange(9000, 8000)] })).toThrow(
      /endPort must be greater than or equal to port, got 9000-8000; use Port.range\(protocol, 8000, 9000\) \[at Mesh\/Web\/Policy\]/,
    );
  });

  test('endPort must be a valid port', () => {
    const { web } = setup();
    expect(() => web.allowFrom(Peer.entity(Entity.CLUSTER), { ports: [Port.udpRange(1, 70000)] })).toThrow(
      /endPort of UDP\/1-70000 must be an integer from 1 to 65535, got 70000/,
    );
  });
});

describe('CIDRs', () => {
  const allow = (cidr: string, except?: string[]) => () => setup().web.allowTo(Peer.cidr(cidr, { except }));
  test('a prefix length is required', () => {
    expect(allow('10.0.0.1')).toThrow(
      /CIDR peer must be a CIDR with a prefix length .* got '10.0.0.1'; for a single address write '10.0.0.1\/32'.*\[at Mesh\/Web\/Policy\]/,
    );
  });
  test('IPv4 octets are checked', () => {
    expect(allow('10.0.0.256/32')).toThrow(/invalid IPv4 address in '10.0.0.256\/32'/);
    expect(allow('010.0.0.0/8')).toThrow(/invalid IPv4 address in '010.0.0.0\/8'/);
  });
  test('IPv6 addresses are checked', () => {
    expect(allow('2001:db8:::1/64')).toThrow(/invalid IPv6 address in '2001:db8:::1\/64'/);
  });
  test('prefix range depends on the family', () => {
    expect(allow('10.0.0.0/33')).toThrow(/prefix length must be 0-32 for IPv4, got '10.0.0.0\/33'/);
    expect(allow('2001:db8::/129')).toThrow(/prefix length must be 0-128 for IPv6/);
  });
  test('host bits must be zero', () => {
    expect(allow('10.1.2.3/8')).toThrow(/'10.1.2.3\/8' has host bits set; use the network address '10.0.0.0\/8'/);
    expect(allow('2001:db8::1/32')).toThrow(/has host bits set; use the network address '2001:db8:0:0:0:0:0:0\/32'/);
  });
  test('except entries must be inside the CIDR', () => {
    expect(allow('10.0.0.0/8', ['192.168.0.0/16'])).toThrow(
      /except entry '192.168.0.0\/16' is not a more specific range inside '10.0.0.0\/8'/,
    );
    expect(allow('10.0.0.0/8', ['10.0.0.0/8'])).toThrow(/is not a more specific range/);
  });
});

describe('FQDNs', () => {
  test('matchName grammar, with a hint for wildcards', () => {
    expect(() => setup().web.allowTo(Peer.fqdn('*.example.com'))).toThrow(
      /FQDN matchName '\*.example.com' is not valid; wildcards need a pattern: use Peer.fqdnPattern\('\*.example.com'\) \[at Mesh\/Web\/Policy\]/,
    );
  });
  test('matchPattern grammar', () => {
    expect(() => setup().web.allowTo(Peer.fqdnPattern('api..example.com'))).toThrow(
      /FQDN matchPattern 'api..example.com' is not valid/,
    );
    expect(() => setup().web.allowTo(Peer.fqdnPattern('a b.com'))).toThrow(/FQDN matchPattern 'a b.com' is not valid/);
  });
  test('repeated stars are refused', () => {
    expect(() => setup().web.allowTo(Peer.fqdnPattern('**.example.com'))).toThrow(/repeats '\*' inside a label/);
  });
  test('DNS rules use the same grammar', () => {
    const { mesh, web } = setup();
    const dns = Workload.fromName(mesh, 'Dns', { namespace: 'kube-system', name: 'kube-dns', nameLabel: 'k8s-app' });
    expect(() => web.allowTo(dns, { ports: [Port.udp(53)], dns: [DnsRule.matchName('bad name')] })).toThrow(
      /FQDN matchName 'bad name' is not valid/,
    );
  });
  test('FQDN peers cannot be ingress sources or denied', () => {
    expect(() => setup().web.allowFrom(Peer.fqdn('example.com'))).toThrow(
      /peer 'fqdn:example.com' can only be an egress destination.*\[at Mesh\/Web\/Policy\]/,
    );
    expect(() => setup().web.denyTo(Peer.fqdn('example.com'))).toThrow(
      /FQDN peers cannot be denied .* deny the addresses with Peer.cidr/,
    );
  });
  test('Service peers are validated', () => {
    expect(() => setup().web.allowTo(Peer.service('Db', 'data'))).toThrow(
      /Service name must be a DNS-1123 label .* got 'Db'/,
    );
  });
});

describe('L7 rules', () => {
  const api = (mesh: any) => new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' } });
  test('L7 rules need ports', () => {
    const { mesh, web } = setup();
    expect(() => web.allowTo(api(mesh), { http: [HttpRule.get('/')] })).toThrow(
      /L7 rules towards 'workload:shop\/.*' need ports; pass ports/,
    );
  });
  test('HTTP rules need TCP ports', () => {
    const { mesh, web } = setup();
    expect(() => web.allowTo(api(mesh), { ports: [Port.udp(80)], http: [HttpRule.get('/')] })).toThrow(
      /HTTP rules towards .* need TCP ports, got UDP\/80/,
    );
  });
  test('HTTP regexes and paths are checked', () => {
    const { mesh, web } = setup();
    const a = api(mesh);
    expect(() => web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.get('/api/(')] })).toThrow(
      /^HTTP rule path '\/api\/\(' is not an RE2 regular expression \(missing closing \)/,
    );
    // RE2, as the agent and Envoy compile it: lookarounds and back-references are refused, (?i) is accepted.
    expect(() => web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.get('/(?=admin)')] })).toThrow(
      /HTTP rule path '\/\(\?=admin\)' is not an RE2 regular expression \(invalid or unsupported Perl syntax/,
    );
    expect(() => web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.get('/(a)\\1')] })).toThrow(
      /is not an RE2 regular expression \(invalid escape sequence: `\\1`\).* \[at Mesh\/Web\/Policy\]$/,
    );
    expect(() =>
      web.allowTo(a, {
        ports: [Port.tcp(80)],
        http: [HttpRule.of({ method: 'GET', host: '(?i)api\\.example\\.com' })],
      }),
    ).not.toThrow();
    expect(() => web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.get('api')] })).toThrow(
      /HTTP rule path 'api' can never match \(paths start with '\/'\); write '\/api'/,
    );
    expect(() => web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.of({})] })).toThrow(
      /must set at least one of method, path, host or headers/,
    );
    expect(() =>
      web.allowTo(a, { ports: [Port.tcp(80)], http: [HttpRule.of({ headers: { 'Bad Header': 'x' } })] }),
    ).toThrow(/HTTP header name 'Bad Header' is not an RFC 9110 token/);
  });
  test('DNS rules are egress only and not mixed with HTTP', () => {
    const { mesh, web } = setup();
    const a = api(mesh);
    expect(() => web.allowFrom(a, { ports: [Port.udp(53)], dns: [DnsRule.matchPattern('*')] })).toThrow(
      /DNS rules apply to egress lookups only/,
    );
    expect(() =>
      web.allowTo(a, { ports: [Port.tcp(53)], dns: [DnsRule.matchPattern('*')], http: [HttpRule.get('/')] }),
    ).toThrow(/cannot carry both HTTP and DNS rules/);
  });
  test('HTTP rules need the L7 proxy', () => {
    const { mesh, web } = setup({ l7Proxy: false });
    expect(() => web.allowTo(api(mesh), { ports: [Port.tcp(80)], http: [HttpRule.get('/')] })).toThrow(
      /HTTP rules need the L7 proxy, which the profile has disabled .* enable l7Proxy on the Cilium install or drop the http rules \[at Mesh\/Web\/Policy\]/,
    );
  });
});

describe('profile checks', () => {
  test('mutual authentication needs SPIRE on the install', () => {
    const { web } = setup();
    expect(() => web.allowFrom(Peer.entity(Entity.CLUSTER), { mutualAuth: true })).toThrow(
      /mutualAuth towards 'entity:cluster' needs Cilium mutual authentication.*enable SPIRE on the Cilium install \(authentication.mutual.spire.enabled=true.*\[at Mesh\/Web\/Policy\]/,
    );
  });
  test('the cluster-mesh entity needs Cilium 1.20', () => {
    const { web } = setup({ version: CiliumVersion.V1_16 });
    expect(() => web.allowFrom(Peer.entity(Entity.CLUSTER_MESH))).toThrow(
      /entity 'cluster-mesh' needs Cilium 1.20 or later \(cilium\/cilium#46813\), but the profile is Cilium 1.16/,
    );
  });
});

describe('policies', () => {
  test('the same peer and port allowed and denied in one policy is an error', () => {
    const { web, mesh } = setup();
    web.allowFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
    web.denyFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
    expect(() => Testing.synth(mesh)).toThrow(
      /ingress from\/to 'entity:world' on TCP\/443 is both allowed and denied in this policy; deny rules win .* remove the allow or the deny \[at Mesh\/Web\/Policy\]/,
    );
  });
  test('a plain allow voids HTTP rules for the same peer and port', () => {
    const { web, mesh } = setup();
    web.allowFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(8080)] });
    web.allowFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    expect(() => Testing.synth(mesh)).toThrow(
      /ingress HTTP rules for 'entity:world' on TCP\/8080 have no effect: a plain allow .* remove the plain allow .*\[at Mesh\/Web\/Policy\]/,
    );
  });
  test('a plain allow on other ports leaves HTTP rules in force', () => {
    const { web, mesh } = setup();
    web.allowFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(9090)] });
    web.allowFrom(Peer.entity(Entity.WORLD), { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    const [policy] = Testing.synth(mesh);
    expect(policy.spec.ingress).toHaveLength(2);
  });
  test('a deny on all ports contradicts any allow of that peer', () => {
    const { web, mesh } = setup();
    web.allowTo(Peer.cidr('10.0.0.0/8'), { ports: [Port.tcp(443)] });
    web.denyTo(Peer.cidr('10.0.0.0/8'));
    expect(() => Testing.synth(mesh)).toThrow(
      /egress from\/to 'cidr:10.0.0.0\/8!' on TCP\/443 is both allowed and denied/,
    );
  });
  test('a policy without rules is an error at synth', () => {
    const { web, mesh } = setup();
    new NetworkPolicy(mesh, 'Empty', { workload: web });
    expect(() => Testing.synth(mesh)).toThrow(
      /the policy has no rules; add rules with allowFrom\/allowTo\/denyFrom\/denyTo or remove the policy \[at Mesh\/Empty\]/,
    );
  });
  test('mirror: true needs a Workload peer', () => {
    expect(() => setup().web.allowTo(Peer.entity(Entity.WORLD), { mirror: true })).toThrow(
      /mirror: true needs a Workload of this mesh as the peer/,
    );
  });
  test('DefaultDeny needs exactly one target and one direction', () => {
    const { mesh, web } = setup();
    expect(() => new DefaultDeny(mesh, 'Both', { namespace: 'shop', workload: web })).toThrow(
      /needs exactly one of namespace and workload.*\[at Mesh\/Both\]/,
    );
    expect(() => new DefaultDeny(mesh, 'None', { namespace: 'shop', ingress: false, egress: false })).toThrow(
      /a default deny must cover ingress, egress or both.*\[at Mesh\/None\]/,
    );
    expect(() => new DefaultDeny(mesh, 'BadNs', { namespace: 'Shop' })).toThrow(
      /namespace must be a DNS-1123 label.*\[at Mesh\/BadNs\]/,
    );
    expect(() => new DefaultDeny(mesh, 'Sys', { namespace: 'kube-system' })).toThrow(
      /namespace-wide DefaultDeny for kube-system cuts the cluster off from DNS.*\[at Mesh\/Sys\]/,
    );
  });
  test('cluster selectors must not be empty by accident', () => {
    const mesh = newMesh();
    expect(() => new ClusterwidePolicy(mesh, 'A', { selector: ClusterSelector.namespaces() })).toThrow(
      /needs at least one namespace; use ClusterSelector.allPods\(\).*\[at Mesh\/A\]/,
    );
    expect(() => new ClusterwidePolicy(mesh, 'B', { selector: ClusterSelector.podLabels({}) })).toThrow(
      /needs at least one label.*\[at Mesh\/B\]/,
    );
    expect(() => new ClusterwidePolicy(mesh, 'C', { selector: ClusterSelector.allPods(), defaultDeny: {} })).toThrow(
      /defaultDeny covers no direction/,
    );
  });
  test('a cluster-wide default deny must leave kube-system (CoreDNS) out', () => {
    const mesh = newMesh();
    const msg =
      /a default deny for a selector that includes kube-system cuts the cluster off from DNS .* use ClusterSelector.allNamespacesExcept\('kube-system', \.\.\.\)/;
    expect(
      () => new ClusterwidePolicy(mesh, 'All', { selector: ClusterSelector.allPods(), defaultDeny: { egress: true } }),
    ).toThrow(msg);
    expect(
      () =>
        new ClusterwidePolicy(mesh, 'AllIn', { selector: ClusterSelector.allPods(), defaultDeny: { ingress: true } }),
    ).toThrow(msg);
    expect(
      () =>
        new ClusterwidePolicy(mesh, 'Most', {
          selector: ClusterSelector.allNamespacesExcept('monitoring'),
          defaultDeny: { egress: true },
        }),
    ).toThrow(/\[at Mesh\/Most\]/);
    expect(
      () =>
        new ClusterwidePolicy(mesh, 'Sys', {
          selector: ClusterSelector.namespaces('kube-system'),
          defaultDeny: { ingress: true },
        }),
    ).toThrow(msg);
    const ok = new ClusterwidePolicy(mesh, 'Apps', {
      selector: ClusterSelector.allNamespacesExcept('kube-system'),
      defaultDeny: { ingress: true, egress: true },
    });
    expect(ok.name).toBe('apps');
    // without default deny, a baseline over every pod is fine
    expect(new ClusterwidePolicy(mesh, 'Baseline', { selector: ClusterSelector.allPods() }).name).toBe('baseline');
  });
});

describe('object names', () => {
  test('two constructs whose paths map to the same object name are refused', () => {
    const mesh = newMesh();
    new DefaultDeny(mesh, 'Shop-Deny', { namespace: 'shop' });
    expect(() => new DefaultDeny(mesh, 'Shop_Deny', { namespace: 'shop' })).toThrow(
      /CiliumNetworkPolicy 'shop\/shop-deny' is already emitted by Mesh\/Shop-Deny; .* give one of the constructs a different id \[at Mesh\/Shop_Deny\]/,
    );
  });
});
