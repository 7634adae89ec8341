import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { chainingProfile, type CiliumProfile } from '../cilium/profile';
import type { DeliveryReview, DeliveryWarning, ReviewPlace } from '../delivery/deliverable';
import type { DeliveredObject } from '../delivery/plan';
import { ConstructWalk } from '../private/construct-walk';
import { MeshValidationError } from '../private/errors';
import type { EnvoyServiceClaim } from './envoy-services';
import { findEnvoySourceIdentityDrops, type ObjectManifest } from './checks/envoy-source-identity';
import { meshReview } from './review/mesh-review';
import { renderChart } from './rendered-object';
import { serviceSelectorsOf } from './service-selectors';

const SERVICE_MESH = Symbol.for('cdk-cilium-mesh.ServiceMesh');

/** The id of the cross-check warning about routes whose backends drop Envoy's `ingress` identity. */
const ENVOY_SOURCE_IDENTITY_WARNING = 'cdk-cilium-mesh:envoySourceIdentity';

/**
 * One warning of a mesh: its id (what `Annotations.acknowledgeWarning` takes), the construct and the text.
 * @internal
 */
export interface MeshWarning {
  /** The warning id, e.g. `cdk-cilium-mesh:l7Policy`. */
  readonly id: string;
  /** Path of the construct the warning is about. */
  readonly path: string;
  /** The warning text, without its id. */
  readonly message: string;
}

/** Properties of a `ServiceMesh`. */
export interface ServiceMeshProps extends ChartProps {
  /**
   * The Cilium installation the mesh objects are for: decides which API versions are emitted and which
   * features get capability warnings or errors. Pass `cilium.profile` of the `Cilium` construct.
   * @default chainingProfile() - Cilium 1.20 in aws-cni chaining mode, no SPIRE, no Gateway API
   */
  readonly cilium?: CiliumProfile;
}

/**
 * The root of the mesh layer: a cdk8s chart that owns the mesh's Kubernetes objects (policies, routes,
 * gateways). Synthesize it to YAML in a plain cdk8s app, or deliver it to an EKS cluster with
 * `cilium.addMesh(mesh)`, which applies it after Cilium is ready.
 */
export class ServiceMesh extends Chart {
  /** True if `x` is a ServiceMesh (works across copies of this library). */
  public static isServiceMesh(x: unknown): x is ServiceMesh {
    return typeof x === 'object' && x !== null && SERVICE_MESH in x;
  }

  /**
   * The ServiceMesh that `scope` belongs to; throws when `scope` is not inside one. (Not `of`: cdk8s `Chart.of`
   * returns a `Chart`, and jsii refuses a static method that narrows an inherited one's return type.)
   */
  public static ofScope(scope: IConstruct): ServiceMesh {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if (ServiceMesh.isServiceMesh(s)) {
        return s;
      }
    }
    throw new MeshValidationError(
      'mesh constructs must be created inside a ServiceMesh; create one with new ServiceMesh(app, id) and use it ' +
        '(or a construct below it) as the scope',
      scope,
    );
  }

  /** The Cilium installation this mesh renders for. */
  public readonly cilium: CiliumProfile;

  /**
   * Which constructs make Cilium put an Envoy listener in front of which Service (GAMMA routes, resilience
   * policies), keyed `namespace/name`; see envoy-services.ts.
   * @internal
   */
  public readonly _envoyServices = new Map<string, EnvoyServiceClaim[]>();

  constructor(scope: Construct, id: string, props: ServiceMeshProps = {}) {
    super(scope, id, props);
    Object.defineProperty(this, SERVICE_MESH, { value: true });
    this.cilium = props.cilium ?? chainingProfile();
    this.cilium.version.validate(this);
  }

  /**
   * The mesh's Kubernetes objects, as cdk8s's `Chart.toJson()` gives them (same validation, order and values),
   * rendered in one walk when no construct of the app has a dependency (see rendered-object.ts).
   */
  public override toJson(): any[] {
    return renderChart(this) ?? super.toJson();
  }

  /**
   * The delivery hook (`WalkedChart`): `toJson()` with the constructs read from `walk` (the delivery's, or the one
   * `warnings` or the review diagram make); a subclass's own `toJson()`, if it has one.
   * @internal
   */
  public _deliveryObjects(walk: ConstructWalk): any[] {
    if (this.toJson !== ServiceMesh.prototype.toJson) {
      return this.toJson();
    }
    return renderChart(this, walk) ?? super.toJson();
  }

  /**
   * Warnings recorded on constructs of this mesh (capability checks and the like), as `path: message`,
   * sorted. A plain cdk8s app has no warning display, so print these; `cilium.addMesh` re-emits them as
   * CDK warnings.
   */
  public get warnings(): string[] {
    // one walk for the warnings recorded on constructs, the objects and their cross-checks
    const walk = new ConstructWalk();
    const out: string[] = [];
    for (const c of walk.findAll(this)) {
      for (const entry of c.node.metadata) {
        if (entry.type === 'aws:cdk:warning') {
          out.push(`${c.node.path}: ${String(entry.data)}`);
        }
      }
    }
    return [
      ...out,
      ...this._crossChecks(this._deliveryObjects(walk), walk).map((w) => `${w.path}: ${w.message}`),
    ].sort();
  }

  /**
   * The delivery hook (`DeliveryCheckedChart`): `MeshDelivery` re-emits these cross-checks as CDK warnings.
   * @internal
   */
  public _deliveryWarnings(objects: readonly DeliveredObject[], walk?: ConstructWalk): DeliveryWarning[] {
    return this._crossChecks(objects as readonly ObjectManifest[], walk);
  }

  /**
   * The review hook (`ReviewedChart`): the Cilium install in the YAML's header and the Mermaid diagram.
   * @internal
   */
  public _deliveryReview(
    objects: readonly DeliveredObject[],
    place: ReviewPlace,
    walk?: ConstructWalk,
  ): DeliveryReview {
    return meshReview(this, objects, place, walk);
  }

  /**
   * Warnings that need the whole mesh (routes against policies), computed from the synthesized objects
   * (`this.toJson()`), with the path of the construct each is about and the warning id; the constructs are read from
   * `walk` when the caller has one.
   * @internal
   */
  public _crossChecks(objects: readonly ObjectManifest[], walk?: ConstructWalk): MeshWarning[] {
    const findings = findEnvoySourceIdentityDrops(objects, this.cilium.version.minor, serviceSelectorsOf(this));
    if (findings.length === 0) {
      return [];
    }
    // the construct each finding is about, found only when there are findings (a walk over every object)
    const paths = new Map<string, string>();
    for (const c of (walk ?? new ConstructWalk()).findAll(this)) {
      if (c instanceof ApiObject) {
        const namespace = c.metadata.namespace ?? Chart.of(c).namespace;
        // The construct users created: above the ApiObject and any 'Resource' wrappers (cdk8s-plus objects).
        let owner: IConstruct = c.node.scope ?? c;
        while (owner.node.id === 'Resource' && owner.node.scope) {
          owner = owner.node.scope;
        }
        paths.set(
          objectKey({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.name, namespace } }),
          owner.node.path,
        );
      }
    }
    return findings.map((f) => {
      const o = objects[f.index];
      const key = objectKey({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', metadata: o.metadata ?? {} });
      return { id: ENVOY_SOURCE_IDENTITY_WARNING, path: paths.get(key) ?? this.node.path, message: f.message };
    });
  }
}

function objectKey(o: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;
}
