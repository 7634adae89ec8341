import type * as kplus from 'cdk8s-plus-34';
import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../../private/errors';
import { validateDnsLabel, validatePort } from '../../private/validate';
import type { Workload } from '../workload/workload';

/**
 * What a route needs to know about a backend: a Kubernetes Service (Gateway API `backendRefs` with the core
 * group and kind `Service`), its namespace and port.
 */
export interface BackendReference {
  /** Service name. */
  readonly name: string;
  /**
   * Namespace of the Service.
   * @default - the namespace of the route that refers to it
   */
  readonly namespace?: string;
  /** Service port. */
  readonly port: number;
}

/**
 * Something a route can send traffic to (`backendRefs`, mirror targets, GAMMA parents). Kept small on purpose so
 * that other constructs (e.g. mesh workloads) can implement it.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#backendref
 */
export interface IBackend {
  /** The Service, namespace and port this backend stands for. */
  toBackendReference(): BackendReference;
}

/** Factories for `IBackend`. */
export class Backend {
  /**
   * A cdk8s-plus Service. The name and namespace come from the Service; `port` must be one of its ports and may
   * be omitted when the Service has exactly one.
   */
  public static fromService(service: kplus.Service, port?: number): IBackend {
    const chosen = choosePort(
      () => `Service '${service.name}'`,
      service.ports.map((p) => p.port),
      port,
      'Backend.fromService(service',
      service,
    );
    const ref: BackendReference = { name: service.name, namespace: service.metadata.namespace, port: chosen };
    return { toBackendReference: () => ref };
  }

  /**
   * A mesh workload, through the Service in front of its pods (`WorkloadProps.service`, set by
   * `Workload.fromService`). `port` must be one of that Service's ports and may be omitted when it has exactly one.
   */
  public static fromWorkload(workload: Workload, port?: number): IBackend {
    const service = workload.service;
    if (!service) {
      throw new MeshValidationError(
        `workload '${workload.node.id}' has no Service, and routes send traffic to Services; create the workload with ` +
          'Workload.fromService(scope, id, service) or pass service: { name, ports } in its props',
        workload,
      );
    }
    const chosen = choosePort(
      () => `the Service '${service.name}' of workload '${workload.node.id}'`,
      service.ports,
      port,
      'Backend.fromWorkload(workload',
      workload,
    );
    const ref: BackendReference = { name: service.name, namespace: workload.namespace, port: chosen };
    return { toBackendReference: () => ref };
  }

  /**
   * A Service by namespace, name and port (for Services not defined in this app). The values are checked when a
   * route or policy uses the backend, so that the error names it.
   */
  public static fromName(namespace: string, name: string, port: number): IBackend {
    return {
      toBackendReference: () => ({
        namespace: validateDnsLabel('backend namespace', namespace),
        name: validateDnsLabel('backend Service name', name),
        port: validatePort('backend port', port),
      }),
    };
  }

  private constructor() {}
}

/**
 * The port a backend uses: `port` if it is one of `ports`, else the only one. `what` names the Service in errors
 * (built only for one: this runs for every backend of every route).
 */
function choosePort(
  what: () => string,
  servicePorts: readonly number[],
  port: number | undefined,
  call: string,
  scope: IConstruct,
): number {
  if (servicePorts.length === 1 && (port === undefined || port === servicePorts[0])) {
    return servicePorts[0];
  }
  const ports = [...servicePorts].sort((a, b) => a - b);
  if (port === undefined) {
    if (ports.length !== 1) {
      throw new MeshValidationError(
        `${what()} has ${ports.length} ports (${ports.join(', ') || 'none'}), so the backend port cannot be inferred; ` +
          `pass it: ${call}, ${ports[0] ?? 80})`,
        scope,
      );
    }
    return ports[0];
  }
  if (!ports.includes(port)) {
    throw new MeshValidationError(
      `${what()} has no port ${port} (its ports: ${ports.join(', ') || 'none'}); pass one of its ports`,
      scope,
    );
  }
  return port;
}

/** The backend's reference with its namespace resolved against the namespace of the referring route. */
export function resolveBackend(backend: IBackend, routeNamespace: string): Required<BackendReference> {
  const ref = backend.toBackendReference();
  return { name: ref.name, namespace: ref.namespace ?? routeNamespace, port: ref.port };
}
