import { ApiObject } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { MeshValidationError, atScope } from '../../private/errors';
import { validateDnsLabel, validateDnsSubdomain, validateLabels, validatePort } from '../../private/validate';
import type { SelectorManifest } from '../policy/manifest';
import { EnforcementRegistry, WorkloadMirrors } from '../policy/mirroring';
import { NetworkPolicy } from '../policy/network-policy';
import type { IMeshPeer, IPolicySubject, PolicyPeer } from '../policy/peers';
import { Port, Protocol, sortPorts } from '../policy/ports';
import type { AllowOptions, DenyOptions } from '../policy/rules';
import { ServiceMesh } from '../service-mesh';
import { recordServiceSelector } from '../service-selectors';

/** Cilium's label for a pod's namespace, usable in peer selectors. */
export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** Cilium's label for a pod's ServiceAccount. */
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';

/** Properties of a `Workload`: pods selected by namespace and labels. */
export interface WorkloadProps {
  /** The namespace of the pods. */
  readonly namespace: string;
  /**
   * The pod labels that select the workload (all must match). Must not be empty: use
   * `Workload.allInNamespace` to mean every pod of a namespace.
   */
  readonly labels: { [key: string]: string };
  /**
   * The ports the pods serve; rules towards the workload without explicit ports use them.
   * @default - none known: such rules allow all ports
   */
  readonly ports?: Port[];
  /**
   * The Service in front of these pods, so that routes can send traffic to the workload
   * (`Backend.fromWorkload(workload)`). `Workload.fromService` sets it.
   * @default - none: the workload can be a policy peer but not a route backend
   */
  readonly service?: WorkloadService;
}

/** The Service in front of a workload's pods: what Gateway API routes send traffic to. */
export interface WorkloadService {
  /** The Service name (in the workload's namespace). */
  readonly name: string;
  /** The Service's ports (`port`, not `targetPort`); routes must use one of them. */
  readonly ports: number[];
}

/** Options for `Workload.fromService` and `Workload.fromDeployment`. */
export interface WorkloadFromResourceOptions {
  /**
   * The namespace, when the resource's `metadata.namespace` is not set.
   * @default - the resource's metadata.namespace
   */
  readonly namespace?: string;
}

/** Attributes of a workload referenced by name (`Workload.fromName`). */
export interface WorkloadNameAttributes {
  /** The namespace. */
  readonly namespace: string;
  /** The workload's name, as in its name label. */
  readonly name: string;
  /**
   * The label carrying the name.
   * @default 'app.kubernetes.io/name'
   */
  readonly nameLabel?: string;
}

/** Attributes of a workload selected by ServiceAccount. */
export interface ServiceAccountAttributes {
  /** The namespace of the ServiceAccount. */
  readonly namespace: string;
  /** The ServiceAccount name. */
  readonly name: string;
}

/**
 * A set of pods that policies apply to and that rules can name as a peer: `backend.allowFrom(frontend,
 * { ports: [Port.tcp(8080)] })`. Created under a `ServiceMesh`. Rules added with its methods go to one
 * CiliumNetworkPolicy per workload (`workload.policy`), created on first use.
 *
 * The matching rule on the peer's side is rendered when that side is enforced by a `DefaultDeny` of the
 * same mesh (see `AllowOptions.mirror`).
 */
export class Workload extends Construct implements IPolicySubject {
  /** Pods of a cdk8s-plus Service: its selector, namespace and target ports. Read when called. */
  public static fromService(
    scope: Construct,
    id: string,
    service: kplus.Service,
    options: WorkloadFromResourceOptions = {},
  ): Workload {
    const spec = (ApiObject.of(service).toJson() as { spec?: { selector?: Record<string, string> } }).spec;
    const ports = service.ports.map((p) => portOf(p.targetPort ?? p.port, p.protocol));
    return new Workload(scope, id, {
      namespace: namespaceOf(scope, id, service.metadata.namespace, options, 'Service'),
      labels: spec?.selector ?? {},
      ports,
      service: { name: service.name, ports: service.ports.map((p) => p.port) },
    });
  }

  /** Pods of a cdk8s-plus Deployment: its matchLabels, namespace and container ports. Read when called. */
  public static fromDeployment(
    scope: Construct,
    id: string,
    deployment: kplus.Deployment,
    options: WorkloadFromResourceOptions = {},
  ): Workload {
    const ports = deployment.containers.flatMap((c) => c.ports.map((p) => portOf(p.number, p.protocol)));
    return new Workload(scope, id, {
      namespace: namespaceOf(scope, id, deployment.metadata.namespace, options, 'Deployment'),
      labels: deployment.matchLabels,
      ports,
    });
  }

  /** Pods running as a ServiceAccount (Cilium label `io.cilium.k8s.policy.serviceaccount`). */
  public static fromServiceAccount(scope: Construct, id: string, attrs: ServiceAccountAttributes): Workload {
    atScope(scope, () => validateDnsSubdomain('ServiceAccount name', attrs.name));
    return new Workload(scope, id, { namespace: attrs.namespace, labels: { [SERVICE_ACCOUNT_LABEL]: attrs.name } });
  }

  /** A workload defined elsewhere, by name label (default `app.kubernetes.io/name`). */
  public static fromName(scope: Construct, id: string, attrs: WorkloadNameAttributes): Workload {
    return new Workload(scope, id, {
      namespace: attrs.namespace,
      labels: { [attrs.nameLabel ?? 'app.kubernetes.io/name']: attrs.name },
    });
  }

  /** Every pod of a namespace, explicitly (an empty selector is refused elsewhere). */
  public static allInNamespace(scope: Construct, id: string, namespace: string): Workload {
    const props: WorkloadProps = { namespace, labels: {} };
    ALL_IN_NAMESPACE.add(props);
    return new Workload(scope, id, props);
  }

  /** The namespace of the pods. */
  public readonly namespace: string;
  /** The selecting labels, sorted. Empty for `allInNamespace`. */
  public readonly labels: { [key: string]: string };
  /** The ports the pods serve, sorted (may be empty). */
  public readonly ports: Port[];
  /** The Service in front of the pods, when known (see `WorkloadProps.service`); ports sorted. */
  public readonly service?: WorkloadService;
  /** A stable key of namespace and labels. */
  public readonly selectorKey: string;
  private readonly mirrors: WorkloadMirrors;
  private _policy?: NetworkPolicy;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const allowEmpty = ALL_IN_NAMESPACE.has(props);
    this.mirrors = new WorkloadMirrors(this, EnforcementRegistry.of(ServiceMesh.ofScope(this)), () => void this.policy);
    this.namespace = atScope(this, () => validateDnsLabel('workload namespace', props.namespace));
    this.labels = atScope(this, () => validateLabels(props.labels));
    if (!allowEmpty && Object.keys(this.labels).length === 0) {
      throw new MeshValidationError(
        `workload labels are empty, which would select every pod in namespace '${this.namespace}'; ` +
          `say so explicitly with Workload.allInNamespace(scope, id, '${this.namespace}') or pass labels`,
        this,
      );
    }
    if (Object.keys(this.labels).some((k) => k === NAMESPACE_LABEL)) {
      throw new MeshValidationError(
        `workload labels must not contain '${NAMESPACE_LABEL}'; pass the namespace in 'namespace'`,
        this,
      );
    }
    this.ports = sortPorts(props.ports ?? []);
    atScope(this, () => this.ports.forEach((p) => p._toKube()));
    this.selectorKey = `${this.namespace}/${JSON.stringify(this.labels)}`;
    if (props.service) {
      this.service = atScope(this, () => checkService(props.service!));
      if (Object.keys(this.labels).length > 0) {
        recordServiceSelector(ServiceMesh.ofScope(this), this, this.namespace, this.service.name, this.labels);
      }
    }
  }

  /** The `endpointSelector` of policies for this workload (in its namespace), in Cilium's wire form. */
  public get endpointSelector(): { [key: string]: any } {
    return Object.keys(this.labels).length === 0 ? {} : { matchLabels: { ...this.labels } };
  }

  /** The workload's own CiliumNetworkPolicy, which `allowFrom`/`allowTo`/`denyFrom`/`denyTo` add rules to. */
  public get policy(): NetworkPolicy {
    if (!this._policy) {
      this._policy = new NetworkPolicy(this, 'Policy', { workload: this });
      this._policy._addRuleSource(() => this.mirrors.render());
    }
    return this._policy;
  }

  /** Allows traffic from `peer` to this workload (on this workload's known ports unless ports are given). */
  public allowFrom(peer: IMeshPeer, options: AllowOptions = {}): void {
    this.policy.allowFrom(peer, options);
  }

  /** Allows traffic from this workload to `peer` (on the peer's known ports unless ports are given). */
  public allowTo(peer: IMeshPeer, options: AllowOptions = {}): void {
    this.policy.allowTo(peer, options);
  }

  /** Denies traffic from `peer` to this workload; wins over every allow. */
  public denyFrom(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.policy.denyFrom(peer, options);
  }

  /** Denies traffic from this workload to `peer`; wins over every allow. */
  public denyTo(peer: IMeshPeer, options: DenyOptions = {}): void {
    this.policy.denyTo(peer, options);
  }

  /**
   * This workload as a rule peer: its labels plus its namespace label.
   * @internal
   */
  public _toPolicyPeer(): PolicyPeer {
    const selector: SelectorManifest = { matchLabels: { [NAMESPACE_LABEL]: this.namespace, ...this.labels } };
    return {
      key: `workload:${this.selectorKey}`,
      from: { fromEndpoints: [selector] },
      to: { toEndpoints: [selector] },
      mirrorTarget: this.mirrors,
      ports: this.ports,
    };
  }
}

/** Props objects made by `Workload.allInNamespace`: the one way to select every pod of a namespace. */
const ALL_IN_NAMESPACE = new WeakSet<WorkloadProps>();

function checkService(service: WorkloadService): WorkloadService {
  const name = validateDnsLabel('workload Service name', service.name);
  if (service.ports.length === 0) {
    throw new MeshValidationError(
      `workload Service '${name}' needs at least one port; pass the Service's ports, e.g. ports: [80]`,
    );
  }
  const ports = [...new Set(service.ports.map((p) => validatePort(`workload Service '${name}' port`, p)))].sort(
    (a, b) => a - b,
  );
  return { name, ports };
}

function portOf(port: number, protocol?: kplus.Protocol): Port {
  switch (protocol) {
    case undefined:
    case 'TCP':
      return Port.tcp(port);
    case 'UDP':
      return Port.udp(port);
    default:
      return Port.range(Protocol.SCTP, port, port);
  }
}

function namespaceOf(
  scope: Construct,
  id: string,
  ns: string | undefined,
  options: WorkloadFromResourceOptions,
  kind: string,
): string {
  const out = options.namespace ?? ns;
  if (out === undefined) {
    throw new MeshValidationError(
      `the ${kind} for workload '${id}' has no metadata.namespace; set it on the ${kind} or pass { namespace } to Workload.from${kind}`,
      scope,
    );
  }
  return out;
}
