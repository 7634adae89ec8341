import * as cdk8s from 'cdk8s';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  ClusterSelector,
  ClusterwidePolicy,
  DefaultDeny,
  Entity,
  Gateway,
  HttpRoute,
  HttpRule,
  Listener,
  MeshAssertions,
  Peer,
  Port,
  ParentRef,
  ServiceMesh,
  Workload,
} from '../../../lib';
import { buildGitOpsMesh } from '../../../examples/gitops';

function shop() {
  const mesh = new ServiceMesh(cdk8s.Testing.app(), 'shop', {
    cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }),
  });
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
  return { mesh, frontend, backend, database, operator };
}

describe('MeshAssertions', () => {
  test('default deny, allows with HTTP rules, mirrored egress, entities and FQDNs', () => {
    const { mesh, frontend, backend, database, operator } = shop();
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    backend.allowTo(database, { ports: [Port.tcp(5432)] });
    backend.allowTo(Peer.fqdn('api.payments.example.com'), { ports: [Port.tcp(443)] });
    operator.allowTo(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(443)] });
    const a = MeshAssertions.of(mesh);
    a.allows(frontend, backend, 8080);
    a.allows(frontend, backend, 8080, { http: { method: 'GET', path: '/api/items' } });
    a.denies(frontend, backend, 8080, { http: { method: 'DELETE', path: '/api/items' } });
    a.denies(frontend, database, 5432);
    a.allows(backend, database, 5432);
    a.denies(backend, database, 5433);
    a.allows(backend, Peer.fqdn('api.payments.example.com'), 443);
    a.denies(backend, Peer.fqdn('evil.example.com'), 443);
    a.allows(operator, Peer.entity(Entity.KUBE_APISERVER), 443);
    // Frontend's pods might run as the operator's ServiceAccount: the mesh cannot see that, so it says so.
    a.denies(frontend, Peer.entity(Entity.KUBE_APISERVER), 443, { conditional: true });
    expect(() => a.denies(frontend, Peer.entity(Entity.KUBE_APISERVER), 443)).toThrow(
      /conditional.*\n[\s\S]*only if its pods run as ServiceAccount shop-operator \(set in the pod spec, outside the mesh\)/,
    );
    a.denies(Peer.entity(Entity.WORLD), backend, 8080);
    a.allows('shop/frontend', 'shop/backend', 8080);
    const v = a.explain(frontend, database, 5432);
    expect(v.explanation).toMatchSnapshot();
    expect(a.explain(frontend, backend, 8080, { method: 'DELETE', path: '/x' }).explanation).toMatchSnapshot();
  });

  test('unknown names are errors, not denials', () => {
    const { mesh, frontend } = shop();
    const a = MeshAssertions.of(mesh);
    expect(() => a.allows(frontend, 'shop/payments', 80)).toThrow(
      /has no workload or Service 'shop\/payments'; known: shop\/Backend/,
    );
    const other = shop();
    expect(() => a.allows(frontend, other.backend, 80)).toThrow(
      /workload shop\/Backend belongs to another mesh than shop; ask that mesh.s MeshAssertions/,
    );
    const elsewhere = new kplus.Service(new cdk8s.Chart(cdk8s.Testing.app(), 'elsewhere'), 'api', {
      metadata: { name: 'api', namespace: 'shop' },
      ports: [{ port: 80 }],
    });
    expect(() => a.allows(frontend, elsewhere, 80)).toThrow(
      /Service shop\/api is not an object of mesh shop; known: shop\/Backend, shop\/Database, shop\/Frontend, shop\/Operator \[at shop\]/,
    );
  });

  test('gitops: the Gateway reaches web through the ingress identity', () => {
    const mesh = buildGitOpsMesh(cdk8s.Testing.app());
    const a = MeshAssertions.of(mesh);
    a.allows(Peer.entity(Entity.INGRESS), 'store/web', 8080);
    a.denies(Peer.entity(Entity.WORLD), 'store/web', 8080);
    a.allows('store/web', 'store/orders', 9090, { http: { method: 'POST', path: '/orders' } });
    expect(a.explain('store/web', 'store/orders', 9090).explanation).toMatchSnapshot();
  });

  test('deny rules win over allows and over default allow; allow rules alone do not enforce (enableDefaultDeny: false)', () => {
    const { mesh, frontend, backend, database } = shop();
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)] });
    backend.denyFrom(database, { ports: [Port.tcp(8080)] });
    const a = MeshAssertions.of(mesh);
    a.allows(database, backend, 9999); // backend is not enforced: the allow rule does not put it in default deny
    a.denies(database, backend, 8080);
    expect(a.explain(database, backend, 8080).explanation).toMatch(
      /ingress at shop\/Backend: denied by CiliumNetworkPolicy shop\/backend-policy ingressDeny\[0\] \(deny rules win over every allow\)/,
    );
    const baseline = new ClusterwidePolicy(mesh, 'NoDb', { selector: ClusterSelector.namespaces('shop') });
    baseline.denyTo(database, { ports: [Port.tcp(5432)] });
    a.denies(backend, database, 5432);
    a.allows(backend, database, 5433);
  });

  test('a policy without enableDefaultDeny enforces the directions it has rules for; deny-only ones too', () => {
    const { mesh, frontend, backend } = shop();
    new ApiObject(mesh, 'Raw', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'raw', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'backend' } }, ingressDeny: [{ fromEntities: ['world'] }] },
    });
    const a = MeshAssertions.of(mesh);
    a.denies(frontend, backend, 8080);
    expect(a.explain(frontend, backend, 8080).explanation).toMatch(
      /no rule allows it and CiliumNetworkPolicy shop\/raw puts it in default deny/,
    );
    a.allows(backend, frontend, 8080); // egress of backend stays open
  });

  test('namespace scoping: rules of a CiliumNetworkPolicy select peers in its own namespace unless they name one', () => {
    const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', { cilium: chainingProfile() });
    const api = new Workload(mesh, 'Api', { namespace: 'a', labels: { app: 'api' }, ports: [Port.tcp(80)] });
    const sameName = new Workload(mesh, 'Client', { namespace: 'b', labels: { app: 'client' } });
    new ApiObject(mesh, 'Raw', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'raw', namespace: 'a' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }],
      },
    });
    const local = new Workload(mesh, 'LocalClient', { namespace: 'a', labels: { app: 'client' } });
    const a = MeshAssertions.of(mesh);
    a.allows(local, api, 80);
    a.denies(sameName, api, 80);
  });

  test('Gateway traffic arrives with the ingress identity; Services of the mesh are endpoints; ports map to targetPorts', () => {
    const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', {
      namespace: 'web',
      cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }),
    });
    const service = new kplus.Service(mesh, 'site', {
      metadata: { name: 'site' },
      ports: [{ port: 80, targetPort: 8080 }],
      selector: kplus.Pods.select(mesh, 'site-pods', { labels: { app: 'site' } }),
    });
    const gateway = new Gateway(mesh, 'Public', { listeners: [Listener.http()] });
    const site = Workload.fromService(mesh, 'Site', service);
    new DefaultDeny(mesh, 'Web', { namespace: 'web' });
    const a = MeshAssertions.of(mesh);
    a.denies(gateway, service, 80);
    expect(a.explain(gateway, service, 80).explanation).toMatch(
      /^Gateway web\/public \(identity ingress\) → web\/site TCP\/8080: denied/,
    );
    site.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
    a.allows(gateway, service, 80);
    a.allows(gateway, 'web/site', 80);
    a.allows(gateway, site, 8080);
    expect(() => a.allows(site, gateway, 80)).toThrow(
      /a Gateway \(m\/Public\) is not a destination of pod traffic; ask about the route's backends/,
    );
  });

  test('labels the mesh does not know make a verdict conditional, and it says on what', () => {
    const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', { cilium: chainingProfile() });
    const api = new Workload(mesh, 'Api', { namespace: 'a', labels: { app: 'api' }, ports: [Port.tcp(80)] });
    const client = new Workload(mesh, 'Client', { namespace: 'a', labels: { app: 'client' } });
    new DefaultDeny(mesh, 'A', { namespace: 'a' });
    const team = new ClusterwidePolicy(mesh, 'Team', { selector: ClusterSelector.podLabels({ team: 'payments' }) });
    team.allowTo(api, { ports: [Port.tcp(80)] });
    api.allowFrom(Workload.fromName(mesh, 'Payments', { namespace: 'a', name: 'payments' }), { ports: [Port.tcp(80)] });
    const a = MeshAssertions.of(mesh);
    const v = a.explain(client, api, 80);
    expect(v.allowed).toBe(false);
    // The client's pods might also carry team=payments (egress allowed by the cluster-wide policy) and
    // app.kubernetes.io/name=payments (ingress allowed by the api's policy): the mesh cannot see that.
    expect(v.conditions).toEqual([
      'a/Client: only if its pods carry the label app.kubernetes.io/name=payments (labels set outside the mesh)',
      'a/Client: only if its pods carry the label team=payments (labels set outside the mesh)',
    ]);
    a.allows('a/payments', api, 80, { conditional: true });
    // A workload known by its name label cannot be `payments`; only the team label is still open.
    expect(() => a.denies(Workload.fromName(mesh, 'Other', { namespace: 'a', name: 'other' }), api, 80)).toThrow(
      /\n {2}conditional: a\/Other: only if its pods carry the label team=payments \(labels set outside the mesh\)\n \[at m\]$/,
    );
  });

  test('CIDRs with except, world, and bad questions', () => {
    const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', { cilium: chainingProfile() });
    const api = new Workload(mesh, 'Api', { namespace: 'a', labels: { app: 'api' }, ports: [Port.tcp(80)] });
    new DefaultDeny(mesh, 'A', { namespace: 'a' });
    api.allowFrom(Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] }), { ports: [Port.tcp(80)] });
    const a = MeshAssertions.of(mesh);
    a.allows(Peer.cidr('10.2.3.4/32'), api, 80);
    a.denies(Peer.cidr('10.1.3.4/32'), api, 80);
    a.denies(Peer.entity(Entity.WORLD), api, 80, { conditional: true });
    expect(() => a.allows(Peer.cidr('10.0.0.0/8'), api, 80)).toThrow(
      /ask about one address: Peer.cidr\('10.0.0.0\/32'\), got '10.0.0.0\/8'/,
    );
    expect(() => a.allows(Peer.entity(Entity.CLUSTER), api, 80)).toThrow(
      /entity 'cluster' is a group of identities, not one endpoint/,
    );
    expect(() => a.allows(api, api, Port.tcpRange(80, 90))).toThrow(/ask about one port, got the range TCP\/80-90/);
    expect(() => a.allows(api, api, Port.any(80))).toThrow(/ask about one protocol, got ANY\/80/);
    expect(() => a.allows(api, 'api', 80)).toThrow(/'api' is not 'namespace\/name'/);
    expect(() => a.allows(api, api, 0)).toThrow(/port must be 1-65535, got 0/);
  });
});

test('GAMMA before Cilium 1.18: a verdict towards a route parent Service is conditional on the ingress identity', () => {
  const mesh = new ServiceMesh(cdk8s.Testing.app(), 'm', {
    namespace: 'bookinfo',
    cilium: chainingProfile({ version: CiliumVersion.V1_17, gatewayApi: true, kubeProxyReplacement: true }),
  });
  const reviews = new kplus.Service(mesh, 'reviews', {
    metadata: { name: 'reviews' },
    ports: [{ port: 9080 }],
    selector: kplus.Pods.select(mesh, 'reviews-pods', { labels: { app: 'reviews' } }),
  });
  const client = new Workload(mesh, 'Client', { namespace: 'bookinfo', labels: { app: 'client' } });
  new HttpRoute(mesh, 'Reviews', {
    parentRefs: [ParentRef.service(Backend.fromService(reviews))],
    rules: [{ backendRefs: [{ backend: Backend.fromService(reviews) }] }],
  });
  const a = MeshAssertions.of(mesh);
  expect(a.explain(client, reviews, 9080).conditions).toEqual([
    "requests routed by HTTPRoute bookinfo/reviews reach its backends with the identity 'ingress' on Cilium 1.17 " +
      '(cilium/cilium#34774, fixed in 1.18): ask about Peer.entity(Entity.INGRESS) to each backend for those',
  ]);
});
