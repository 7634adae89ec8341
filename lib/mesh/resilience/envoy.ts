/**
 * The subset of the Envoy v3 API (protojson, proto field names) that the resilience constructs emit into
 * CiliumEnvoyConfig `spec.resources`. The CRD types `resources` as free-form objects, so these shapes are the only
 * compile-time check; CI decodes every emitted resource with Envoy's own protobuf definitions (scripts/envoy).
 */

const T = 'type.googleapis.com/';
/** `@type` URLs of what is emitted. */
export const TYPE = {
  LISTENER: `${T}envoy.config.listener.v3.Listener`,
  ROUTE_CONFIGURATION: `${T}envoy.config.route.v3.RouteConfiguration`,
  CLUSTER: `${T}envoy.config.cluster.v3.Cluster`,
  HTTP_CONNECTION_MANAGER: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  ROUTER: `${T}envoy.extensions.filters.http.router.v3.Router`,
  LOCAL_RATE_LIMIT: `${T}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`,
  HTTP_PROTOCOL_OPTIONS: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
} as const;

/** `envoy.type.v3.FractionalPercent`. */
export interface EnvoyFractionalPercent {
  readonly numerator: number;
  readonly denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

/** `envoy.config.core.v3.RuntimeFractionalPercent`. */
export interface EnvoyRuntimeFractionalPercent {
  readonly default_value: EnvoyFractionalPercent;
  readonly runtime_key?: string;
}

/** `envoy.config.cluster.v3.CircuitBreakers.Thresholds`. */
export interface EnvoyThresholds {
  readonly priority?: 'DEFAULT';
  readonly max_connections?: number;
  readonly max_pending_requests?: number;
  readonly max_requests?: number;
  readonly max_retries?: number;
  readonly retry_budget?: {
    readonly budget_percent: { readonly value: number };
    readonly min_retry_concurrency?: number;
  };
}

/** `envoy.config.cluster.v3.OutlierDetection`. */
export interface EnvoyOutlierDetection {
  readonly consecutive_5xx?: number;
  readonly enforcing_consecutive_5xx?: number;
  readonly consecutive_gateway_failure?: number;
  readonly enforcing_consecutive_gateway_failure?: number;
  readonly split_external_local_origin_errors?: boolean;
  readonly consecutive_local_origin_failure?: number;
  readonly enforcing_consecutive_local_origin_failure?: number;
  readonly interval?: string;
  readonly base_ejection_time?: string;
  readonly max_ejection_percent?: number;
}

/** `envoy.config.route.v3.RouteAction.HashPolicy`. */
export type EnvoyHashPolicy =
  | { readonly header: { readonly header_name: string } }
  | { readonly cookie: { readonly name: string; readonly path?: string; readonly ttl?: string } }
  | { readonly connection_properties: { readonly source_ip: boolean } };

/** `envoy.config.route.v3.RetryPolicy`. */
export interface EnvoyRetryPolicy {
  readonly retry_on: string;
  readonly num_retries: number;
  readonly per_try_timeout?: string;
  readonly retriable_status_codes?: number[];
  readonly retry_back_off?: { readonly base_interval: string; readonly max_interval?: string };
}

/** `envoy.config.route.v3.Route` (the two variants emitted). */
export type EnvoyRoute =
  | {
      readonly name: string;
      readonly match: { readonly prefix: string; readonly runtime_fraction?: EnvoyRuntimeFractionalPercent };
      readonly route: {
        readonly cluster: string;
        readonly timeout?: string;
        readonly idle_timeout?: string;
        readonly retry_policy?: EnvoyRetryPolicy;
        readonly hash_policy?: EnvoyHashPolicy[];
      };
    }
  | {
      readonly name: string;
      readonly match: { readonly prefix: string; readonly runtime_fraction?: EnvoyRuntimeFractionalPercent };
      readonly direct_response: { readonly status: number; readonly body?: { readonly inline_string: string } };
    };

/** An HTTP filter of the connection manager. */
export interface EnvoyHttpFilter {
  readonly name: string;
  readonly typed_config: { readonly '@type': string; readonly [field: string]: unknown };
}

/** `envoy.config.listener.v3.Listener` with one HTTP connection manager. */
export interface EnvoyListener {
  readonly '@type': typeof TYPE.LISTENER;
  readonly name: string;
  readonly filter_chains: {
    readonly filters: {
      readonly name: 'envoy.filters.network.http_connection_manager';
      readonly typed_config: {
        readonly '@type': typeof TYPE.HTTP_CONNECTION_MANAGER;
        readonly stat_prefix: string;
        readonly rds: { readonly route_config_name: string };
        readonly use_remote_address: boolean;
        readonly skip_xff_append: boolean;
        readonly http_filters: EnvoyHttpFilter[];
      };
    }[];
  }[];
}

/** `envoy.config.route.v3.RouteConfiguration` with one virtual host. */
export interface EnvoyRouteConfiguration {
  readonly '@type': typeof TYPE.ROUTE_CONFIGURATION;
  readonly name: string;
  readonly virtual_hosts: { readonly name: string; readonly domains: string[]; readonly routes: EnvoyRoute[] }[];
}

/** `envoy.config.cluster.v3.Cluster` of type EDS (endpoints published by Cilium). */
export interface EnvoyCluster {
  readonly '@type': typeof TYPE.CLUSTER;
  readonly name: string;
  readonly type: 'EDS';
  readonly eds_cluster_config: { readonly service_name: string };
  readonly connect_timeout?: string;
  readonly lb_policy?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV';
  readonly ring_hash_lb_config?: { readonly minimum_ring_size?: number };
  readonly maglev_lb_config?: { readonly table_size?: number };
  readonly circuit_breakers?: { readonly thresholds: EnvoyThresholds[] };
  readonly outlier_detection?: EnvoyOutlierDetection;
  readonly common_lb_config?: { readonly healthy_panic_threshold: { readonly value: number } };
  readonly typed_extension_protocol_options: {
    readonly 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      readonly '@type': typeof TYPE.HTTP_PROTOCOL_OPTIONS;
      readonly common_http_protocol_options?: {
        readonly idle_timeout?: string;
        readonly max_requests_per_connection?: number;
      };
      readonly use_downstream_protocol_config: { readonly http2_protocol_options: Record<string, never> };
    };
  };
}

/** What a resilience policy puts into `spec.resources`, in this order. */
export type EnvoyResource = EnvoyListener | EnvoyRouteConfiguration | EnvoyCluster;

/*
 * The parts of the resources that are the same for every policy, built once and shared (frozen: nothing may change
 * them). The rendering copies them into each object's JSON. Why: at 20,000 objects (bench/realistic.ts, one policy
 * per 4 objects) renderResilience allocated 13 MB and was the largest of the constructs' own allocation sites; the
 * policy objects keep these parts until synth, so shared parts also mean less for the GC to copy.
 */
export const ROUTER_FILTER: EnvoyHttpFilter = deepFreeze({
  name: 'envoy.filters.http.router',
  typed_config: { '@type': TYPE.ROUTER },
});
export const MATCH_ALL: EnvoyRoute['match'] = deepFreeze({ prefix: '/' });
export const ALL_DOMAINS: string[] = deepFreeze(['*']);
export const DOWNSTREAM_PROTOCOL = deepFreeze({ http2_protocol_options: {} });
export const PLAIN_PROTOCOL_OPTIONS: EnvoyCluster['typed_extension_protocol_options'] = deepFreeze({
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': TYPE.HTTP_PROTOCOL_OPTIONS,
    use_downstream_protocol_config: DOWNSTREAM_PROTOCOL,
  },
});

/** The Envoy extensions every policy uses. */
const BASE_EXTENSIONS = [
  'envoy.filters.network.http_connection_manager',
  'envoy.filters.http.router',
  'envoy.upstreams.http.http_protocol_options',
];
/** The sorted extension lists, one per load balancer extension and rate limit flag (a handful in all). */
const extensionLists = new Map<string, readonly string[]>();

/** The sorted Envoy extension names of a policy with that load balancer extension and local rate limit (shared). */
export function extensionsOf(lbExtension: string | undefined, rateLimit: boolean): string[] {
  const key = `${lbExtension ?? ''}|${rateLimit}`;
  let list = extensionLists.get(key);
  if (!list) {
    const names = new Set(BASE_EXTENSIONS);
    if (lbExtension) names.add(lbExtension);
    if (rateLimit) names.add('envoy.filters.http.local_ratelimit');
    list = Object.freeze([...names].sort());
    extensionLists.set(key, list);
  }
  return list as string[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
