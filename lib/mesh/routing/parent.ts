import { MeshValidationError } from '../../private/errors';
import { resolveBackend, type IBackend } from './backend';
import type { Gateway, Listener } from './gateway';
import { hostnamesIntersect } from './validation';

/** The `parentRefs` entry of a route, as rendered (same shape for every route kind). */
export interface RenderedParentRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/**
 * Where a route attaches: a Gateway (north-south) or a Service (east-west, GAMMA). One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class RouteParent {
  /** A Gateway, optionally one listener of it (`sectionName`). */
  public static gateway(gateway: Gateway, listener?: string): RouteParent {
    return new RouteParent(gateway, undefined, listener);
  }

  /**
   * A Service, for east-west routing (GAMMA): the route applies to traffic sent to this Service's port from
   * inside the mesh, e.g. to split calls between versions or set timeouts.
   */
  public static service(service: IBackend): RouteParent {
    return new RouteParent(undefined, service);
  }

  private constructor(
    /** @internal */ public readonly _gateway?: Gateway,
    /** @internal */ public readonly _service?: IBackend,
    /** @internal */ public readonly _listener?: string,
  ) {}

  /** True for a Service (GAMMA) parent. */
  public get isService(): boolean {
    return this._service !== undefined;
  }

  /** `namespace/name:port` of a Service parent, resolved against the route's namespace. @internal */
  public _serviceKey(routeNamespace: string): string | undefined {
    if (!this._service) return undefined;
    const r = resolveBackend(this._service, routeNamespace);
    return `${r.namespace}/${r.name}:${r.port}`;
  }
}

/**
 * Renders `parent` for a route of `kind` in `routeNamespace` with `hostnames`, and checks that it can attach:
 * the listener exists, accepts the kind and the route's namespace, and shares a hostname with the route.
 */
export function renderParent(parent: RouteParent, kind: string, routeNamespace: string, hostnames: readonly string[]): RenderedParentRef {
  if (parent._service) {
    const ref = resolveBackend(parent._service, routeNamespace);
    if (ref.namespace !== routeNamespace) {
      throw new MeshValidationError(
        `${kind} in namespace '${routeNamespace}' has Service parent ${ref.namespace}/${ref.name}: a GAMMA consumer route ` +
          '(route and Service in different namespaces) is not supported by Cilium (MeshConsumerRoute, cilium/cilium#32744); ' +
          `create the route in namespace '${ref.namespace}'`,
      );
    }
    return {
      group: '', kind: 'Service', name: ref.name,
      namespace: ref.namespace !== routeNamespace ? ref.namespace : undefined, port: ref.port,
    };
  }
  const g = parent._gateway!;
  const candidates = parent._listener ? g.listeners.filter((l) => l.name === parent._listener) : [...g.listeners];
  if (parent._listener && candidates.length === 0) {
    throw new MeshValidationError(
      `listener '${parent._listener}' does not exist on Gateway ${g.node.path} (listeners: ${g.listeners.map((l) => l.name).join(', ')}); pass one of them`,
    );
  }
  const reasons: string[] = [];
  const ok = candidates.filter((l) => {
    const why = attachProblem(l, g.namespace, kind, routeNamespace, hostnames);
    if (why) reasons.push(`listener '${l.name}': ${why}`);
    return !why;
  });
  if (ok.length === 0) {
    throw new MeshValidationError(
      `${kind} cannot attach to Gateway ${g.node.path}: ${reasons.join('; ')}; fix the route's hostnames/namespace or the listener`,
    );
  }
  return {
    group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name,
    namespace: g.namespace !== routeNamespace ? g.namespace : undefined, sectionName: parent._listener,
  };
}

function attachProblem(l: Listener, gatewayNamespace: string, kind: string, routeNamespace: string, hostnames: readonly string[]): string | undefined {
  if (!l.routeKinds.includes(kind)) {
    return `${l.protocol} listeners take ${l.routeKinds.join('/')}, not ${kind}`;
  }
  const from = l.options.allowedRoutes?.from ?? 'Same';
  if (from === 'Same' && routeNamespace !== gatewayNamespace) {
    return `allows routes from namespace '${gatewayNamespace}' only (allowedRoutes Same), route is in '${routeNamespace}'`;
  }
  if (hostnames.length && !hostnames.some((h) => hostnamesIntersect(l.options.hostname, h))) {
    return `hostname '${l.options.hostname}' matches none of the route's hostnames (${hostnames.join(', ')})`;
  }
  return undefined;
}
