/**
 * The mesh without AWS: a plain cdk8s app that renders policies and routes to YAML for a GitOps tool
 * (Argo CD, Flux) that applies them to a cluster where Cilium is installed some other way.
 *
 *   npx ts-node examples/gitops.ts   # writes dist/mesh.k8s.yaml
 */
import { ApiObject, App } from 'cdk8s';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  DefaultDeny,
  Entity,
  HttpRoute,
  HttpRule,
  ParentRef,
  PathMatch,
  Peer,
  Port,
  ServiceMesh,
  Workload,
} from '../lib';

export function buildGitOpsMesh(app: App): ServiceMesh {
  // State the facts of the target install: they decide API versions and capability warnings.
  const mesh = new ServiceMesh(app, 'mesh', {
    cilium: chainingProfile({ version: CiliumVersion.V1_20, kubeProxyReplacement: true, gatewayApi: true }),
  });

  // The namespace is part of the mesh (first, so that a GitOps tool applying the file in order finds it).
  new ApiObject(mesh, 'StoreNamespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'store' } });
  const web = new Workload(mesh, 'Web', { namespace: 'store', labels: { app: 'web' }, ports: [Port.tcp(8080)] });
  const orders = new Workload(mesh, 'Orders', {
    namespace: 'store',
    labels: { app: 'orders' },
    ports: [Port.tcp(9090)],
    service: { name: 'orders', ports: [9090] },
  });

  new DefaultDeny(mesh, 'Store', { namespace: 'store' });
  web.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
  orders.allowFrom(web, { ports: [Port.tcp(9090)], http: [HttpRule.post('/orders')] });

  // East-west: every call to the orders Service gets a 2 s budget.
  const ordersService = Backend.fromWorkload(orders);
  new HttpRoute(mesh, 'OrdersTimeouts', {
    namespace: 'store',
    parentRefs: [ParentRef.service(ordersService)],
    rules: [{ matches: [{ path: PathMatch.pathPrefix('/') }], backendRefs: [{ backend: ordersService }] }],
  });
  return mesh;
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
  const mesh = buildGitOpsMesh(app);
  for (const warning of mesh.warnings) {
    console.warn(`[warning] ${warning}`);
  }
  app.synth();
}
