import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  Backend,
  chainingProfile,
  CiliumIngress,
  ClusterSelector,
  ClusterwidePolicy,
  DefaultDeny,
  Entity,
  Gateway,
  HttpRoute,
  Listener,
  Peer,
  Port,
  ParentRef,
  ServiceMesh,
  Workload,
} from '../../../lib';
import { findEnvoySourceIdentityDrops } from '../../../lib/mesh/checks/envoy-source-identity';
import { install } from '../../cilium/install';
import { meshFor, service, V1_16 } from '../routing/util';

/** A mesh in namespace shop with a Gateway and an HTTPRoute from it to the cdk8s-plus Service `api` (pods app=api). */
function gatewayToApi(options = {}) {
  const mesh = meshFor(options, 'shop');
  const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
  new HttpRoute(mesh, 'Route', {
    parentRefs: [ParentRef.gateway(gw)],
    rules: [{ backendRefs: [{ backend: Backend.fromService(service(mesh, 'api', [8080])) }] }],
  });
  const api = new Workload(mesh, 'Api', { namespace: 'shop', labels: { app: 'api' }, ports: [Port.tcp(8080)] });
  return { mesh, api };
}

/** The mesh's warnings about the ingress identity (capability warnings about Envoy in chaining are left out). */
function identityWarnings(mesh: ServiceMesh): string[] {
  return mesh.warnings.filter((w) => w.includes("source identity 'ingress'"));
}

const DROP =
  /^mesh\/Route: HTTPRoute shop\/route reaches its backends through Cilium's Envoy \(Gateway\), so their pods see the source identity 'ingress'.*cilium\/cilium#24826, #25665.*Service shop\/api \(ingress default deny by CiliumNetworkPolicy shop\/.*\).*will be dropped\. Allow it on each backend workload: workload\.allowFrom\(Peer\.entity\(Entity\.INGRESS\), \{ ports: \[Port\.tcp\(<container port>\)\] \}\)$/;

describe("routes whose backends only see Envoy's 'ingress' identity", () => {
  test('a Gateway route into a namespace under default deny, with no allow from the ingress entity, warns', () => {
    const { mesh } = gatewayToApi();
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    expect(identityWarnings(mesh)).toEqual([expect.stringMatching(DROP)]);
  });

  test('allowing the ingress entity on the backend workload (or the namespace, or cluster-wide) silences it', () => {
    const onWorkload = gatewayToApi();
    new DefaultDeny(onWorkload.mesh, 'Shop', { namespace: 'shop' });
    onWorkload.api.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
    expect(identityWarnings(onWorkload.mesh)).toEqual([]);

    const clusterwide = gatewayToApi();
    new DefaultDeny(clusterwide.mesh, 'Shop', { namespace: 'shop' });
    new ClusterwidePolicy(clusterwide.mesh, 'FromGateways', { selector: ClusterSelector.allPods() }).allowFrom(
      Peer.entity(Entity.INGRESS),
      { ports: [Port.tcp(8080)] },
    );
    expect(identityWarnings(clusterwide.mesh)).toEqual([]);
  });

  test('an allow from the ingress entity on a different workload does not count for the backend', () => {
    const { mesh } = gatewayToApi();
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    new Workload(mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } }).allowFrom(Peer.entity(Entity.INGRESS), {
      ports: [Port.tcp(80)],
    });
    expect(identityWarnings(mesh)).toEqual([expect.stringMatching(DROP)]);
  });

  test('a workload default deny selecting the backend pods warns; one selecting other pods does not', () => {
    const hit = gatewayToApi();
    new DefaultDeny(hit.mesh, 'ApiDeny', { workload: hit.api, egress: false });
    expect(identityWarnings(hit.mesh)).toEqual([
      expect.stringMatching(/Service shop\/api \(ingress default deny by CiliumNetworkPolicy shop\//),
    ]);

    const miss = gatewayToApi();
    new DefaultDeny(miss.mesh, 'WebDeny', {
      workload: new Workload(miss.mesh, 'Web', { namespace: 'shop', labels: { app: 'web' } }),
    });
    expect(identityWarnings(miss.mesh)).toEqual([]);
  });

  test('a workload that names its Service tells which pods are behind it (workload default deny, Backend.fromWorkload)', () => {
    const mesh = meshFor({}, 'shop');
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
    const orders = new Workload(mesh, 'Orders', {
      namespace: 'shop',
      labels: { app: 'orders' },
      service: { name: 'orders', ports: [9090] },
    });
    new HttpRoute(mesh, 'Route', {
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: Backend.fromWorkload(orders) }] }],
    });
    new DefaultDeny(mesh, 'OrdersDeny', { workload: orders });
    expect(identityWarnings(mesh)).toEqual([
      expect.stringMatching(/Service shop\/orders \(ingress default deny by CiliumNetworkPolicy shop\/ordersdeny\)/),
    ]);
    orders.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(9090)] });
    expect(identityWarnings(mesh)).toEqual([]);
  });

  test('a CiliumIngress is reported at the construct the user created', () => {
    const mesh = new ServiceMesh(Testing.app(), 'mesh', {
      namespace: 'shop',
      cilium: chainingProfile({ ingressController: true }),
    });
    new CiliumIngress(mesh, 'Site', { rules: [{ path: '/', service: service(mesh, 'web', [80]) }] });
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    expect(identityWarnings(mesh)).toEqual([
      expect.stringMatching(
        /^mesh\/Site: Ingress shop\/site reaches its backends through Cilium's Envoy \(Ingress\).*Service shop\/web/,
      ),
    ]);
  });

  test('without any default deny, or with egress-only default deny, nothing is reported', () => {
    expect(identityWarnings(gatewayToApi().mesh)).toEqual([]);
    const egressOnly = gatewayToApi();
    new DefaultDeny(egressOnly.mesh, 'Shop', { namespace: 'shop', ingress: false });
    expect(identityWarnings(egressOnly.mesh)).toEqual([]);
  });

  test('GAMMA routes: reported before Cilium 1.18 (cilium/cilium#34774), not from 1.18 on (#39206)', () => {
    const gamma = (mesh: ServiceMesh) => {
      const reviews = Backend.fromName('shop', 'reviews', 9080);
      new HttpRoute(mesh, 'Reviews', {
        parentRefs: [ParentRef.service(reviews)],
        rules: [{ backendRefs: [{ backend: reviews }] }],
      });
      new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
      return identityWarnings(mesh);
    };
    expect(gamma(meshFor(V1_16, 'shop'))).toEqual([
      expect.stringMatching(
        /^mesh\/Reviews: HTTPRoute shop\/.* \(GAMMA on Cilium 1\.16\).*cilium\/cilium#34774, fixed in 1\.18 by #39206.*Service shop\/reviews.* Prefer Cilium 1\.18 or later, where GAMMA traffic keeps the client identity; allowing the ingress entity .* also admits everything Envoy forwards/,
      ),
    ]);
    expect(gamma(meshFor({}, 'shop'))).toEqual([]);
  });

  test('delivered with cilium.addMesh, the finding becomes a CDK warning on the delivery', () => {
    const { stack, cilium } = install({ gatewayApi: true, kubeProxyReplacement: true, k8sServiceHost: 'api.example' });
    const mesh = new ServiceMesh(Testing.app(), 'mesh', { namespace: 'shop', cilium: cilium.profile });
    const gw = new Gateway(mesh, 'Gw', { listeners: [Listener.http()] });
    new HttpRoute(mesh, 'Route', {
      parentRefs: [ParentRef.gateway(gw)],
      rules: [{ backendRefs: [{ backend: Backend.fromService(service(mesh, 'api', [8080])) }] }],
    });
    new DefaultDeny(mesh, 'Shop', { namespace: 'shop' });
    cilium.addMesh(mesh);
    Annotations.fromStack(stack).hasWarning('/S/Cilium/Mesh-mesh', Match.stringLikeRegexp(DROP.source.slice(1, -1)));
  });
});

describe('findEnvoySourceIdentityDrops (objects written by hand)', () => {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'a' },
    spec: {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [
        {
          backendRefs: [
            { name: 'svc', port: 80 },
            { name: 'other', namespace: 'b', port: 80 },
          ],
          filters: [
            { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', namespace: 'c', port: 80 } } },
          ],
        },
      ],
    },
  };
  const cnp = (namespace: string, spec: object) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'p', namespace },
    spec,
  });

  test('a policy with ingress rules and no enableDefaultDeny enforces (Cilium default); backends in other namespaces and mirrors count', () => {
    const objects = [
      route,
      cnp('b', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] }),
      cnp('c', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] }),
    ];
    const [finding] = findEnvoySourceIdentityDrops(objects, 20);
    expect(finding.index).toBe(0);
    expect(finding.message).toMatch(
      /to Service b\/other \(ingress default deny by CiliumNetworkPolicy b\/p\), Service c\/shadow \(/,
    );
  });

  test('backends of the core group (empty, `core` or unset) count; other groups and kinds, and routes of other API groups, do not', () => {
    const refs = [
      { name: 'unset', port: 80 },
      { name: 'empty', group: '', port: 80 },
      { name: 'core', group: 'core', kind: 'Service', port: 80 },
      { name: 'custom', group: 'example.com', kind: 'Service', port: 80 },
      { name: 'bucket', group: '', kind: 'Backend', port: 80 },
    ];
    const routeTo = (apiVersion: string) => ({
      ...route,
      apiVersion,
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: refs }] },
    });
    const deny = cnp('a', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] });
    const [finding] = findEnvoySourceIdentityDrops([routeTo('gateway.networking.k8s.io/v1'), deny], 20);
    expect(finding.message).toMatch(/to Service a\/core \(.*\), Service a\/empty \(.*\), Service a\/unset \(/);
    expect(finding.message).not.toMatch(/custom|bucket/);
    expect(findEnvoySourceIdentityDrops([routeTo('gateway.networking.k8s.io.example/v1'), deny], 20)).toEqual([]);
  });

  test('of several enforcing policies (cluster-wide and namespaced, keyed by a label or not) the first in input order is named', () => {
    const deny = (kind: string, name: string, namespace: string | undefined, matchLabels: object) => ({
      apiVersion: 'cilium.io/v2',
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}) },
      spec: { endpointSelector: { matchLabels }, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] },
    });
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'a' },
      spec: { selector: { app: 'x' } },
    };
    const policies = [
      deny('CiliumNetworkPolicy', 'keyed', 'a', { app: 'x' }),
      deny('CiliumClusterwideNetworkPolicy', 'wide', undefined, {}),
      deny('CiliumNetworkPolicy', 'all', 'a', {}),
    ];
    const named = (objects: object[]) =>
      /Service a\/svc \(ingress default deny by (\S+ \S+)\)/.exec(
        findEnvoySourceIdentityDrops(objects, 20)[0].message,
      )?.[1];
    expect(named([route, svc, ...policies])).toBe('CiliumNetworkPolicy a/keyed');
    expect(named([route, svc, policies[1], policies[0], policies[2]])).toBe('CiliumClusterwideNetworkPolicy wide');
    expect(named([route, svc, policies[2], policies[1], policies[0]])).toBe('CiliumNetworkPolicy a/all');
  });

  test('a cluster-wide default deny that excludes the namespace does not enforce it; one that includes it does', () => {
    const ccnp = (operator: string) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'base' },
      spec: {
        endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator, values: ['a'] }] },
        enableDefaultDeny: { ingress: true, egress: false },
        ingress: [{}],
      },
    });
    expect(findEnvoySourceIdentityDrops([route, ccnp('NotIn')], 20)[0].message).toMatch(
      /Service b\/other .*Service c\/shadow/,
    );
    expect(findEnvoySourceIdentityDrops([route, ccnp('NotIn')], 20)[0].message).not.toMatch(/Service a\/svc/);
    expect(findEnvoySourceIdentityDrops([route, ccnp('In')], 20)[0].message).toMatch(
      /Service a\/svc \(ingress default deny by CiliumClusterwideNetworkPolicy base\)/,
    );
  });

  test('a Cilium Ingress is checked; an Ingress of another class is not', () => {
    const ingress = (ingressClassName: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'a' },
      spec: {
        ingressClassName,
        rules: [
          {
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
    const deny = cnp('a', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [{}] });
    expect(findEnvoySourceIdentityDrops([ingress('cilium'), deny], 20)).toEqual([
      {
        index: 0,
        message: expect.stringMatching(
          /^Ingress a\/i reaches its backends through Cilium's Envoy \(Ingress\).*Service a\/svc/,
        ),
      },
    ]);
    expect(findEnvoySourceIdentityDrops([ingress('nginx'), deny], 20)).toEqual([]);
  });

  test('an allow of fromEndpoints with the label reserved:ingress counts; rule sets in specs are read too', () => {
    const base = { ...route, spec: { ...route.spec, rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] } };
    const deny = cnp('a', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] });
    const reserved = cnp('a', {
      endpointSelector: {},
      ingress: [{ fromEndpoints: [{ matchLabels: { 'reserved:ingress': '' } }] }],
    });
    expect(findEnvoySourceIdentityDrops([base, deny, reserved], 20)).toEqual([]);
    const inSpecs = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'multi', namespace: 'a' },
      specs: [{ endpointSelector: {}, ingress: [{ fromEntities: ['ingress'] }] }],
    };
    expect(findEnvoySourceIdentityDrops([base, deny, inSpecs], 20)).toEqual([]);
    const denyInSpecs = {
      ...inSpecs,
      specs: [{ endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] }],
    };
    expect(findEnvoySourceIdentityDrops([base, denyInSpecs], 20)).toEqual([
      {
        index: 0,
        message: expect.stringMatching(/Service a\/svc \(ingress default deny by CiliumNetworkPolicy a\/multi\)/),
      },
    ]);
  });

  test('an allow from the cluster or all entity counts as admitting ingress', () => {
    for (const entity of ['cluster', 'all', 'ingress']) {
      const objects = [
        { ...route, spec: { ...route.spec, rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] } },
        cnp('a', { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [{}] }),
        cnp('a', { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{ fromEntities: [entity] }] }),
      ];
      expect({ entity, findings: findEnvoySourceIdentityDrops(objects, 20) }).toEqual({ entity, findings: [] });
    }
  });
});

describe('the cross-check is indexed (by namespace, then by pod label), not a scan of every policy', () => {
  const cnp = (ns: string, name: string, spec: object) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  const svc = (ns: string, name: string, selector: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { selector },
  });
  const route = (ns: string, name: string, backend: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] },
  });
  const denyAll = (ns: string) => cnp(ns, 'deny', { endpointSelector: {}, ingress: [{}] });
  const allowIngress = (ns: string, name: string, matchLabels: Record<string, string>) =>
    cnp(ns, name, { endpointSelector: { matchLabels }, ingress: [{ fromEntities: ['ingress'] }] });

  test('an allow keyed by a label the Service does not state may select its pods: no warning', () => {
    const objects = [
      denyAll('a'),
      svc('a', 'api', { app: 'api' }),
      allowIngress('a', 'by-tier', { tier: 'web' }),
      route('a', 'r', 'api'),
    ];
    expect(findEnvoySourceIdentityDrops(objects, 20)).toEqual([]);
  });

  test('an allow keyed by another value of the same label, or in another namespace, does not count', () => {
    const objects = [
      denyAll('a'),
      svc('a', 'api', { app: 'api' }),
      allowIngress('a', 'other', { 'k8s:app': 'web' }),
      allowIngress('b', 'api', { app: 'api' }),
      route('a', 'r1', 'api'),
      route('a', 'r2', 'api'),
    ];
    const found = findEnvoySourceIdentityDrops(objects, 20);
    expect(found.map((f) => f.index)).toEqual([4, 5]);
    expect(found[0].message).toMatch(/Service a\/api \(ingress default deny by CiliumNetworkPolicy a\/deny\)/);
  });

  test('the first enforcing policy in input order is named, whatever bucket it is in', () => {
    const keyed = cnp('a', 'keyed-deny', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}] });
    const objects = [keyed, denyAll('a'), svc('a', 'api', { app: 'api' }), route('a', 'r', 'api')];
    expect(findEnvoySourceIdentityDrops(objects, 20)[0].message).toMatch(
      /ingress default deny by CiliumNetworkPolicy a\/keyed-deny\)/,
    );
    const reversed = [denyAll('a'), keyed, svc('a', 'api', { app: 'api' }), route('a', 'r', 'api')];
    expect(findEnvoySourceIdentityDrops(reversed, 20)[0].message).toMatch(
      /ingress default deny by CiliumNetworkPolicy a\/deny\)/,
    );
  });
});
