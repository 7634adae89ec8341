import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { chainingProfile, CiliumVersion, ServiceMesh, type ChainingProfileOptions } from '../../../lib';

/** A mesh for the given profile options; Gateway API on by default. */
export function meshFor(options: ChainingProfileOptions = {}, namespace?: string): ServiceMesh {
  return new ServiceMesh(Testing.app(), 'mesh', {
    namespace,
    cilium: chainingProfile({ gatewayApi: true, ...options }),
  });
}

export const V1_16 = { version: CiliumVersion.V1_16 };

/** A cdk8s-plus Service with the given ports. */
export function service(scope: ServiceMesh, id: string, ports: number[], namespace?: string): kplus.Service {
  return new kplus.Service(scope, id, {
    metadata: { name: id, namespace },
    ports: ports.map((port) => ({ port })),
    selector: kplus.Pods.select(scope, `${id}-pods`, { labels: { app: id } }),
  });
}

/** The synthesized objects of `kind`. */
export function objectsOf(mesh: ServiceMesh, kind: string): any[] {
  return Testing.synth(mesh).filter((o: any) => o.kind === kind);
}

/** The Gateway API objects only (what the CRD validator checks). */
export function gatewayObjects(mesh: ServiceMesh): any[] {
  return Testing.synth(mesh).filter((o: any) => String(o.apiVersion).startsWith('gateway.networking.k8s.io/'));
}
