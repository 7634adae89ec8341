import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../../private/errors';
import { resolveBackend, type IBackend } from './backend';
import type { Listener } from './gateway';
import { hostnamesIntersect } from './validation';

/** The `parentRefs` entry of a route, as rendered (same shape for every route kind). @internal */
export interface RenderedParentRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/**
 * A Gateway a route can attach to: a `Gateway` of this app, or one the platform team owns, imported with
 * `Gateway.fromName`.
 */
export interface IGateway extends IConstruct {
  /** The Gateway's object name. */
  readonly name: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /**
   * The Gateway's listeners, against which routes are checked at synth (listener name, route kind, allowed
   * namespaces, hostnames). Empty when they are unknown (a `Gateway.fromName` import that does not name them):
   * routes are then not checked, and only the Gateway's status tells whether they attached.
   */
  readonly listeners: Listener[];
}

/**
 * Where a route attaches (Gateway API `ParentReference`): a Gateway (north-south) or a Service (east-west, GAMMA).
 * One static factory per variant.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class ParentRef {
  /**
   * A Gateway, optionally one listener of it.
   * @param gateway a `Gateway`, or an import from `Gateway.fromName`
   * @param sectionName the listener's name
   */
  public static gateway(gateway: IGateway, sectionName?: string): ParentRef {
    return new ParentRef(gateway, undefined, sectionName);
  }

  /**
   * A Service, for east-west routing (GAMMA): the route applies to traffic sent to this Service's port from
   * inside the mesh, e.g. to split calls between versions or set timeouts.
   */
  public static service(service: IBackend): ParentRef {
    return new ParentRef(undefined, service);
  }

  private constructor(
    private readonly gatewayRef?: IGateway,
    private readonly serviceRef?: IBackend,
    private readonly sectionName?: string,
  ) {}

  /** True for a Service (GAMMA) parent. */
  public get isService(): boolean {
    return this.serviceRef !== undefined;
  }

  /** The Service of a GAMMA parent. @internal */
  public get _service(): IBackend | undefined {
    return this.serviceRef;
  }

  /** `namespace/name:port` of a Service parent, resolved against the route's namespace. @internal */
  public _serviceKey(routeNamespace: string): string | undefined {
    if (!this.serviceRef) return undefined;
    const r = resolveBackend(this.serviceRef, routeNamespace);
    return `${r.namespace}/${r.name}:${r.port}`;
  }

  /**
   * Renders this parent for a route of `kind` in `routeNamespace` with `hostnames`, and checks that it can attach:
   * the listener exists, accepts the kind and the route's namespace, and shares a hostname with the route (only
   * when the Gateway's listeners are known). Throws path-less errors; routes call it under `atScope`.
   * @internal
   */
  public _toKube(kind: string, routeNamespace: string, hostnames: readonly string[]): RenderedParentRef {
    if (this.serviceRef) {
      const ref = resolveBackend(this.serviceRef, routeNamespace);
      if (ref.namespace !== routeNamespace) {
        throw new MeshValidationError(
          `${kind} in namespace '${routeNamespace}' has Service parent ${ref.namespace}/${ref.name}: a GAMMA consumer route ` +
            '(route and Service in different namespaces) is not supported by Cilium (MeshConsumerRoute, cilium/cilium#32744); ' +
            `create the route in namespace '${ref.namespace}'`,
        );
      }
      return { group: '', kind: 'Service', name: ref.name, port: ref.port };
    }
    const g = this.gatewayRef!;
    if (g.listeners.length > 0) checkAttachment(g, g.listeners, this.sectionName, kind, routeNamespace, hostnames);
    return {
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: g.name,
      namespace: g.namespace !== routeNamespace ? g.namespace : undefined,
      sectionName: this.sectionName,
    };
  }
}

function checkAttachment(
  g: IGateway,
  listeners: readonly Listener[],
  sectionName: string | undefined,
  kind: string,
  routeNamespace: string,
  hostnames: readonly string[],
): void {
  const candidates = sectionName ? listeners.filter((l) => l.name === sectionName) : [...listeners];
  if (sectionName && candidates.length === 0) {
    throw new MeshValidationError(
      `listener '${sectionName}' does not exist on Gateway ${g.node.path} (listeners: ${listeners.map((l) => l.name).join(', ')}); pass one of them`,
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
}

function attachProblem(
  l: Listener,
  gatewayNamespace: string,
  kind: string,
  routeNamespace: string,
  hostnames: readonly string[],
): string | undefined {
  if (!l.routeKinds.includes(kind)) {
    return `${l.protocol} listeners take ${l.routeKinds.join('/')}, not ${kind}`;
  }
  const admitted = l.options.allowedRoutes
    ? l.options.allowedRoutes._admits(gatewayNamespace, routeNamespace)
    : routeNamespace === gatewayNamespace;
  if (!admitted) {
    return `allows routes from namespace '${gatewayNamespace}' only (allowedRoutes Same), route is in '${routeNamespace}'`;
  }
  if (hostnames.length && !hostnames.some((h) => hostnamesIntersect(l.options.hostname, h))) {
    return `hostname '${l.options.hostname}' matches none of the route's hostnames (${hostnames.join(', ')})`;
  }
  return undefined;
}
