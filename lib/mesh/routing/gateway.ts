import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { gatewayBindings } from './bindings';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { validateCidr } from '../../private/cidr';
import { atScope, MeshValidationError } from '../../private/errors';
import {
  validateCount,
  validateDnsLabel,
  validateDnsSubdomain,
  validateEnum,
  validateLabels,
  validatePort,
  validateString,
} from '../../private/validate';
import { meshObjectOf } from '../rendered-object';
import { ServiceMesh } from '../service-mesh';
import { gatewayApiUnsupportedReason } from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';
import { gatewayApiObject } from './context';
import type { IGateway } from './parent';
import { ReferenceGrants } from './reference-grants';
import { validateHostname } from './validation';

/**
 * Which namespaces may attach routes to a listener (`allowedRoutes.namespaces`). Labels are checked when a Gateway
 * uses the listener, so that the error names the Gateway.
 */
export class AllowedRoutes {
  /** Only routes in the Gateway's namespace (Gateway API default). */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes(gatewayBindings().GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME);
  }

  /** Routes from every namespace. */
  public static allNamespaces(): AllowedRoutes {
    return new AllowedRoutes(gatewayBindings().GatewaySpecListenersAllowedRoutesNamespacesFrom.ALL);
  }

  /** Routes from namespaces carrying all of `labels`. */
  public static fromNamespacesLabelled(labels: Record<string, string>): AllowedRoutes {
    return new AllowedRoutes(gatewayBindings().GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR, labels);
  }

  private constructor(
    private readonly from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom,
    private readonly labels?: Record<string, string>,
  ) {}

  /**
   * Whether a route in `routeNamespace` may attach as far as synth can tell (a label selector is taken as yes: the
   * namespaces' labels are not known here). @internal
   */
  public _admits(gatewayNamespace: string, routeNamespace: string): boolean {
    return (
      this.from !== gatewayBindings().GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME ||
      gatewayNamespace === routeNamespace
    );
  }

  /** Validates the selector (path-less error) and returns `allowedRoutes`, labels sorted. @internal */
  public _toKube(): gw.GatewaySpecListenersAllowedRoutes {
    if (this.labels && Object.keys(this.labels).length === 0) {
      throw new MeshValidationError(
        'namespace selector needs at least one label; use AllowedRoutes.allNamespaces() to allow every namespace',
      );
    }
    return { namespaces: { from: this.from, selector: this.labels && { matchLabels: validateLabels(this.labels) } } };
  }
}

/** The protocol of a Gateway listener (the kinds this library creates). */
export enum ListenerProtocol {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTPS, TLS terminated at the Gateway. */
  HTTPS = 'HTTPS',
  /** TLS passthrough. */
  TLS = 'TLS',
}

/** A TLS certificate for an HTTPS listener: a `kubernetes.io/tls` Secret. */
export interface CertificateSecret {
  /** Secret name. */
  readonly name: string;
  /** @default - the Gateway's namespace (another namespace gets a generated ReferenceGrant) */
  readonly namespace?: string;
}

/** Options common to every listener. */
export interface ListenerOptions {
  /** Listener name (`sectionName` for routes). @default - the protocol in lower case: `http`, `https`, `tls` */
  readonly name?: string;
  /** @default 80 for HTTP, 443 otherwise */
  readonly port?: number;
  /** Only requests/SNI for this host (wildcard allowed as leftmost label). @default - any host */
  readonly hostname?: string;
  /** @default AllowedRoutes.sameNamespace() */
  readonly allowedRoutes?: AllowedRoutes;
}

/** Options of an HTTPS listener. */
export interface HttpsListenerOptions extends ListenerOptions {
  /** Certificates to terminate TLS with (1-64). */
  readonly certificates: CertificateSecret[];
}

/**
 * A Gateway listener. One static factory per protocol. Options are checked when a Gateway uses the listener, so
 * that errors name the Gateway.
 */
export class Listener {
  /** Plain HTTP; takes HTTPRoute and GRPCRoute (h2c). */
  public static http(options: ListenerOptions = {}): Listener {
    return new Listener(ListenerProtocol.HTTP, options, 80);
  }

  /** HTTPS, terminating TLS at the Gateway with Kubernetes Secrets; takes HTTPRoute and GRPCRoute. */
  public static https(options: HttpsListenerOptions): Listener {
    return new Listener(ListenerProtocol.HTTPS, options, 443, options.certificates);
  }

  /** TLS passthrough: routes by SNI without decrypting; takes TLSRoute. */
  public static tlsPassthrough(options: ListenerOptions = {}): Listener {
    return new Listener(ListenerProtocol.TLS, options, 443);
  }

  public readonly name: string;
  public readonly port: number;

  private constructor(
    public readonly protocol: ListenerProtocol,
    public readonly options: ListenerOptions,
    defaultPort: number,
    public readonly certificates: CertificateSecret[] = [],
  ) {
    this.name = options.name ?? protocol.toLowerCase();
    this.port = options.port ?? defaultPort;
  }

  /** Validates the listener (path-less error; the Gateway wraps it with `atScope`). @internal */
  public _validate(): void {
    validateDnsLabel('listener name', this.name);
    validatePort('listener port', this.port);
    if (this.options.hostname !== undefined) validateHostname('listener hostname', this.options.hostname);
    this.options.allowedRoutes?._toKube();
    if (this.protocol === ListenerProtocol.HTTPS) {
      validateCount(
        `HTTPS listener '${this.name}' certificates`,
        this.certificates.length,
        { ...CRD_LIMITS.Gateway['spec.listeners[].tls.certificateRefs'], minItems: 1 },
        'pass the TLS Secret(s)',
      );
      for (const c of this.certificates) {
        validateDnsSubdomain('certificate Secret name', c.name);
        if (c.namespace !== undefined) validateDnsLabel('certificate Secret namespace', c.namespace);
      }
    }
  }

  /** The route kinds this listener accepts. */
  public get routeKinds(): string[] {
    return this.protocol === ListenerProtocol.TLS ? ['TLSRoute'] : ['GRPCRoute', 'HTTPRoute'];
  }

  /** The listener as rendered into a Gateway in `gatewayNamespace`. @internal */
  public _toKube(gatewayNamespace: string): gw.GatewaySpecListeners {
    return {
      name: this.name,
      protocol: this.protocol,
      port: this.port,
      hostname: this.options.hostname,
      allowedRoutes: this.options.allowedRoutes?._toKube(),
      tls:
        this.protocol === ListenerProtocol.HTTPS
          ? {
              mode: gatewayBindings().GatewaySpecListenersTlsMode.TERMINATE,
              certificateRefs: this.certificates.map((c) => ({
                kind: 'Secret',
                name: c.name,
                namespace: c.namespace !== undefined && c.namespace !== gatewayNamespace ? c.namespace : undefined,
              })),
            }
          : this.protocol === ListenerProtocol.TLS
            ? { mode: gatewayBindings().GatewaySpecListenersTlsMode.PASSTHROUGH }
            : undefined,
    };
  }
}

/** Scheme of the AWS load balancer. */
export enum LoadBalancerScheme {
  /** Reachable from the internet (public subnets). */
  INTERNET_FACING = 'internet-facing',
  /** Reachable inside the VPC only. */
  INTERNAL = 'internal',
}

/** NLB target type (`service.beta.kubernetes.io/aws-load-balancer-nlb-target-type`). */
export enum NlbTargetType {
  /** Node ports of the instances; works with Cilium, which serves the Gateway Service from every node. */
  INSTANCE = 'instance',
  /** Pod IPs of the Service's endpoints. Not usable with Cilium's Gateway (see `loadBalancerAnnotations`). */
  IP = 'ip',
}

/** AWS Network Load Balancer settings, provisioned by the AWS Load Balancer Controller. */
export interface AwsLoadBalancerOptions {
  /** @default LoadBalancerScheme.INTERNAL (the controller's own default) */
  readonly scheme?: LoadBalancerScheme;
  /** @default NlbTargetType.INSTANCE */
  readonly targetType?: NlbTargetType;
  /** Client CIDRs allowed to connect (IPv4 or IPv6). @default - any source */
  readonly sourceRanges?: string[];
}

/**
 * Service annotations for an AWS NLB managed by the AWS Load Balancer Controller (annotation names from its
 * Service annotation reference), written to the Gateway's `spec.infrastructure.annotations`, which Cilium copies
 * to the Gateway's LoadBalancer Service (cilium/cilium#29122, since Cilium 1.15).
 *
 * `ip` targets are rejected: Cilium's Gateway and Ingress Services have a placeholder endpoint
 * (192.192.192.192:9999) because eBPF on every node serves them, so the NLB must target node ports (`instance`).
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 */
export function loadBalancerAnnotations(o: AwsLoadBalancerOptions): Record<string, string> {
  if (o.scheme !== undefined) validateEnum('load balancer scheme', o.scheme, Object.values(LoadBalancerScheme));
  if (o.targetType !== undefined) validateEnum('NLB target type', o.targetType, Object.values(NlbTargetType));
  if (o.targetType === NlbTargetType.IP) {
    throw new MeshValidationError(
      "NLB target type 'ip' cannot work with Cilium's Gateway: its LoadBalancer Service has only a placeholder " +
        'endpoint (192.192.192.192:9999) and is served by eBPF on the nodes; use NlbTargetType.INSTANCE',
    );
  }
  const out: Record<string, string> = {
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': o.targetType ?? NlbTargetType.INSTANCE,
    'service.beta.kubernetes.io/aws-load-balancer-scheme': o.scheme ?? LoadBalancerScheme.INTERNAL,
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
  };
  if (o.sourceRanges?.length) {
    // The AWS Load Balancer Controller parses each range with Go's net.ParseCIDR.
    for (const c of o.sourceRanges) {
      validateCidr('load balancer source range', c);
    }
    out['service.beta.kubernetes.io/load-balancer-source-ranges'] = [...new Set(o.sourceRanges)].sort().join(',');
  }
  return out;
}

/** Properties of a `Gateway`. */
export interface GatewayProps {
  /** Listeners (1-64, unique names, unique port+hostname). */
  readonly listeners: Listener[];
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /** AWS NLB settings. @default - no load balancer annotations (the Service controller's defaults) */
  readonly loadBalancer?: AwsLoadBalancerOptions;
  /**
   * The object name (a DNS label, at most 63 characters).
   * @default - derived from the construct path below the ServiceMesh, like policy names (e.g. `public` for a Gateway
   * with id `Public`)
   */
  readonly name?: string;
}

/** A Gateway defined outside this app (e.g. by the platform team), for `Gateway.fromName`. */
export interface GatewayAttributes {
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** The Gateway's object name. */
  readonly name: string;
  /**
   * Its listeners, as the owner declared them: routes are then checked against them at synth (listener name,
   * route kind, allowed namespaces, hostnames), as for a Gateway of this app.
   * @default - unknown (the import's `listeners` is empty): routes are not checked against listeners
   */
  readonly listeners?: Listener[];
}

/**
 * A Gateway API `Gateway` of class `cilium`: Cilium's Envoy terminates the listeners behind a LoadBalancer
 * Service. Needs the Gateway API controller on the Cilium install (`gatewayApi`).
 * @see https://gateway-api.sigs.k8s.io/api-types/gateway/
 * @see https://docs.cilium.io/en/stable/network/servicemesh/gateway-api/gateway-api/
 */
export class Gateway extends Construct implements IGateway {
  /**
   * A Gateway that exists in the cluster but not in this app (e.g. owned by the platform team), for routes to
   * attach to: `ParentRef.gateway(Gateway.fromName(this, 'Shared', { namespace: 'infra', name: 'public' }))`.
   * Nothing is created for it; routes in other namespaces need the Gateway's listeners to allow them.
   */
  public static fromName(scope: Construct, id: string, attrs: GatewayAttributes): IGateway {
    return new ImportedGateway(scope, id, attrs);
  }

  /** The Gateway's object name. */
  public readonly name: string;
  /** The Gateway's namespace. */
  public readonly namespace: string;
  /** The listeners, in the order given. */
  public readonly listeners: Listener[];

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const { profile, namespace, name } = gatewayApiObject(this, 'Gateway', props.namespace, props.name);
    this.namespace = namespace;
    this.name = name;
    this.listeners = [...props.listeners];
    atScope(this, () => checkListeners(props.listeners));
    const annotations = props.loadBalancer
      ? atScope(this, () => checkInfrastructureAnnotations(loadBalancerAnnotations(props.loadBalancer!)))
      : undefined;
    const noInfrastructure = gatewayApiUnsupportedReason(profile, GatewayApiFeature.GATEWAY_INFRASTRUCTURE);
    if (annotations && noInfrastructure) {
      Annotations.of(this).addWarningV2(
        'cdk-cilium-mesh:gatewayInfrastructure',
        `the load balancer settings are written to Gateway spec.infrastructure, but ${noInfrastructure}; install the ` +
          'experimental-channel Gateway CRD or the API server rejects the load balancer annotations',
      );
    }
    for (const l of props.listeners) {
      for (const c of l.certificates) {
        if (c.namespace !== undefined && c.namespace !== this.namespace) {
          ReferenceGrants.of(ServiceMesh.ofScope(this)).allow({
            fromKind: 'Gateway',
            fromNamespace: this.namespace,
            toKind: 'Secret',
            toNamespace: c.namespace,
            toName: c.name,
          });
        }
      }
    }
    meshObjectOf(this, 'Resource', gatewayBindings().Gateway, {
      metadata: { name, namespace: this.namespace },
      spec: {
        gatewayClassName: 'cilium',
        listeners: props.listeners.map((l) => l._toKube(this.namespace)),
        infrastructure: annotations ? { annotations } : undefined,
      },
    });
  }
}

/** A Gateway of another owner: a name, a namespace and maybe its listeners; nothing is rendered for it. */
class ImportedGateway extends Construct implements IGateway {
  public readonly name: string;
  public readonly namespace: string;
  public readonly listeners: Listener[] = [];

  constructor(scope: Construct, id: string, attrs: GatewayAttributes) {
    super(scope, id);
    this.namespace = atScope(this, () => validateDnsLabel('Gateway namespace', attrs.namespace));
    this.name = atScope(this, () => validateDnsSubdomain('Gateway name', attrs.name));
    if (attrs.listeners !== undefined) {
      atScope(this, () => checkListeners(attrs.listeners!));
      this.listeners = [...attrs.listeners];
    }
  }
}

/** `spec.infrastructure.annotations` against the CRD: how many, and each value's length (e.g. many source ranges). */
function checkInfrastructureAnnotations(annotations: Record<string, string>): Record<string, string> {
  validateCount(
    'Gateway infrastructure annotations',
    Object.keys(annotations).length,
    CRD_LIMITS.Gateway['spec.infrastructure.annotations'],
    'use fewer load balancer settings',
  );
  for (const [key, value] of Object.entries(annotations)) {
    validateString(
      `Gateway infrastructure annotation '${key}'`,
      value,
      CRD_LIMITS.Gateway['spec.infrastructure.annotations{}'],
      'use fewer or wider source ranges',
    );
  }
  return annotations;
}

function checkListeners(listeners: readonly Listener[]): void {
  validateCount(
    'Gateway listeners',
    listeners.length,
    CRD_LIMITS.Gateway['spec.listeners'],
    'pass e.g. [Listener.http()]',
  );
  listeners.forEach((l) => l._validate());
  const seen = new Set<string>();
  const slots = new Set<string>();
  for (const l of listeners) {
    if (seen.has(l.name)) {
      throw new MeshValidationError(`listener name '${l.name}' is used twice; give each listener a distinct name`);
    }
    seen.add(l.name);
    const slot = `${l.port}/${l.options.hostname ?? '*'}`;
    if (slots.has(slot)) {
      throw new MeshValidationError(
        `two listeners use port ${l.port} with hostname '${l.options.hostname ?? '(any)'}'; give them distinct hostnames or ports`,
      );
    }
    slots.add(slot);
  }
}
