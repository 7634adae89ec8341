import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import type { ServiceMesh } from '../service-mesh';

const ID = 'ReferenceGrants';

/** One cross-namespace reference that needs a ReferenceGrant in the target's namespace. */
export interface GrantRequest {
  /** Kind of the referring object (`HTTPRoute`, `GRPCRoute`, `TLSRoute`, `Gateway`). */
  readonly fromKind: string;
  readonly fromNamespace: string;
  /** Kind of the target (`Service` or `Secret`, both core group). */
  readonly toKind: 'Service' | 'Secret';
  readonly toNamespace: string;
  readonly toName: string;
}

/** The ReferenceGrant for one target namespace, from the requests for that namespace (sorted, deduplicated). */
export function renderReferenceGrantSpec(requests: readonly GrantRequest[]): gw.ReferenceGrantSpec {
  const uniq = <T>(xs: T[], key: (x: T) => string) =>
    [...new Map(xs.map((x) => [key(x), x])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
  return {
    from: uniq(
      requests.map((r) => ({ group: 'gateway.networking.k8s.io', kind: r.fromKind, namespace: r.fromNamespace })),
      (f) => `${f.kind}/${f.namespace}`,
    ),
    to: uniq(
      requests.map((r) => ({ group: '', kind: r.toKind, name: r.toName })),
      (t) => `${t.kind}/${t.name}`,
    ),
  };
}

/**
 * The ReferenceGrants of a mesh (`v1` on Cilium 1.20, `v1beta1` before): one per target namespace, named by cdk8s
 * from the mesh id, the namespace and a hash of the path (e.g. `shop-referencegrants-certs-c8a6e7e9`), so that
 * meshes sharing a namespace do not overwrite each other's grants; created on first need and filled at synth time, so that the output does not depend on the order
 * in which routes were added. Routes and gateways use it; it is not created directly.
 * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
 */
export class ReferenceGrants extends Construct {
  /** The mesh's ReferenceGrants (created on first use). */
  public static of(mesh: ServiceMesh): ReferenceGrants {
    return (mesh.node.tryFindChild(ID) as ReferenceGrants | undefined) ?? new ReferenceGrants(mesh, ID);
  }

  private readonly requests = new Map<string, GrantRequest[]>();
  private readonly v1: boolean;

  private constructor(mesh: ServiceMesh, id: string) {
    super(mesh, id);
    this.v1 = mesh.cilium.version.isAtLeast(20);
  }

  /** Records that `request.from*` may refer to `request.to*`. */
  public allow(request: GrantRequest): void {
    let list = this.requests.get(request.toNamespace);
    if (!list) {
      list = [];
      this.requests.set(request.toNamespace, list);
      const captured = list;
      const props = {
        metadata: { namespace: request.toNamespace },
        spec: Lazy.any({ produce: () => renderReferenceGrantSpec(captured) }),
      };
      // ReferenceGrant v1 is not in Gateway API v1.1.0 (Cilium 1.16), which serves v1alpha2 and v1beta1 only;
      // v1beta1 is served by every Gateway API release up to v1.6.1.
      if (this.v1) new gw.ReferenceGrant(this, request.toNamespace, props);
      else new gw.ReferenceGrantV1Beta1(this, request.toNamespace, props);
    }
    list.push(request);
  }
}
