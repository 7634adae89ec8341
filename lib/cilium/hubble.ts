import { MeshValidationError } from '../private/errors';

const CONTEXT_LABEL = /^[a-z][a-z_]*$/;

/**
 * A label context for Hubble metrics (`sourceContext`, `destinationContext` and `labelsContext` values),
 * e.g. `source_namespace`.
 * @see https://docs.cilium.io/en/stable/observability/metrics/#hubble-exported-metrics
 */
export class HubbleContextLabel {
  public static readonly SOURCE_IP = new HubbleContextLabel('source_ip');
  public static readonly SOURCE_NAMESPACE = new HubbleContextLabel('source_namespace');
  public static readonly SOURCE_WORKLOAD = new HubbleContextLabel('source_workload');
  public static readonly SOURCE_APP = new HubbleContextLabel('source_app');
  public static readonly SOURCE_POD = new HubbleContextLabel('source_pod');
  public static readonly DESTINATION_IP = new HubbleContextLabel('destination_ip');
  public static readonly DESTINATION_NAMESPACE = new HubbleContextLabel('destination_namespace');
  public static readonly DESTINATION_WORKLOAD = new HubbleContextLabel('destination_workload');
  public static readonly DESTINATION_APP = new HubbleContextLabel('destination_app');
  public static readonly DESTINATION_POD = new HubbleContextLabel('destination_pod');
  public static readonly TRAFFIC_DIRECTION = new HubbleContextLabel('traffic_direction');

  /** Any other label name Hubble knows (lower case, underscores). */
  public static of(name: string): HubbleContextLabel {
    return new HubbleContextLabel(name);
  }

  private constructor(public readonly name: string) {}
}

/** Options that every Hubble metric accepts. */
export interface HubbleMetricOptions {
  /**
   * `labelsContext`: labels added to every series of the metric. Rendered in the given order.
   * @default - none
   */
  readonly labelsContext?: HubbleContextLabel[];
  /**
   * `sourceContext`: how the source is identified (alternatives joined by `|`), e.g. `['workload-name', 'reserved-identity']`.
   * @default - Hubble's default (`identity`... per metric)
   */
  readonly sourceContext?: string[];
  /**
   * `destinationContext`, as `sourceContext`.
   * @default - Hubble's default
   */
  readonly destinationContext?: string[];
}

/** Options of the `httpV2` metric. */
export interface HttpV2MetricOptions extends HubbleMetricOptions {
  /**
   * `exemplars=true`: attach trace IDs as OpenMetrics exemplars (requires `hubble.metrics.enableOpenMetrics`,
   * which `renderCiliumValues` sets when any metric asks for exemplars).
   * @default false
   */
  readonly exemplars?: boolean;
}

/**
 * One entry of `hubble.metrics.enabled`: a metric name plus its options, rendered as
 * `name:key=value;key=v1,v2`, e.g. `httpV2:exemplars=true;labelsContext=source_ip,source_namespace`.
 * @see https://docs.cilium.io/en/stable/observability/metrics/#hubble-exported-metrics
 */
export class HubbleMetric {
  /**
   * `dns`: DNS requests and responses seen by the DNS proxy, so only for traffic a DNS rule covers (`DnsRule`,
   * `Peer.fqdn`, the DNS allow of `DefaultDeny`). Needs L7 visibility: checked as `Feature.L7_METRICS`.
   */
  public static dns(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('dns', options, [], true);
  }
  /** `drop`. */
  public static drop(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('drop', options);
  }
  /** `tcp`. */
  public static tcp(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('tcp', options);
  }
  /** `flow`. */
  public static flow(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('flow', options);
  }
  /** `icmp`. */
  public static icmp(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('icmp', options);
  }
  /** `port-distribution`. */
  public static portDistribution(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('port-distribution', options);
  }
  /** `policy` (policy verdicts). */
  public static policy(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('policy', options);
  }
  /**
   * `httpV2`: HTTP request metrics from Envoy, so only for traffic an L7 HTTP rule covers (`HttpRule`), a Gateway or
   * an Ingress. Needs L7 visibility: checked as `Feature.L7_METRICS` (unsupported in aws-cni chaining).
   */
  public static httpV2(options: HttpV2MetricOptions = {}): HubbleMetric {
    return new HubbleMetric('httpV2', options, options.exemplars ? [['exemplars', 'true']] : [], true);
  }

  /** The metric name, e.g. `httpV2`. */
  public readonly name: string;
  /** True when the metric asks for exemplars (OpenMetrics). */
  public readonly exemplars: boolean;
  /** True when the metric is computed from L7 flows (Envoy or the DNS proxy). */
  public readonly needsL7Visibility: boolean;
  private readonly options: HubbleMetricOptions;
  private readonly leading: Array<[string, string]>;

  private constructor(name: string, options: HubbleMetricOptions, leading: Array<[string, string]> = [], l7 = false) {
    this.name = name;
    this.needsL7Visibility = l7;
    this.options = options;
    this.leading = leading;
    this.exemplars = leading.some(([k]) => k === 'exemplars');
  }

  /** The `hubble.metrics.enabled` entry. Throws a path-less `MeshValidationError` on a malformed label. */
  public render(): string {
    const pairs: Array<[string, string]> = [...this.leading];
    const ctx = (key: string, values: string[] | undefined, pattern: RegExp, sep: string) => {
      if (!values || values.length === 0) return;
      for (const v of values) {
        if (!pattern.test(v)) {
          throw new MeshValidationError(
            `Hubble metric '${this.name}': ${key} entry '${v}' is malformed; ` +
              'use lower-case names such as source_namespace or workload-name',
          );
        }
      }
      pairs.push([key, values.join(sep)]);
    };
    ctx('sourceContext', this.options.sourceContext, /^[a-z][a-z-]*$/, '|');
    ctx('destinationContext', this.options.destinationContext, /^[a-z][a-z-]*$/, '|');
    ctx(
      'labelsContext',
      this.options.labelsContext?.map((l) => l.name),
      CONTEXT_LABEL,
      ',',
    );
    return pairs.length === 0 ? this.name : `${this.name}:${pairs.map(([k, v]) => `${k}=${v}`).join(';')}`;
  }
}

/** Options of `HubbleUiExposure.internalLoadBalancer`. */
export interface InternalLoadBalancerOptions {
  /**
   * The only client CIDRs the load balancer accepts (`service.beta.kubernetes.io/load-balancer-source-ranges`,
   * security group rules of the AWS Load Balancer Controller). Required: the UI has no authentication.
   */
  readonly allowedCidrs: string[];
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * How the Hubble UI is reached from outside the cluster. Without one it stays a ClusterIP Service (the chart
 * default), reached with `cilium hubble ui` or `kubectl port-forward`.
 */
export class HubbleUiExposure {
  /**
   * An internal Network Load Balancer of the AWS Load Balancer Controller (which must be installed), IP targets,
   * reachable only from `allowedCidrs`.
   * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
   */
  public static internalLoadBalancer(options: InternalLoadBalancerOptions): HubbleUiExposure {
    return new HubbleUiExposure(options);
  }

  private constructor(private readonly options: InternalLoadBalancerOptions) {}

  /**
   * The `hubble.ui.service` values. Throws a path-less `MeshValidationError` without CIDRs or with a bad one.
   * @internal
   */
  public _render(): { type: 'LoadBalancer'; annotations: { [key: string]: string } } {
    const cidrs = this.options.allowedCidrs ?? [];
    if (cidrs.length === 0) {
      throw new MeshValidationError(
        'hubble.uiExposure: allowedCidrs is empty, which would expose the Hubble UI (no ' +
          "authentication) to the whole VPC; pass the CIDRs of your operators, e.g. ['10.20.0.0/16']",
      );
    }
    for (const c of cidrs) {
      const m = IPV4_CIDR.exec(c);
      if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32 || c === '0.0.0.0/0') {
        throw new MeshValidationError(
          `hubble.uiExposure: allowedCidrs entry '${c}' is not a restricting IPv4 CIDR; pass e.g. '10.20.0.0/16'`,
        );
      }
    }
    return {
      type: 'LoadBalancer',
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/load-balancer-source-ranges': [...new Set(cidrs)].sort().join(','),
      },
    };
  }
}

/**
 * The label contexts a platform team needs on policy verdicts and drops: namespace and workload on both sides.
 * `HubbleOptions.policyVerdictMetrics` renders `policy` and `drop` with them.
 */
export const POLICY_VERDICT_LABELS: readonly HubbleContextLabel[] = [
  HubbleContextLabel.SOURCE_NAMESPACE,
  HubbleContextLabel.SOURCE_WORKLOAD,
  HubbleContextLabel.DESTINATION_NAMESPACE,
  HubbleContextLabel.DESTINATION_WORKLOAD,
];

/** What the Hubble values expose outside the cluster, one `key: value` each (empty when both stay ClusterIP). */
export function hubbleExposures(values: { readonly [key: string]: unknown }): string[] {
  const at = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        values,
      );
  const out: string[] = [];
  for (const key of ['hubble.relay.service.type', 'hubble.ui.service.type']) {
    const type = at(key);
    if (type !== undefined && type !== 'ClusterIP') out.push(`${key}: ${JSON.stringify(type)}`);
  }
  const ingress = at('hubble.ui.ingress.enabled');
  if (ingress === true || ingress === 'true') out.push(`hubble.ui.ingress.enabled: ${JSON.stringify(ingress)}`);
  return out;
}

/**
 * Hubble Relay (the cluster-wide flow API) and the UI have no authentication of their own, so they stay ClusterIP
 * Services: anything in the rendered values that exposes them (a NodePort or LoadBalancer Service, the UI's
 * Ingress) is refused unless it is the UI's typed `uiExposure` (an internal NLB with source ranges) or
 * `allowExternalExposure` is true. Throws a path-less `MeshValidationError`.
 */
export function checkHubbleExposure(
  values: { readonly [key: string]: unknown },
  options: { readonly uiExposure?: HubbleUiExposure; readonly allowExternalExposure?: boolean },
): void {
  if (options.allowExternalExposure === true) return;
  const typed = options.uiExposure?._render();
  const ui = ((values.hubble as Record<string, unknown> | undefined)?.ui as Record<string, unknown> | undefined)
    ?.service;
  const exposures = hubbleExposures(values).filter(
    (e) =>
      !(
        typed &&
        e.startsWith('hubble.ui.service.type:') &&
        JSON.stringify(ui) === JSON.stringify({ ...(ui as object), ...typed })
      ),
  );
  if (exposures.length > 0) {
    throw new MeshValidationError(
      `the values expose Hubble outside the cluster (${exposures.join(', ')}), and Hubble ` +
        'Relay and UI have no authentication; keep them ClusterIP (reach them with cilium hubble port-forward / cilium ' +
        'hubble ui), use hubble.uiExposure for an internal load balancer, or set hubble.allowExternalExposure: true',
    );
  }
}
