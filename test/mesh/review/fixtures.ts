import * as cdk8s from 'cdk8s';
import { ApiObject } from 'cdk8s';
import {
  chainingProfile,
  ClusterSelector,
  ClusterwidePolicy,
  DefaultDeny,
  Entity,
  HttpRule,
  Peer,
  Port,
  ServiceMesh,
  Workload,
} from '../../../lib';

/**
 * A mesh that exercises what the examples do not: cluster-wide policies with and without default deny, deny rules
 * (winning over allows and over default allow), L4-only rules, entity and CIDR rules, a per-workload default deny
 * for one direction, and a namespace without any enforcement.
 */
export function trickyMesh(): ServiceMesh {
  const mesh = new ServiceMesh(cdk8s.Testing.app(), 'tricky', { cilium: chainingProfile() });
  const web = new Workload(mesh, 'Web', { namespace: 'front', labels: { app: 'web' }, ports: [Port.tcp(8080)] });
  const api = new Workload(mesh, 'Api', {
    namespace: 'back',
    labels: { app: 'api' },
    ports: [Port.tcp(9000), Port.tcp(9001)],
  });
  const jobs = new Workload(mesh, 'Jobs', { namespace: 'back', labels: { app: 'jobs' }, ports: [Port.udp(5353)] });
  const legacy = new Workload(mesh, 'Legacy', {
    namespace: 'legacy',
    labels: { app: 'legacy' },
    ports: [Port.tcpRange(7000, 7010)],
  });
  const metrics = new Workload(mesh, 'Metrics', {
    namespace: 'ops',
    labels: { app: 'metrics' },
    ports: [Port.tcp(9090)],
  });

  new DefaultDeny(mesh, 'Back', { namespace: 'back' });
  new DefaultDeny(mesh, 'WebIn', { workload: web, egress: false });
  web.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
  web.allowFrom(Peer.cidr('10.0.0.0/8', { except: ['10.9.0.0/16'] }), { ports: [Port.tcp(8080)] });
  api.allowFrom(web, {
    ports: [Port.tcp(9000)],
    http: [HttpRule.get('/v1/.*'), HttpRule.of({ method: 'POST', path: '/v1/orders' })],
  });
  api.allowFrom(legacy, { ports: [Port.tcp(9001)] });
  api.denyFrom(legacy, { ports: [Port.tcp(9000)] });
  jobs.allowTo(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
  jobs.allowFrom(api, { ports: [Port.udp(5353)] });
  legacy.denyTo(Peer.cidr('169.254.169.254/32'));
  legacy.allowTo(metrics, { ports: [Port.tcp(9090)] });

  const baseline = new ClusterwidePolicy(mesh, 'Baseline', {
    selector: ClusterSelector.allNamespacesExcept('kube-system'),
  });
  baseline.allowFrom(metrics, { ports: [Port.tcp(9090)] });
  baseline.denyTo(Peer.cidr('198.51.100.0/24'));
  const opsDeny = new ClusterwidePolicy(mesh, 'Ops', {
    selector: ClusterSelector.namespaces('ops'),
    defaultDeny: { ingress: true },
  });
  opsDeny.allowFrom(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(9090)] });

  // Plain objects next to the library's: a deny-only policy without enableDefaultDeny (which therefore puts its
  // pods into ingress default deny) and a policy with several rule sets (`specs`).
  new ApiObject(mesh, 'RawDenyOnly', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'raw-deny-only', namespace: 'legacy' },
    spec: { endpointSelector: { matchLabels: { app: 'legacy' } }, ingressDeny: [{ fromEntities: ['world'] }] },
  });
  new ApiObject(mesh, 'RawSpecs', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'raw-specs', namespace: 'ops' },
    specs: [
      {
        endpointSelector: { matchLabels: { app: 'metrics' } },
        egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
      },
      {
        endpointSelector: { matchLabels: { 'k8s:app': 'metrics' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'legacy' } }] }],
      },
    ],
  });
  // Cilium replaces the namespace an endpointSelector names with the policy's: this puts front/Web into egress
  // default deny, not legacy/Web.
  new ApiObject(mesh, 'RawOtherNamespace', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'raw-other-namespace', namespace: 'front' },
    spec: { endpointSelector: { matchLabels: { app: 'web', 'io.kubernetes.pod.namespace': 'legacy' } }, egress: [{}] },
  });
  return mesh;
}

/**
 * `n` workloads in `namespaces` namespaces: each namespace under default deny, each workload allowing its
 * predecessor (a chain) on 8080 with HTTP GET, every workload reachable from the Gateway identity, one
 * shared monitoring allow to every workload from ops/prometheus (which collapses into one edge per namespace).
 */
export function largeMesh(n = 50, namespaces = 5): ServiceMesh {
  const mesh = new ServiceMesh(cdk8s.Testing.app(), 'large', {
    cilium: chainingProfile({ gatewayApi: true, kubeProxyReplacement: true }),
  });
  const prometheus = new Workload(mesh, 'Prometheus', { namespace: 'ops', labels: { app: 'prometheus' } });
  const workloads: Workload[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `team-${String(i % namespaces).padStart(2, '0')}`;
    workloads.push(
      new Workload(mesh, `Svc${String(i).padStart(2, '0')}`, {
        namespace: ns,
        labels: { app: `svc-${String(i).padStart(2, '0')}` },
        ports: [Port.tcp(8080), Port.tcp(9100)],
      }),
    );
  }
  for (let k = 0; k < namespaces; k++) {
    new DefaultDeny(mesh, `Team${k}`, { namespace: `team-${String(k).padStart(2, '0')}` });
  }
  workloads.forEach((w, i) => {
    w.allowFrom(prometheus, { ports: [Port.tcp(9100)] });
    if (i > 0) w.allowFrom(workloads[i - 1], { ports: [Port.tcp(8080)], http: [HttpRule.get('/.*')] });
    if (i % 10 === 0) w.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
  });
  return mesh;
}
