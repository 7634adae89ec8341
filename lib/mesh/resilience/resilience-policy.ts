import { Annotations } from 'aws-cdk-lib';
import type { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { capabilityMessage, capabilityOf, Feature, Support } from '../../cilium/capabilities';
import { envoyConfigOf, type CiliumProfile } from '../../cilium/profile';
import type * as cilium from '../../imports/cilium.io';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateDnsLabel } from '../../private/validate';
import { claimEnvoyService } from '../envoy-services';
import { claimObjectName, objectNameFor } from '../object-names';
import { Backend, type IBackend } from '../routing/backend';
import { namespaceOf } from '../routing/context';
import { generatedModule, meshObjectOf } from '../rendered-object';
import { ServiceMesh } from '../service-mesh';
import type { Workload } from '../workload/workload';
import type { ResilienceSettings } from './options';
import {
  checkEnvoyExtensions,
  renderLoadBalancerAnnotations,
  renderResilience,
  type ResilienceService,
} from './render';

/** From this line, Cilium's docs list kube-proxy replacement as a CiliumEnvoyConfig prerequisite (before: it or NodePort). */
const KPR_PREREQUISITE_MINOR = 19;
/** The first line that reads the `cec.cilium.io/use-original-source-address` annotation (earlier: the label). */
const ORIGINAL_SOURCE_ANNOTATION_MINOR = 19;

/**
 * The Service a resilience policy applies to (Istio DestinationRule `host`), one port of it. One static factory per
 * kind of reference.
 */
export class ResilienceTarget {
  /**
   * A cdk8s-plus Service; `port` may be omitted when it has one. A load-balancing algorithm alone is then
   * expressed with Cilium's Service annotations when the install has `loadBalancer.l7.backend: envoy`.
   */
  public static fromService(service: kplus.Service, port?: number): ResilienceTarget {
    return new ResilienceTarget(Backend.fromService(service, port), service, service.ports.length);
  }

  /** The Service in front of a mesh workload (`Workload.fromService` or `WorkloadProps.service`). */
  public static fromWorkload(workload: Workload, port?: number): ResilienceTarget {
    return new ResilienceTarget(Backend.fromWorkload(workload, port), undefined, workload.service?.ports.length);
  }

  /** A Service defined elsewhere, by namespace, name and port. */
  public static fromName(namespace: string, name: string, port: number): ResilienceTarget {
    return new ResilienceTarget(Backend.fromName(namespace, name, port), undefined, undefined);
  }

  private constructor(
    /** @internal */ public readonly _backend: IBackend,
    /** @internal */ public readonly _service: kplus.Service | undefined,
    /** @internal */ public readonly _portCount: number | undefined,
  ) {}
}

/** Properties of a `ResiliencePolicy`: the Service and what to apply to the traffic sent to it. */
export interface ResiliencePolicyProps extends ResilienceSettings {
  /** The Service (and port) whose callers get these settings. */
  readonly service: ResilienceTarget;
  /**
   * The CiliumEnvoyConfig's name (a DNS label).
   * @default - derived from the construct path below the ServiceMesh, like policy names
   */
  readonly name?: string;
}

/**
 * Resilience for the traffic sent to one Service: connection pool limits and circuit breakers, outlier detection,
 * the load-balancing algorithm, timeouts, retries, a local rate limit and abort faults, the Istio DestinationRule
 * and VirtualService settings rendered as a namespaced CiliumEnvoyConfig (Cilium redirects the Service's port to
 * an Envoy listener on each node, which applies them). A load-balancing algorithm alone on a cdk8s-plus Service
 * becomes the Service annotations `service.cilium.io/lb-l7`/`lb-l7-algorithm` when the install has
 * `loadBalancer.l7.backend: envoy`.
 *
 * Needs `envoyConfig.enabled` (or L7 load balancing for the annotations) on the install; the Service port must
 * speak HTTP. Settings apply per node (one Envoy per node): limits and rate limits multiply by the node count.
 * @see https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/
 */
export class ResiliencePolicy extends Construct {
  /** The Service, namespace and port the policy applies to. */
  public readonly service: ResilienceService;
  /**
   * The CiliumEnvoyConfig (`cilium.io/v2`), unless the policy was expressed as Service annotations. Typed as the
   * cdk8s `ApiObject`: the generated CRD bindings are not library API.
   */
  public readonly envoyConfig?: ApiObject;

  constructor(scope: Construct, id: string, props: ResiliencePolicyProps) {
    super(scope, id);
    const mesh = ServiceMesh.ofScope(this);
    // A CiliumVersion.of(...) is checked where it is first used, so that the error names a construct.
    mesh.cilium.version.validate(this);
    const profile = mesh.cilium;
    const { service: target, name, ...settings } = props;
    // ResilienceTarget.fromName checks its values when used (Backend.fromName): the error names this policy.
    const ref = atScope(this, () => target._backend.toBackendReference());
    this.service = { namespace: ref.namespace ?? namespaceOf(this), name: ref.name, port: ref.port };
    if (Object.values(settings).every((v) => v === undefined)) {
      throw new MeshValidationError(
        'a resilience policy needs at least one setting (connectionPool, outlierDetection, ' +
          'loadBalancer, timeouts, retries, localRateLimit or fault), got none; add one or remove the policy',
        this,
      );
    }
    if (!profile.l7Proxy) {
      throw new MeshValidationError(
        "resilience policies run in Cilium's Envoy, and the agent ignores CiliumEnvoyConfig " +
          "when the L7 proxy is off, got l7Proxy: false on this mesh's Cilium profile; remove l7Proxy: false",
        this,
      );
    }
    warnUntestedOnce(mesh, profile);
    if (!profile.kubeProxyReplacement && profile.version.isAtLeast(KPR_PREREQUISITE_MINOR)) {
      Annotations.of(mesh).addWarningV2(
        'cdk-cilium-mesh:envoyConfigWithoutKubeProxyReplacement',
        `resilience policies: Cilium's docs list kube-proxy replacement as a prerequisite of CiliumEnvoyConfig from 1.19 ` +
          `(l7-traffic-management.rst), got kubeProxyReplacement: false on Cilium ${profile.version.line}; the agent does not ` +
          'enforce it and this combination is untested, so use KubeProxyMode.REPLACE on the cluster',
      );
    }

    const annotations = renderLoadBalancerAnnotations(settings);
    if (annotations && target._service && profile.l7LoadBalancing) {
      claimEnvoyService(this.service.namespace, this.service.name, { kind: 'lbAnnotation', owner: this });
      for (const [k, v] of Object.entries(annotations)) {
        target._service.metadata.addAnnotation(k, v);
      }
      return;
    }
    if (!envoyConfigOf(profile)) {
      const alt = annotations
        ? target._service
          ? ', or loadBalancer.l7.backend: envoy (l7LoadBalancing: true) to express this algorithm as Service annotations'
          : ''
        : '';
      throw new MeshValidationError(
        "a resilience policy renders a CiliumEnvoyConfig, which this mesh's Cilium install " +
          `does not handle; enable envoyConfig.enabled (envoyConfig: true on the Cilium construct, or chainingProfile({ envoyConfig: true }))${alt}`,
        this,
      );
    }
    const rendered = atScope(this, () => {
      const r = renderResilience(settings, this.service);
      checkEnvoyExtensions(r.extensions, profile.version);
      return r;
    });
    if ((target._portCount ?? 1) > 1) {
      Annotations.of(this).addWarningV2(
        'cdk-cilium-mesh:envoyMultiPortService',
        `Service ${this.service.namespace}/${this.service.name} has ${target._portCount} ports; Cilium's EDS cluster ` +
          `${this.service.namespace}/${this.service.name} has been reported to mix the backends of several ports ` +
          '(cilium/cilium#27315); give the HTTP port its own Service',
      );
    }
    claimEnvoyService(this.service.namespace, this.service.name, {
      kind: 'resilience',
      owner: this,
      port: this.service.port,
    });
    const objectName = atScope(this, () =>
      cecName(name ?? objectNameFor(this, mesh, 'resilience'), this.service.name, name !== undefined),
    );
    claimObjectName(
      mesh,
      this,
      'CiliumEnvoyConfig',
      this.service.namespace,
      objectName,
      'pass a different name, or give one of the constructs a different id (names derive from construct paths)',
    );
    // Upstream sockets bound to the client's address can collide on pipelined connections; Cilium's docs ask
    // east-west CECs to turn that off (annotation from 1.19, the label before and still honoured).
    const originalSource = { 'cilium.io/use-original-source-address': 'false' };
    const newLine = profile.version.isAtLeast(ORIGINAL_SOURCE_ANNOTATION_MINOR);
    // The generated bindings (1 MB) are loaded when the first policy is made, not when the library is.
    const { CiliumEnvoyConfig } = ciliumBindings();
    this.envoyConfig = meshObjectOf(this, 'Resource', CiliumEnvoyConfig, {
      metadata: {
        name: objectName,
        namespace: this.service.namespace,
        ...(newLine
          ? { annotations: { 'cec.cilium.io/use-original-source-address': 'false' } }
          : { labels: originalSource }),
      },
      spec: {
        services: [{ name: this.service.name, namespace: this.service.namespace, ports: [this.service.port] }],
        resources: rendered.resources,
      },
    });
  }
}

/**
 * The CEC name: explicit (a DNS label) or derived; never one that Cilium's operator generates for the same Service
 * (`<service>` for a GAMMA route, `cilium-envoy-lb-<service>` for the L7 load-balancing annotations), which a
 * route or annotation added later outside this app would overwrite. A derived name that would is suffixed.
 */
function cecName(name: string, service: string, explicit: boolean): string {
  validateDnsLabel('ResiliencePolicy name', name);
  const generated = name === service || name === `cilium-envoy-lb-${service}`;
  if (!generated) return name;
  if (explicit) {
    throw new MeshValidationError(
      `ResiliencePolicy name '${name}' is the name Cilium's operator gives the ` +
        `CiliumEnvoyConfig it generates for Service '${service}' (GAMMA route or L7 load-balancing annotation), so one would ` +
        `overwrite the other; pass another name, e.g. '${service}-resilience'`,
    );
  }
  return `${name.slice(0, 63 - '-resilience'.length).replace(/-+$/, '')}-resilience`;
}

/** Meshes already checked by `warnUntestedOnce`: a mesh's profile does not change, so once per mesh. */
const UNTESTED_CHECKED = new WeakSet<ServiceMesh>();

/**
 * The capability warning for Envoy-based features, once per mesh (on the mesh): Cilium's Envoy L7 path is not
 * tested upstream in aws-cni chaining. No warning on a datapath where it is supported (ENI).
 */
function warnUntestedOnce(mesh: ServiceMesh, profile: CiliumProfile): void {
  if (UNTESTED_CHECKED.has(mesh)) return;
  const capability = capabilityOf(Feature.ENVOY_CONFIG, profile.datapath, profile.version);
  if (capability.support === Support.INCOMPATIBLE) {
    throw new MeshValidationError(capabilityMessage(Feature.ENVOY_CONFIG, profile, capability), mesh);
  }
  UNTESTED_CHECKED.add(mesh);
  if (capability.support === Support.SUPPORTED) return;
  Annotations.of(mesh).addWarningV2(
    'cdk-cilium-mesh:envoyUntestedInChaining',
    `resilience policies: ${capabilityMessage(Feature.ENVOY_CONFIG, profile, capability)}. With ` +
      "use-original-source-address off (as these policies set it), Envoy connects to the endpoints from the node's " +
      "Ingress IP, which in chaining comes from Cilium's cluster-pool IPAM rather than the VPC (not confirmed on a " +
      'cluster); the ENI datapath is the supported alternative',
  );
}

let bindings: typeof cilium | undefined;

/** The generated Cilium bindings, loaded on first use and kept (a `require` of a loaded module still resolves its path). */
function ciliumBindings(): typeof cilium {
  return (bindings ??= generatedModule(require('../../imports/cilium.io') as typeof cilium));
}
