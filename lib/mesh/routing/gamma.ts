import { Annotations } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import { atScope, MeshValidationError } from '../../private/errors';
import { claimEnvoyService } from '../envoy-services';
import { ServiceMesh } from '../service-mesh';
import { resolveBackend } from './backend';
import type { ParentRef } from './parent';
import { gatewayApiUnsupportedReason } from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';

const GAMMA_KEYS = Symbol.for('cdk-cilium-mesh.gammaKeys');

/**
 * Checks and records the Service (GAMMA) parents of a route: GRPCRoute on a Service needs Cilium 1.19
 * (cilium/cilium#41936); a second route on the same Service gets a warning, as Cilium's GAMMA reconciler applied only
 * one route per Service in the releases it was reported against (cilium/cilium#39830, "since Cilium v1.16").
 */
export function registerGammaParents(
  route: Construct,
  kind: string,
  namespace: string,
  parents: readonly ParentRef[],
): void {
  // routes on Gateways only (most routes): nothing to resolve or record
  if (!parents.some((p) => p.isService)) return;
  const mesh = ServiceMesh.ofScope(route);
  const profile = mesh.cilium;
  // Resolving a parent validates its Service reference (Backend.fromName checks at use): errors name the route.
  const keys = atScope(route, () =>
    parents.map((p) => p._serviceKey(namespace)).filter((k): k is string => k !== undefined),
  );
  if (keys.length === 0) return;
  const noGrpcGamma =
    kind === 'GRPCRoute' ? gatewayApiUnsupportedReason(profile, GatewayApiFeature.GRPC_ROUTE_GAMMA) : undefined;
  if (noGrpcGamma) {
    throw new MeshValidationError(
      `GRPCRoute with a Service parent: ${noGrpcGamma}; use an HttpRoute or upgrade Cilium`,
      route,
    );
  }
  for (const p of parents) {
    if (p._service) {
      const ref = atScope(route, () => resolveBackend(p._service!, namespace));
      claimEnvoyService(ref.namespace, ref.name, { kind: 'gamma', owner: route });
    }
  }
  const registry = gammaRegistry(mesh);
  for (const key of keys) {
    const other = registry.get(key);
    if (other) {
      Annotations.of(route).addWarningV2(
        'cdk-cilium-mesh:gammaOneRoutePerService',
        `Service ${key} already has the GAMMA route ${other.node.path}; Cilium's GAMMA reconciler has applied only one route ` +
          'per Service (cilium/cilium#39830), so put all rules for this Service into one route',
      );
    } else {
      registry.set(key, route);
    }
  }
}

function gammaRegistry(mesh: ServiceMesh): Map<string, IConstruct> {
  const holder = mesh as unknown as { [GAMMA_KEYS]?: Map<string, IConstruct> };
  if (!holder[GAMMA_KEYS]) {
    Object.defineProperty(holder, GAMMA_KEYS, { value: new Map<string, IConstruct>() });
  }
  return holder[GAMMA_KEYS]!;
}
