import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp } from 'cdk8s';
import { MeshDelivery, type MeshDeliveryOptions } from '../../../lib/delivery';
import {
  deliver,
  findMeshes,
  meshEvent,
  runEngine,
  type AssemblyMesh,
  type DeliverOptions,
  type DeliveryCounts,
} from '../../../lib/delivery/cli/deliver';
import { ServiceMesh } from '../../../lib/mesh/service-mesh';
import { KUBECTL, startServer, type LiveServer } from '../cluster';

/** The layer's kubectl: the binary the handler runs in Lambda. */
export { KUBECTL };
const SHARED = process.env.SHARED_DIR ?? path.join(__dirname, '..', '..', '..', '..', 'shared');

let server: LiveServer | undefined;
/** The kubeconfig of the server the delivery tests use (`startDeliveryServer`). */
export let KUBECONFIG = '';

/** Starts the kube-apiserver of the delivery tests (one for the file, as every test uses namespaces of its own). */
export function startDeliveryServer(): void {
  server = startServer('delivery');
  KUBECONFIG = server.kubeconfig;
  OPTIONS = { kubectl: KUBECTL, kubeconfig: KUBECONFIG };
}

export function stopDeliveryServer(): void {
  server?.stop();
}

/** kubectl against the test server; throws with stderr on failure. */
export function k(...args: string[]): string {
  const r = spawnSync(KUBECTL, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  }
  return r.stdout;
}

/** Names (`kind/name`) of the objects of `kinds` in `namespace`. */
export function names(kinds: string, namespace: string): string[] {
  return k('get', kinds, '-n', namespace, '-o', 'name').split('\n').filter(Boolean).sort();
}

/** Cilium v1.20 and Gateway API v1.6.1 (standard) CRDs, from ../shared/upstream. */
export function installCrds(): void {
  k('apply', '--server-side', '--force-conflicts', '-f', path.join(SHARED, 'upstream', 'cilium', 'v1.20.0', 'crds'));
  k(
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    path.join(SHARED, 'upstream', 'gateway-api', 'v1.6.1', 'standard-install.yaml'),
  );
  k('wait', '--for=condition=Established', 'customresourcedefinitions', '--all', '--timeout=120s');
}

/** A CiliumNetworkPolicy the server accepts; `port` changes its spec. */
export function policy(name: string, namespace: string, port = 80): Record<string, unknown> {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    spec: {
      endpointSelector: { matchLabels: { app: name } },
      ingress: [{ toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' }] }] }],
    },
  };
}

export interface SynthOptions extends Omit<MeshDeliveryOptions, 'dependsOn'> {
  /** The stack name (its construct id is always 'Mesh', so that construct paths are equal). @default 'Mesh' */
  readonly stackName?: string;
  /** @default TEST_ENV account */
  readonly account?: string;
}

let counter = 0;

/** Synthesizes one stack delivering `objects` to an imported cluster; returns its cloud assembly directory. */
export function synth(objects: Record<string, unknown>[], { stackName, account, ...o }: SynthOptions = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-delivery-'));
  const app = new cdk.App({ outdir });
  const stack = new cdk.Stack(app, 'Mesh', {
    stackName,
    env: { account: account ?? '111111111111', region: 'eu-west-1' },
  });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'test',
    clusterEndpoint: 'https://127.0.0.1',
    clusterCertificateAuthorityData: 'Q0E=',
  });
  const mesh = new ServiceMesh(new K8sApp(), `mesh${++counter}`);
  objects.forEach((obj, i) => new ApiObject(mesh, `o${i}`, obj as any));
  new MeshDelivery(stack, 'Delivery', { ...o, cluster, charts: [mesh] });
  app.synth();
  return outdir;
}

export let OPTIONS: Omit<DeliverOptions, 'assembly'> = { kubectl: KUBECTL };

/** `cdk-cilium-mesh deliver` on an assembly. */
export function deliverAssembly(assembly: string, o: Partial<DeliverOptions> = {}): DeliveryCounts {
  return deliver({ ...OPTIONS, ...o, assembly });
}

/** The one mesh of an assembly. */
export function meshOf(assembly: string): AssemblyMesh {
  return findMeshes(assembly)[0];
}

/** What CloudFormation sends for the mesh of `assembly`: an Update from `old`, or a Delete. */
export function update(assembly: string, old: string, o: Partial<DeliverOptions> = {}): Record<string, any> {
  const mesh = meshOf(assembly);
  const before = meshOf(old);
  const event = {
    ...meshEvent(mesh, 'Update'),
    PhysicalResourceId: 'x',
    OldResourceProperties: meshEvent(before).ResourceProperties,
  };
  return runEngine({ event, assets: { ...before.assets, ...mesh.assets } }, { ...OPTIONS, ...o });
}

/**
 * What the scheduled reconcile makes of its EventBridge event (Handler.reconcile_event, unit-tested): an Update to the
 * deployed properties, flagged FullApply, so that every object is re-applied.
 */
export function reconcile(assembly: string, o: Partial<DeliverOptions> = {}): Record<string, any> {
  const mesh = meshOf(assembly);
  const props = meshEvent(mesh).ResourceProperties;
  const event = {
    ...meshEvent(mesh, 'Update'),
    PhysicalResourceId: 'reconcile',
    OldResourceProperties: props,
    FullApply: true,
  };
  return runEngine({ event, assets: mesh.assets }, { ...OPTIONS, ...o });
}

/** The objects (`Kind/namespace/name`) of each batch of the mesh of `assembly`, by batch key. */
export function batchesOf(assembly: string): Map<string, string[]> {
  const mesh = meshOf(assembly);
  const out = new Map<string, string[]>();
  for (const s of mesh.properties.Sources as { Key: string }[]) {
    const items = JSON.parse(fs.readFileSync(mesh.assets[s.Key], 'utf8')).items as {
      kind: string;
      metadata: { name: string; namespace?: string };
    }[];
    out.set(
      s.Key,
      items.map((i) => `${i.kind}/${i.metadata.namespace ?? ''}/${i.metadata.name}`),
    );
  }
  return out;
}

export function remove(assembly: string, o: Partial<DeliverOptions> = {}): Record<string, any> {
  const mesh = meshOf(assembly);
  return runEngine(
    { event: { ...meshEvent(mesh, 'Delete'), PhysicalResourceId: 'x' }, assets: mesh.assets },
    { ...OPTIONS, ...o },
  );
}

/** The engine's Create (what CloudFormation sends first), with options (e.g. a short time budget). */
export function create(assembly: string, o: Partial<DeliverOptions> = {}): Record<string, any> {
  const mesh = meshOf(assembly);
  return runEngine({ event: meshEvent(mesh, 'Create'), assets: mesh.assets }, { ...OPTIONS, ...o });
}

/** Runs `fn` and returns the message of the error it throws (fails when it does not throw). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
