import { Testing } from 'cdk8s';
import { type ChainingProfileOptions, chainingProfile } from '../../../lib/cilium/profile';
import { ServiceMesh } from '../../../lib/mesh/service-mesh';

/** A fresh mesh in a fresh cdk8s app. */
export function newMesh(options: ChainingProfileOptions = {}): ServiceMesh {
  return new ServiceMesh(Testing.app(), 'Mesh', { cilium: chainingProfile(options) });
}

/** The synthesized objects of a mesh, sorted by kind, namespace and name (manifest order follows the construct tree). */
export function synthSorted(mesh: ServiceMesh): any[] {
  const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return Testing.synth(mesh).sort((a, b) => key(a).localeCompare(key(b)));
}

/** The spec of the one object named `name`. */
export function specOf(objects: any[], name: string): any {
  const o = objects.find((x) => x.metadata.name === name);
  if (!o) {
    throw new Error(`no object ${name} in ${objects.map((x) => x.metadata.name).join(', ')}`);
  }
  return o.spec;
}
