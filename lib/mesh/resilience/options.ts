/**
 * What a resilience policy says, in Istio DestinationRule / VirtualService words where Istio has them and Envoy
 * words otherwise. Each value is rendered into the Envoy config of a CiliumEnvoyConfig by ./render.ts.
 */
import type { Duration } from 'aws-cdk-lib';

/**
 * TCP settings of the connection pool to the Service's endpoints (Istio `connectionPool.tcp`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-TCPSettings
 */
export interface TcpConnectionPool {
  /**
   * Most connections to all endpoints of the Service, per Envoy (per node: Cilium runs one Envoy per node). Envoy
   * `circuit_breakers.thresholds.max_connections`.
   * @default - Envoy's default, 1024
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout. Envoy `Cluster.connect_timeout`.
   * @default - Envoy's default, 5 seconds
   */
  readonly connectTimeout?: Duration;
}

/**
 * HTTP settings of the connection pool (Istio `connectionPool.http`). The limits are circuit breakers: requests
 * over them fail at once with 503 instead of queueing.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings
 */
export interface HttpConnectionPool {
  /**
   * Most requests waiting for a connection. Envoy `circuit_breakers.thresholds.max_pending_requests`.
   * @default - Envoy's default, 1024
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Most requests in flight to the Service. Envoy `circuit_breakers.thresholds.max_requests`.
   * @default - Envoy's default, 1024
   */
  readonly http2MaxRequests?: number;
  /**
   * Most requests per upstream connection (1 disables keep-alive). Envoy
   * `HttpProtocolOptions.common_http_protocol_options.max_requests_per_connection`.
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Most retries in flight to the Service at once. Envoy `circuit_breakers.thresholds.max_retries`.
   * @default - Envoy's default, 3
   */
  readonly maxRetries?: number;
  /**
   * How long an upstream connection may stay idle before it is closed. Envoy
   * `HttpProtocolOptions.common_http_protocol_options.idle_timeout`.
   * @default - Envoy's default, 1 hour
   */
  readonly idleTimeout?: Duration;
}

/**
 * A retry budget: retries in flight are limited to a share of the requests in flight (Istio `retryBudget`, Envoy
 * `circuit_breakers.thresholds.retry_budget`). Replaces `maxRetries` when set.
 */
export interface RetryBudget {
  /** Retries in flight as a whole percentage (0-100) of the requests in flight. Envoy `budget_percent`. */
  readonly percent: number;
  /**
   * Retries always allowed regardless of the budget. Envoy `min_retry_concurrency`.
   * @default - Envoy's default, 3
   */
  readonly minRetryConcurrency?: number;
}

/**
 * The connection pool and its circuit breakers (Istio `trafficPolicy.connectionPool`).
 * @see https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
 */
export interface ConnectionPool {
  /** @default - Envoy's defaults */
  readonly tcp?: TcpConnectionPool;
  /** @default - Envoy's defaults */
  readonly http?: HttpConnectionPool;
  /** @default - none: `http.maxRetries` (Envoy default 3) limits retries */
  readonly retryBudget?: RetryBudget;
}

/**
 * Passive health checking: endpoints that keep failing are ejected from load balancing for a while (Istio
 * `trafficPolicy.outlierDetection`, Envoy `Cluster.outlier_detection`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetection {
  /**
   * Consecutive 5xx responses (and connection errors) that eject an endpoint; 0 turns this check off. Envoy
   * `consecutive_5xx`.
   * @default - Envoy's default, 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive 502, 503 and 504 responses (and connection errors) that eject an endpoint; 0 turns this check off.
   * Envoy `consecutive_gateway_failure` with `enforcing_consecutive_gateway_failure: 100`.
   * @default - off
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Consecutive locally originated failures (connect timeouts, resets) that eject an endpoint; 0 turns this check
   * off. Sets Envoy `split_external_local_origin_errors` (as Cilium's own L7 load balancing does).
   * @default - not split: local failures count as 5xx
   */
  readonly consecutiveLocalOriginFailures?: number;
  /**
   * Time between ejection sweeps. Envoy `interval`.
   * @default - Envoy's default, 10 seconds
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time; an endpoint ejected n times stays out n times as long. Envoy `base_ejection_time`.
   * @default - Envoy's default, 30 seconds
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Most endpoints ejected at once, as a whole percentage (1-100). Envoy `max_ejection_percent`.
   * @default - Envoy's default, 10
   */
  readonly maxEjectionPercent?: number;
  /**
   * Below this share of healthy endpoints (whole percentage 0-100) Envoy ignores health and balances over all
   * endpoints (panic mode). Envoy `common_lb_config.healthy_panic_threshold`.
   * @default - Envoy's default, 50
   */
  readonly minHealthPercent?: number;
}

/** What a consistent-hash load balancer hashes on (Istio `loadBalancer.consistentHash`, Envoy route `hash_policy`). */
export class ConsistentHash {
  /** The value of a request header. Envoy `hash_policy.header`. */
  public static httpHeaderName(name: string): ConsistentHash {
    return new ConsistentHash({ kind: 'header', name });
  }

  /**
   * A cookie. With `ttl`, Envoy sets the cookie when the request has none, so that a client sticks to one
   * endpoint. Envoy `hash_policy.cookie`.
   */
  public static httpCookie(options: HttpCookieOptions): ConsistentHash {
    return new ConsistentHash({ kind: 'cookie', ...options });
  }

  /** The client's source IP. Envoy `hash_policy.connection_properties.source_ip`. */
  public static sourceIp(): ConsistentHash {
    return new ConsistentHash({ kind: 'sourceIp' });
  }

  private constructor(/** @internal */ public readonly _spec: HashSpec) {}
}

/** The cookie of `ConsistentHash.httpCookie`. */
export interface HttpCookieOptions {
  /** Cookie name. */
  readonly name: string;
  /** Cookie path. @default - no path attribute */
  readonly path?: string;
  /** Lifetime of the cookie Envoy sets when the request has none. @default - Envoy never sets the cookie */
  readonly ttl?: Duration;
}

/** @internal */
export type HashSpec =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string; readonly path?: string; readonly ttl?: Duration }
  | { readonly kind: 'sourceIp' };

/** Options of `LoadBalancer.ringHash`. */
export interface RingHashOptions {
  /**
   * Minimum number of ring entries (Istio `ringHash.minimumRingSize`, Envoy `ring_hash_lb_config.minimum_ring_size`,
   * at most 8,388,608).
   * @default - Envoy's default, 1024
   */
  readonly minimumRingSize?: number;
}

/** Options of `LoadBalancer.maglev`. */
export interface MaglevOptions {
  /**
   * Size of the lookup table, a prime number below 5,000,011 (Istio `maglev.tableSize`, Envoy
   * `maglev_lb_config.table_size`).
   * @default - Envoy's default, 65537
   */
  readonly tableSize?: number;
}

/** The algorithm names of `LoadBalancer`, as Cilium's `service.cilium.io/lb-l7-algorithm` annotation spells them. */
export enum LoadBalancerAlgorithm {
  ROUND_ROBIN = 'round_robin',
  LEAST_REQUEST = 'least_request',
  RANDOM = 'random',
  RING_HASH = 'ring_hash',
  MAGLEV = 'maglev',
}

/** The data behind a `LoadBalancer` (what `renderLoadBalancer` takes). Internal: not exported from the package. */
export interface LoadBalancerSpec {
  readonly algorithm: LoadBalancerAlgorithm;
  /** Required with ring hash and maglev, refused with the others. */
  readonly hash?: ConsistentHash;
  readonly minimumRingSize?: number;
  readonly tableSize?: number;
}

/**
 * How requests are spread over the Service's endpoints (Istio `trafficPolicy.loadBalancer`, Envoy
 * `Cluster.lb_policy`). Every algorithm is compiled into cilium-envoy on every supported line.
 * @see https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers
 */
export class LoadBalancer {
  /** Round robin (Envoy's default). */
  public static roundRobin(): LoadBalancer {
    return new LoadBalancer({ algorithm: LoadBalancerAlgorithm.ROUND_ROBIN });
  }

  /** Least request: the endpoint with fewer active requests of two picked at random. */
  public static leastRequest(): LoadBalancer {
    return new LoadBalancer({ algorithm: LoadBalancerAlgorithm.LEAST_REQUEST });
  }

  /** A random endpoint. */
  public static random(): LoadBalancer {
    return new LoadBalancer({ algorithm: LoadBalancerAlgorithm.RANDOM });
  }

  /** Consistent hashing on a ring (Ketama): requests with the same hash go to the same endpoint. */
  public static ringHash(hash: ConsistentHash, options: RingHashOptions = {}): LoadBalancer {
    return new LoadBalancer({
      algorithm: LoadBalancerAlgorithm.RING_HASH,
      hash,
      minimumRingSize: options.minimumRingSize,
    });
  }

  /** Consistent hashing with a Maglev table: faster to build than a ring, less stable when endpoints change. */
  public static maglev(hash: ConsistentHash, options: MaglevOptions = {}): LoadBalancer {
    return new LoadBalancer({ algorithm: LoadBalancerAlgorithm.MAGLEV, hash, tableSize: options.tableSize });
  }

  private constructor(/** The algorithm and its settings. @internal */ public readonly _spec: LoadBalancerSpec) {}
}

/** Route timeouts (Istio VirtualService `http[].timeout`). */
export interface ResilienceTimeouts {
  /**
   * The whole request, including retries; `Duration.seconds(0)` turns it off. Envoy route `timeout`.
   * @default - Envoy's default, 15 seconds
   */
  readonly request?: Duration;
  /**
   * How long a request stream may stay without activity. Envoy route `idle_timeout`.
   * @default - the connection manager's stream idle timeout (Envoy: 5 minutes)
   */
  readonly idle?: Duration;
}

/** The conditions a retry is made on (Envoy `x-envoy-retry-on` / `retry_on` values). */
export enum RetryOn {
  /** Any 5xx response, connect failures and resets. */
  FIVE_XX = '5xx',
  /** 502, 503 and 504 responses. */
  GATEWAY_ERROR = 'gateway-error',
  /** The connection was reset, disconnected or timed out before the response headers. */
  RESET = 'reset',
  /** The connection could not be established. */
  CONNECT_FAILURE = 'connect-failure',
  /** The upstream refused the stream (HTTP/2 REFUSED_STREAM). */
  REFUSED_STREAM = 'refused-stream',
  /** Any 409 response. */
  RETRIABLE_4XX = 'retriable-4xx',
  /** The status codes in `retriableStatusCodes` (added automatically when those are set). */
  RETRIABLE_STATUS_CODES = 'retriable-status-codes',
}

/**
 * Retries of failed requests by Envoy (Istio VirtualService `http[].retries`, Envoy route `retry_policy`). On
 * Cilium 1.20 with the experimental-channel Gateway API CRDs an HTTPRoute `retry` does the same through a route;
 * on 1.16-1.19 that field has no effect (cilium/cilium#46432), so use this.
 *
 * Istio's default of retrying on another host (`retryIgnorePreviousHosts`) cannot be reproduced: the
 * `previous_hosts` retry predicate is not compiled into cilium-envoy.
 */
export interface ResilienceRetries {
  /** Most retries per request (whole number, at least 1). Envoy `num_retries`. */
  readonly attempts: number;
  /**
   * The conditions to retry on.
   * @default [RetryOn.CONNECT_FAILURE, RetryOn.GATEWAY_ERROR, RetryOn.REFUSED_STREAM, RetryOn.RESET]: failures
   * where the endpoint is unreachable or overloaded
   */
  readonly retryOn?: RetryOn[];
  /**
   * Status codes (400-599) to retry on; adds `RetryOn.RETRIABLE_STATUS_CODES`.
   * @default - none
   */
  readonly retriableStatusCodes?: number[];
  /**
   * Timeout of each attempt, at most the request timeout. Envoy `per_try_timeout`.
   * @default - the request timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Exponential backoff between attempts: starts at `baseInterval`, at most `maxInterval`. Envoy `retry_back_off`.
   * @default - Envoy's default: 25 ms base, 250 ms maximum
   */
  readonly backoff?: RetryBackoff;
}

/** Envoy `retry_back_off`. */
export interface RetryBackoff {
  /** The first wait (above zero). */
  readonly baseInterval: Duration;
  /** @default - 10 times `baseInterval` */
  readonly maxInterval?: Duration;
}

/**
 * A token bucket per Envoy (one per node) that answers 429 when empty: Envoy `envoy.filters.http.local_ratelimit`,
 * compiled into cilium-envoy on every line. The limit is per node, so N nodes let up to N times the rate through.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
 */
export interface LocalRateLimit {
  /** Tokens added every `fillInterval` (whole number, at least 1). Envoy `token_bucket.tokens_per_fill`. */
  readonly tokensPerFill: number;
  /** How often tokens are added (at least 50 ms, Envoy's minimum). Envoy `token_bucket.fill_interval`. */
  readonly fillInterval: Duration;
  /**
   * Bucket size: the burst allowed after a quiet period (at least `tokensPerFill`). Envoy `token_bucket.max_tokens`.
   * @default - `tokensPerFill`
   */
  readonly maxTokens?: number;
}

/** Options of `Fault.abort`. */
export interface FaultAbortOptions {
  /** Share of requests aborted, a whole percentage from 1 to 100. */
  readonly percent: number;
  /** The HTTP status answered (200-599). */
  readonly httpStatus: number;
}

/** Options of `Fault.delay`, which is refused at synth (see there). */
export interface FaultDelayOptions {
  /** Share of requests delayed, a whole percentage. */
  readonly percent: number;
  /** The delay. */
  readonly fixedDelay: Duration;
}

/**
 * Fault injection (Istio VirtualService `http[].fault`). The Envoy fault filter is not compiled into cilium-envoy
 * on any line (cilium/proxy#62), so an abort is built from core route features instead: a route before the real one,
 * selected for a share of requests by `runtime_fraction`, answers with a `direct_response`.
 */
export class Fault {
  /** Answer `percent`% of the requests with `httpStatus` without sending them to the Service. */
  public static abort(options: FaultAbortOptions): Fault {
    return new Fault({ kind: 'abort', ...options });
  }

  /**
   * Delay injection. Refused at synth: no delay mechanism is compiled into cilium-envoy (the fault filter is not,
   * cilium/proxy#62; nor Lua). The error names the alternatives.
   */
  public static delay(options: FaultDelayOptions): Fault {
    return new Fault({ kind: 'delay', ...options });
  }

  private constructor(/** @internal */ public readonly _spec: FaultSpec) {}
}

/** @internal */
export type FaultSpec =
  ({ readonly kind: 'abort' } & FaultAbortOptions) | ({ readonly kind: 'delay' } & FaultDelayOptions);

/** Everything a resilience policy can set; what `renderResilience` takes. */
export interface ResilienceSettings {
  /** Connection pool limits and circuit breakers. @default - Envoy's defaults */
  readonly connectionPool?: ConnectionPool;
  /** Outlier detection. @default - none */
  readonly outlierDetection?: OutlierDetection;
  /** The load-balancing algorithm. @default - round robin */
  readonly loadBalancer?: LoadBalancer;
  /** Timeouts. @default - Envoy's defaults */
  readonly timeouts?: ResilienceTimeouts;
  /** Retries. @default - none */
  readonly retries?: ResilienceRetries;
  /** Local rate limit. @default - none */
  readonly localRateLimit?: LocalRateLimit;
  /** Fault injection (aborts). @default - none */
  readonly fault?: Fault;
}
