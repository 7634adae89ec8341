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
  /** `dns`. */
  public static dns(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('dns', options); }
  /** `drop`. */
  public static drop(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('drop', options); }
  /** `tcp`. */
  public static tcp(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('tcp', options); }
  /** `flow`. */
  public static flow(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('flow', options); }
  /** `icmp`. */
  public static icmp(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('icmp', options); }
  /** `port-distribution`. */
  public static portDistribution(options: HubbleMetricOptions = {}): HubbleMetric {
    return new HubbleMetric('port-distribution', options);
  }
  /** `policy` (policy verdicts). */
  public static policy(options: HubbleMetricOptions = {}): HubbleMetric { return new HubbleMetric('policy', options); }
  /** `httpV2`: HTTP request metrics from the L7 proxy (needs L7 visibility). */
  public static httpV2(options: HttpV2MetricOptions = {}): HubbleMetric {
    return new HubbleMetric('httpV2', options, options.exemplars ? [['exemplars', 'true']] : []);
  }

  /** The metric name, e.g. `httpV2`. */
  public readonly name: string;
  /** True when the metric asks for exemplars (OpenMetrics). */
  public readonly exemplars: boolean;
  private readonly options: HubbleMetricOptions;
  private readonly leading: Array<[string, string]>;

  private constructor(name: string, options: HubbleMetricOptions, leading: Array<[string, string]> = []) {
    this.name = name;
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
          throw new MeshValidationError(`Hubble metric '${this.name}': ${key} entry '${v}' is malformed; ` +
            'use lower-case names such as source_namespace or workload-name');
        }
      }
      pairs.push([key, values.join(sep)]);
    };
    ctx('sourceContext', this.options.sourceContext, /^[a-z][a-z-]*$/, '|');
    ctx('destinationContext', this.options.destinationContext, /^[a-z][a-z-]*$/, '|');
    ctx('labelsContext', this.options.labelsContext?.map((l) => l.name), CONTEXT_LABEL, ',');
    return pairs.length === 0 ? this.name : `${this.name}:${pairs.map(([k, v]) => `${k}=${v}`).join(';')}`;
  }
}
