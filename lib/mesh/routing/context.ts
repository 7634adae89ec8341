import type { IConstruct } from 'constructs';
import type { CiliumProfile } from '../../cilium/profile';
import { ServiceMesh } from '../service-mesh';
import { resolveBackend, type IBackend } from './backend';
import { ReferenceGrants } from './reference-grants';

/** A reference to a Service as rendered into a route (namespace only when it differs from the route's). */
export interface RenderedBackendRef {
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
}

/** What rendering a route rule needs to know about the route. */
export interface RouteContext {
  readonly profile: CiliumProfile;
  /** Renders `backend` and records the ReferenceGrant a cross-namespace reference needs. */
  backendRef(backend: IBackend): RenderedBackendRef;
}

/** The namespace objects of `scope` go to: explicit, else the ServiceMesh chart's, else `default`. */
export function namespaceOf(scope: IConstruct, explicit?: string): string {
  return explicit ?? ServiceMesh.of(scope).namespace ?? 'default';
}

/** A RouteContext for a route of `kind` in `namespace`, recording grants on the mesh's ReferenceGrants. */
export function routeContext(scope: IConstruct, kind: string, namespace: string): RouteContext {
  const mesh = ServiceMesh.of(scope);
  return {
    profile: mesh.cilium,
    backendRef: (backend) => {
      const ref = resolveBackend(backend, namespace);
      if (ref.namespace !== namespace) {
        ReferenceGrants.of(mesh).allow({ fromKind: kind, fromNamespace: namespace, toKind: 'Service', toNamespace: ref.namespace, toName: ref.name });
        return { name: ref.name, namespace: ref.namespace, port: ref.port };
      }
      return { name: ref.name, port: ref.port };
    },
  };
}
