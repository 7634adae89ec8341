import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import {
  chainingProfile, ClusterSelector, ClusterwidePolicy, DefaultDeny, Entity, Gateway, HttpRule, Listener, MeshAssertions, Peer, Port,
  ServiceMesh, Workload,
} from '../../../lib';
import { buildGitOpsMesh } from '../../../examples/gitops';

function shop() {
  const mesh = new ServiceMesh(cdk8s.Testing.app(), 'shop', { cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }) });
  const frontend = new Workload(mesh, 'Frontend', { namespace: 'shop', labels: { app: 'frontend' } });
  const backend = new Workload(mesh, 'Backend', { namespace: 'shop', labels: { app: 'backend' }, ports: [Port.tcp(8080)] });
  const database = new Workload(mesh, 'Database', { namespace: 'shop', labels: { app: 'database' }, ports: [Port.tcp(5432)] });
  const operator = Workload.fromServiceAccount(mesh, 'Operator', { namespace: 'shop', name: 'shop-operator' });
  return { mesh, frontend, backend, database, operator };
}

describe('MeshAssertions', () => {
  test('default deny, allows with HTTP rules, mirrored egress, entities and FQDNs', () => {
    const { mesh, frontend, backend, database, operator } = shop();
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    backend.allowFrom(frontend, { ports: [Port.tcp(8080)], http: [HttpRule.get('/api/.*')] });
    backend.allowTo(database, Port.tcp(5432));
    backend.allowTo(Peer.fqdn('api.payments.example.com'), Port.tcp(443));
    operator.allowTo(Peer.entity(Entity.KUBE_APISERVER), Port.tcp(443));
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
    expect(() => a.denies(frontend, Peer.entity(Entity.KUBE_APISERVER), 443))
      .toThrow(/conditional.*\n[\s\S]*only if its pods carry the label io.cilium.k8s.policy.serviceaccount=shop-operator/);
    a.denies(Peer.entity(Entity.WORLD), backend, 8080);
    a.allows('shop/frontend', 'shop/backend', 8080);
    const v = a.explain(frontend, database, 5432);
    expect(v.explanation).toMatchSnapshot();
    expect(a.explain(frontend, backend, 8080, { method: 'DELETE', path: '/x' }).explanation).toMatchSnapshot();
  });

  test('unknown names are errors, not denials', () => {
    const { mesh, frontend } = shop();
    const a = MeshAssertions.of(mesh);
    expect(() => a.allows(frontend, 'shop/payments', 80)).toThrow(/has no workload or Service 'shop\/payments'; known: shop\/Backend/);
    const other = shop();
    expect(() => a.allows(frontend, other.backend, 80)).toThrow(/belongs to another mesh/);
  });

  test('gitops: the Gateway reaches web through the ingress identity', () => {
    const mesh = buildGitOpsMesh(cdk8s.Testing.app());
    const a = MeshAssertions.of(mesh);
    a.allows(Peer.entity(Entity.INGRESS), 'store/web', 8080);
    a.denies(Peer.entity(Entity.WORLD), 'store/web', 8080);
    a.allows('store/web', 'store/orders', 9090, { http: { method: 'POST', path: '/orders' } });
    expect(a.explain('store/web', 'store/orders', 9090).explanation).toMatchSnapshot();
  });
});
