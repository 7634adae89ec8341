/**
 * A realistic mesh for the benchmarks, built only through the public API: per namespace a DefaultDeny and a Gateway;
 * per service unit a Service (a plain cdk8s ApiObject), a Workload naming it with allows from the `ingress` entity and
 * the previous unit's workload (one CiliumNetworkPolicy), an HTTPRoute on the namespace's Gateway and a
 * ResiliencePolicy (CiliumEnvoyConfig): 4 objects per unit. On aws-cni chaining with Gateway API and envoyConfig, so the capability warnings and the
 * route/policy cross-check run as they do in a real app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp, type App } from 'cdk8s';
import {
  Backend,
  chainingProfile,
  CiliumVersion,
  DefaultDeny,
  Entity,
  Gateway,
  HttpRoute,
  Listener,
  LoadBalancer,
  PathMatch,
  Peer,
  Port,
  ResiliencePolicy,
  ResilienceTarget,
  ParentRef,
  ServiceMesh,
  Workload,
} from '../lib';
import { MeshDelivery } from '../lib/delivery';

/** Namespaces of the realistic mesh. */
export const REALISTIC_NAMESPACES = 40;

/**
 * A mesh with about `objects` Kubernetes objects (`mesh.toJson().length`, within one service unit of 4 objects).
 */
export function realisticMesh(app: App, objects: number): ServiceMesh {
  const mesh = new ServiceMesh(app, 'mesh', {
    cilium: chainingProfile({
      version: CiliumVersion.V1_20,
      kubeProxyReplacement: true,
      gatewayApi: true,
      envoyConfig: true,
    }),
  });
  const gateways: Gateway[] = [];
  const namespaces = Math.max(1, Math.min(REALISTIC_NAMESPACES, Math.floor(objects / 10)));
  for (let t = 0; t < namespaces; t++) {
    const namespace = `team-${String(t).padStart(2, '0')}`;
    new ApiObject(mesh, `Ns${t}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    new DefaultDeny(mesh, `Deny${t}`, { namespace });
    gateways.push(new Gateway(mesh, `Gw${t}`, { namespace, listeners: [Listener.http()] }));
  }
  // Namespace, DefaultDeny and Gateway per namespace; 4 objects per unit.
  const units = Math.max(1, Math.round((objects - namespaces * 3) / 4));
  let previous: Workload | undefined;
  for (let i = 0; i < units; i++) {
    const t = i % namespaces;
    const namespace = `team-${String(t).padStart(2, '0')}`;
    const name = `svc-${String(i).padStart(5, '0')}`;
    new ApiObject(mesh, `S${i}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { selector: { app: name }, ports: [{ port: 8080, targetPort: 8080, protocol: 'TCP' }] },
    });
    const workload = new Workload(mesh, `W${i}`, {
      namespace,
      labels: { app: name },
      ports: [Port.tcp(8080)],
      service: { name, ports: [8080] },
    });
    workload.allowFrom(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(8080)] });
    if (previous && previous.namespace === namespace) {
      workload.allowFrom(previous, { ports: [Port.tcp(8080)] });
    } else {
      workload.allowFrom(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(8080)] });
    }
    const backend = Backend.fromWorkload(workload);
    new HttpRoute(mesh, `R${i}`, {
      namespace,
      parentRefs: [ParentRef.gateway(gateways[t])],
      rules: [{ matches: [{ path: PathMatch.pathPrefix(`/${name}`) }], backendRefs: [{ backend }] }],
    });
    new ResiliencePolicy(mesh, `Res${i}`, {
      service: ResilienceTarget.fromWorkload(workload),
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
      },
      loadBalancer: LoadBalancer.leastRequest(),
    });
    previous = workload;
  }
  return mesh;
}

/**
 * Builds and synthesizes, in a temporary directory removed afterwards, an app with one stack holding an aws-eks-v2
 * cluster and a `MeshDelivery` of the realistic mesh of about `objects` objects (bench/profile.ts, bench/warm.ts).
 * Returns the number of objects delivered.
 */
export function synthRealisticApp(objects: number): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cilium-mesh-bench-'));
  const app = new cdk.App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new cdk.Stack(app, 'Bench', { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
  });
  const delivery = new MeshDelivery(stack, 'Delivery', { cluster, charts: [realisticMesh(new K8sApp(), objects)] });
  app.synth();
  fs.rmSync(outdir, { recursive: true, force: true });
  return delivery.plan.objectCount;
}
