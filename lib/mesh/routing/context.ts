import type { IConstruct } from 'constructs';
import { checkCapability, Feature } from '../../cilium/capabilities';
import type { CiliumProfile } from '../../cilium/profile';
import { atScope } from '../../private/errors';
import { validateDnsLabel } from '../../private/validate';
import { claimObjectName, objectNameFor } from '../object-names';
import { ServiceMesh } from '../service-mesh';
import { resolveBackend, type IBackend } from './backend';
import { ReferenceGrants } from './reference-grants';
import { requireGatewayApi } from './validation';

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
  return explicit ?? ServiceMesh.ofScope(scope).namespace ?? 'default';
}

/** A RouteContext for a route of `kind` in `namespace`, recording grants on the mesh's ReferenceGrants. */
export function routeContext(scope: IConstruct, kind: string, namespace: string): RouteContext {
  const mesh = ServiceMesh.ofScope(scope);
  return {
    profile: mesh.cilium,
    backendRef: (backend) => {
      const ref = resolveBackend(backend, namespace);
      if (ref.namespace !== namespace) {
        ReferenceGrants.of(mesh).allow({
          fromKind: kind,
          fromNamespace: namespace,
          toKind: 'Service',
          toNamespace: ref.namespace,
          toName: ref.name,
        });
        return { name: ref.name, namespace: ref.namespace, port: ref.port };
      }
      return { name: ref.name, port: ref.port };
    },
  };
}

/**
 * What every Gateway API construct does first: requires Gateway API on the install (error otherwise), warns that
 * Envoy-based features are untested in aws-cni chaining, resolves and validates its namespace, and picks its object
 * name: the explicit one, else derived from its construct path below the mesh (as policy names are), claimed in the
 * mesh so that two constructs never emit the same object.
 *
 * Names are DNS labels (at most 63 characters) although the API allows longer ones: Cilium derives the Gateway's
 * Service name and the `gateway.networking.k8s.io/gateway-name` label value (max 63) from it, and shortened those
 * only in later releases (cilium/cilium#31285, #31292; CiliumEnvoyConfig names #45368).
 */
export function gatewayApiObject(
  scope: IConstruct,
  kind: string,
  namespace?: string,
  name?: string,
): { profile: CiliumProfile; namespace: string; name: string } {
  const mesh = ServiceMesh.ofScope(scope);
  const profile = mesh.cilium;
  // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
  profile.version.validate(scope);
  atScope(scope, () => requireGatewayApi(profile, kind));
  checkCapability(scope, Feature.GATEWAY_API, profile);
  const ns = atScope(scope, () => validateDnsLabel(`${kind} namespace`, namespaceOf(scope, namespace)));
  const objectName =
    name === undefined
      ? objectNameFor(scope, mesh, kind.toLowerCase())
      : atScope(scope, () => validateDnsLabel(`${kind} name`, name));
  claimObjectName(
    mesh,
    scope,
    kind,
    ns,
    objectName,
    'pass a different name, or give one of the constructs a different id (names derive from construct paths)',
  );
  return { profile, namespace: ns, name: objectName };
}
