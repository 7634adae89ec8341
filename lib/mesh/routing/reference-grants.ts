import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { CRD_LIMITS } from '../../imports/crd-limits';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { gatewayBindings } from './bindings';
import { meshObjectOf } from '../rendered-object';
import type { ServiceMesh } from '../service-mesh';
import { gatewayApiSupports } from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';

const ID = 'ReferenceGrants';

/** One cross-namespace reference that needs a ReferenceGrant in the target's namespace. */
export interface GrantRequest {
  /** Kind of the referring object (`HTTPRoute`, `GRPCRoute`, `TLSRoute`, `Gateway`). */
  readonly fromKind: string;
  /** Namespace of the referring object. */
  readonly fromNamespace: string;
  /** Kind of the target: `Service` or `Secret`, both of the core group. */
  readonly toKind: string;
  /** Namespace of the target, where the grant is created. */
  readonly toNamespace: string;
  /** Name of the target. */
  readonly toName: string;
}

type GrantFrom = gw.ReferenceGrantSpecFrom;
type GrantTo = gw.ReferenceGrantSpecTo;

/** The CRD's limits on `spec.from` and `spec.to` (16 each in every Gateway API release). */
const MAX_FROM = CRD_LIMITS.ReferenceGrant['spec.from'].maxItems;
const MAX_TO = CRD_LIMITS.ReferenceGrant['spec.to'].maxItems;

function sortedUnique<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return [...new Map(xs.map((x) => [key(x), x])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, x]) => x);
}

function fromOf(requests: readonly GrantRequest[]): GrantFrom[] {
  return sortedUnique(
    requests.map((r) => ({ group: 'gateway.networking.k8s.io', kind: r.fromKind, namespace: r.fromNamespace })),
    (f) => `${f.kind}/${f.namespace}`,
  );
}

function toOf(requests: readonly GrantRequest[]): GrantTo[] {
  return sortedUnique(
    requests.map((r) => ({ group: '', kind: r.toKind, name: r.toName })),
    (t) => `${t.kind}/${t.name}`,
  );
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out.length ? out : [[]];
}

/** How many ReferenceGrants the requests for one namespace need: one per (from chunk, to chunk) of 16 entries. */
export function referenceGrantCount(requests: readonly GrantRequest[]): number {
  return (
    Math.max(1, Math.ceil(fromOf(requests).length / MAX_FROM)) * Math.max(1, Math.ceil(toOf(requests).length / MAX_TO))
  );
}

/**
 * The ReferenceGrants for one target namespace, from the requests for that namespace (sorted, deduplicated). A grant
 * allows every `from` to refer to every `to`, and the CRD allows 16 of each, so the sorted lists are cut into chunks
 * of 16 and every pair of chunks gets one grant: the same permissions as one grant, at any scale. The split depends
 * only on the set of requests, not on the order in which routes were added.
 */
export function renderReferenceGrantSpecs(requests: readonly GrantRequest[]): gw.ReferenceGrantSpec[] {
  const out: gw.ReferenceGrantSpec[] = [];
  for (const from of chunks(fromOf(requests), MAX_FROM)) {
    for (const to of chunks(toOf(requests), MAX_TO)) out.push({ from, to });
  }
  return out;
}

/**
 * The ReferenceGrants of a mesh (`v1` on Cilium 1.20, `v1beta1` before): one per target namespace, named by cdk8s
 * from the mesh id, the namespace and a hash of the path (e.g. `shop-referencegrants-certs-c8a6e7e9`), so that
 * meshes sharing a namespace do not overwrite each other's grants; created on first need and filled at synth time, so
 * that the output does not depend on the order in which routes were added. Past 16 referring kinds and namespaces or
 * 16 targets in one namespace (the CRD's `maxItems`), the namespace gets further grants (ids `<namespace>.1`, ...),
 * each with at most 16 of each. Routes and gateways use it; it is not created directly.
 * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
 */
export class ReferenceGrants extends Construct {
  /** The mesh's ReferenceGrants (created on first use). */
  public static of(mesh: ServiceMesh): ReferenceGrants {
    return (mesh.node.tryFindChild(ID) as ReferenceGrants | undefined) ?? new ReferenceGrants(mesh, ID);
  }

  private readonly requests = new Map<string, GrantRequest[]>();
  private readonly created = new Map<string, number>();
  private readonly v1: boolean;

  private constructor(mesh: ServiceMesh, id: string) {
    super(mesh, id);
    this.v1 = gatewayApiSupports(mesh.cilium, GatewayApiFeature.REFERENCE_GRANT_V1);
  }

  /** Records that `request.from*` may refer to `request.to*`. */
  public allow(request: GrantRequest): void {
    let list = this.requests.get(request.toNamespace);
    if (!list) {
      list = [];
      this.requests.set(request.toNamespace, list);
    }
    list.push(request);
    // The number of grants only grows with the set of requests, so the objects are created here and filled at synth.
    const captured = list;
    const ns = request.toNamespace;
    for (let i = this.created.get(ns) ?? 0; i < referenceGrantCount(captured); i++) {
      const index = i;
      const props = {
        metadata: { namespace: ns },
        spec: Lazy.any({ produce: () => renderReferenceGrantSpecs(captured)[index] }),
      };
      // The first grant keeps the id it always had, so that existing grants keep their names.
      // Later ids use '.', which no namespace (a DNS label) contains, so they never meet another namespace's id.
      const id = index === 0 ? ns : `${ns}.${index}`;
      // ReferenceGrant v1 is not in Gateway API v1.1.0 (Cilium 1.16), which serves v1alpha2 and v1beta1 only;
      // v1beta1 is served by every Gateway API release up to v1.6.1.
      if (this.v1) meshObjectOf(this, id, gatewayBindings().ReferenceGrant, props);
      else meshObjectOf(this, id, gatewayBindings().ReferenceGrantV1Beta1, props);
      this.created.set(ns, index + 1);
    }
  }
}
