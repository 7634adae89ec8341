import { ApiObject, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { ConstructWalk } from '../../private/construct-walk';
import { MeshValidationError } from '../../private/errors';
import type { IMeshPeer } from '../policy/peers';
import { Port, Protocol } from '../policy/ports';
import { Gateway } from '../routing/gateway';
import { ServiceMesh } from '../service-mesh';
import { Workload } from '../workload/workload';
import type { ConnectivityEndpoint } from './connectivity';
import { compareText } from '../../delivery/review-manifest';

/**
 * What an assertion may name as the source or destination of traffic (spelled out in `MeshAssertions`' signatures;
 * this alias is internal, as jsii has no type aliases):
 * - a `Workload` of the mesh (its pods);
 * - a Service of the mesh: the cdk8s-plus `Service` (or its `ApiObject`), or `'namespace/name'`;
 * - `'namespace/name'` of a workload (its construct id, case-insensitive) or of the Service a workload names;
 * - a `Gateway` of the mesh (as a source: Cilium's Envoy forwards with the identity `ingress`);
 * - `Peer.entity(...)` (world, kube-apiserver, ingress, host, remote-node, health, init, unmanaged),
 *   `Peer.cidr('203.0.113.7/32')` for one outside address, `Peer.fqdn('api.example.com')`.
 */
export type MeshEndpointRef = IMeshPeer | IConstruct | string;

/** A mesh's endpoints as assertions see them: workloads and Services by name. */
export interface MeshEndpoints {
  readonly mesh: ServiceMesh;
  /** The mesh's objects (`mesh.toJson()`). */
  readonly objects: readonly any[];
  /** Workloads of the mesh, sorted by path. */
  readonly workloads: readonly Workload[];
}

/**
 * Reads the workloads and objects of a mesh; its constructs from `walk` when the caller has one (with the objects it
 * rendered from it).
 */
export function meshEndpoints(
  mesh: ServiceMesh,
  objects?: readonly unknown[],
  walk: ConstructWalk = new ConstructWalk(),
): MeshEndpoints {
  // the objects first: rendering them walks the whole app, the workloads are read from that walk
  const meshObjects = objects ?? mesh._deliveryObjects(walk);
  // paths made once: `node.path` joins the ids up to the root at each call
  const workloads = walk
    .findAll(mesh)
    .filter((c): c is Workload => c instanceof Workload)
    .map((w) => ({ w, path: w.node.path }))
    .sort((a, b) => compareText(a.path, b.path))
    .map((x) => x.w);
  return { mesh, objects: meshObjects, workloads };
}

/** The display name of a workload: `namespace/ConstructId`. */
export function workloadName(w: Workload): string {
  return `${w.namespace}/${w.node.id}`;
}

/** A workload as a connectivity endpoint. */
export function workloadEndpoint(w: Workload): ConnectivityEndpoint {
  return {
    type: 'pods',
    namespace: w.namespace,
    labels: { ...w.labels },
    name: workloadName(w),
    services: w.service ? [`${w.namespace}/${w.service.name}`] : [],
  };
}

/** The Services among the objects, with their selectors and ports. */
export function meshServices(
  objects: readonly any[],
): Array<{ namespace: string; name: string; selector?: Record<string, string>; ports: any[] }> {
  return objects
    .filter((o) => o?.apiVersion === 'v1' && o.kind === 'Service')
    .map((o) => ({
      namespace: o.metadata?.namespace ?? 'default',
      name: o.metadata?.name,
      selector: o.spec?.selector,
      ports: o.spec?.ports ?? [],
    }))
    .sort((a, b) => compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

/** A Service as a connectivity endpoint (its pods). */
export function serviceEndpoint(
  s: { namespace: string; name: string; selector?: Record<string, string> },
  scope: IConstruct,
): ConnectivityEndpoint {
  if (!s.selector || Object.keys(s.selector).length === 0) {
    throw new MeshValidationError(
      `Service ${s.namespace}/${s.name} has no selector, so the mesh does not know its pods; ask about the workload behind it`,
      scope,
    );
  }
  return {
    type: 'pods',
    namespace: s.namespace,
    labels: { ...s.selector },
    name: `${s.namespace}/${s.name}`,
    services: [`${s.namespace}/${s.name}`],
  };
}

/** A resolved endpoint, plus how a port given for it maps onto the pods (Service port → targetPort). */
export interface ResolvedEndpoint {
  readonly endpoint: ConnectivityEndpoint;
  readonly targetPort?: (port: number) => { port: number; condition?: string };
}

function known(e: MeshEndpoints): string {
  const names = [
    ...e.workloads.map(workloadName),
    ...meshServices(e.objects).map((s) => `Service ${s.namespace}/${s.name}`),
  ];
  return names.length > 0 ? names.join(', ') : 'none';
}

function serviceTargetPort(s: { ports: any[]; namespace: string; name: string }) {
  return (port: number) => {
    const p = s.ports.find((x) => x.port === port);
    if (!p || p.targetPort === undefined) return { port };
    if (typeof p.targetPort === 'number') return { port: p.targetPort };
    return {
      port,
      condition:
        `Service ${s.namespace}/${s.name} sends port ${port} to the named container port '${p.targetPort}'; ` +
        `the verdict is for port ${port}`,
    };
  };
}

/** Resolves what an assertion names; unknown names are errors that list what the mesh knows. */
export function resolveEndpoint(e: MeshEndpoints, ref: MeshEndpointRef, role: 'from' | 'to'): ResolvedEndpoint {
  const scope = e.mesh;
  if (ref instanceof Workload) {
    if (ServiceMesh.ofScope(ref) !== e.mesh) {
      throw new MeshValidationError(
        `workload ${ref.node.path} belongs to another mesh than ${e.mesh.node.path}; ask that mesh's MeshAssertions`,
        scope,
      );
    }
    return { endpoint: workloadEndpoint(ref) };
  }
  if (ref instanceof Gateway) {
    if (role === 'to') {
      throw new MeshValidationError(
        `a Gateway (${ref.node.path}) is not a destination of pod traffic; ask about the route's backends`,
        scope,
      );
    }
    return {
      endpoint: { type: 'entity', entity: 'ingress', name: `Gateway ${ref.namespace}/${ref.name} (identity ingress)` },
    };
  }
  if (typeof ref === 'string') {
    return resolveName(e, ref);
  }
  if (isConstruct(ref) && isServiceObject(ref)) {
    const obj = ApiObject.of(ref);
    const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace ?? 'default';
    const found = meshServices(e.objects).find((s) => s.namespace === namespace && s.name === obj.name);
    if (!found || !(ref.node.root === e.mesh.node.root && hasAncestor(ref, e.mesh))) {
      throw new MeshValidationError(
        `Service ${namespace}/${obj.name} is not an object of mesh ${e.mesh.node.path}; known: ${known(e)}`,
        scope,
      );
    }
    return { endpoint: serviceEndpoint(found, scope), targetPort: serviceTargetPort(found) };
  }
  if (isMeshPeer(ref)) {
    return resolvePeer(e, ref);
  }
  throw new MeshValidationError(
    `cannot ask about ${String((ref as IConstruct).node?.path ?? ref)}; pass a Workload, a Service, a Gateway, ` +
      "a Peer or 'namespace/name'",
    scope,
  );
}

function hasAncestor(c: IConstruct, ancestor: IConstruct): boolean {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (s === ancestor) return true;
  }
  return false;
}

function isConstruct(x: unknown): x is IConstruct {
  return typeof x === 'object' && x !== null && 'node' in x;
}

function isMeshPeer(x: unknown): x is IMeshPeer {
  return typeof x === 'object' && x !== null && typeof (x as IMeshPeer)._toPolicyPeer === 'function';
}

function isServiceObject(c: IConstruct): boolean {
  try {
    const o = ApiObject.of(c);
    return o.kind === 'Service' && o.apiVersion === 'v1';
  } catch {
    return false;
  }
}

function resolveName(e: MeshEndpoints, ref: string): ResolvedEndpoint {
  const m = /^([a-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(ref);
  if (!m) {
    throw new MeshValidationError(
      `'${ref}' is not 'namespace/name'; name a workload (its construct id) or a Service, e.g. 'shop/backend'`,
      e.mesh,
    );
  }
  const [, namespace, name] = m;
  const workloads = e.workloads.filter(
    (w) => w.namespace === namespace && (w.node.id.toLowerCase() === name.toLowerCase() || w.service?.name === name),
  );
  const services = meshServices(e.objects).filter((s) => s.namespace === namespace && s.name === name);
  const candidates: ResolvedEndpoint[] = [
    ...workloads.map((w) => ({ endpoint: workloadEndpoint(w) })),
    ...services.map((s) => ({ endpoint: serviceEndpoint(s, e.mesh), targetPort: serviceTargetPort(s) })),
  ];
  if (candidates.length === 0) {
    throw new MeshValidationError(
      `the mesh ${e.mesh.node.path} has no workload or Service '${ref}'; known: ${known(e)}`,
      e.mesh,
    );
  }
  const selectors = new Set(candidates.map((c) => JSON.stringify(c.endpoint.type === 'pods' ? c.endpoint.labels : {})));
  if (selectors.size > 1) {
    throw new MeshValidationError(
      `'${ref}' names several sets of pods (${candidates.map((c) => c.endpoint.name).join(', ')}); ` +
        'pass the Workload or Service itself',
      e.mesh,
    );
  }
  return candidates.find((c) => c.targetPort) ?? candidates[0];
}

function resolvePeer(e: MeshEndpoints, peer: IMeshPeer): ResolvedEndpoint {
  const p = peer._toPolicyPeer();
  const [kind, ...rest] = p.key.split(':');
  const value = rest.join(':');
  switch (kind) {
    case 'entity':
      if (['cluster', 'cluster-mesh', 'all', 'none'].includes(value)) {
        throw new MeshValidationError(
          `entity '${value}' is a group of identities, not one endpoint; ask about one of them (e.g. a Workload, world, host)`,
          e.mesh,
        );
      }
      return { endpoint: { type: 'entity', entity: value, name: `entity ${value}` } };
    case 'cidr': {
      const [cidr, except] = value.split('!');
      const [address, len] = cidr.split('/');
      const width = address.includes(':') ? '128' : '32';
      if (len !== width || except) {
        throw new MeshValidationError(`ask about one address: Peer.cidr('${address}/${width}'), got '${cidr}'`, e.mesh);
      }
      return { endpoint: { type: 'address', address, name: address } };
    }
    case 'fqdn':
      return { endpoint: { type: 'fqdn', fqdn: value, name: value } };
    case 'service':
      return resolveName(e, value);
    default:
      throw new MeshValidationError(
        `cannot ask about peer '${p.key}'; name one endpoint (a Workload, Service, entity, address or DNS name)`,
        e.mesh,
      );
  }
}

/** A port of an assertion: a number (TCP) or a one-port `Port` of TCP, UDP or SCTP. */
export function resolvePort(port: number | Port, scope: IConstruct): { port: number; protocol: string } {
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new MeshValidationError(`port must be 1-65535, got ${port}`, scope);
    }
    return { port, protocol: Protocol.TCP };
  }
  if (!(port instanceof Port)) {
    throw new MeshValidationError(`pass a port number or a Port, got ${String(port)}`, scope);
  }
  if (port.endPort !== undefined && port.endPort !== port.startPort) {
    throw new MeshValidationError(`ask about one port, got the range ${port}; assert each port you care about`, scope);
  }
  if (port.protocol === Protocol.ANY) {
    throw new MeshValidationError(`ask about one protocol, got ${port}; use Port.tcp, Port.udp or Port.sctp`, scope);
  }
  return { port: port.startPort, protocol: port.protocol };
}
