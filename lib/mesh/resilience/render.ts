/**
 * Pure rendering of resilience settings into Envoy resources for a CiliumEnvoyConfig (and into Service
 * annotations when those can say it). Every function throws path-less `MeshValidationError`s that name the field,
 * the value and the fix; constructs re-raise them with their path (`atScope`).
 *
 * Names follow what Cilium expects (round2-facts.md §1.3): the cluster is `<namespace>/<service>`, the EDS cluster
 * Cilium publishes for a Service listed in `spec.services` (a name with a `/` is not qualified); listener and route
 * configuration names are plain and Cilium qualifies both as `<namespace>/<cec>/<name>`, so they stay consistent.
 */
import { Duration } from 'aws-cdk-lib';
import { envoyExtension, isEnvoyExtensionCompiled } from '../../cilium/envoy-extensions';
import type { CiliumVersion } from '../../cilium/version';
import { toEnvoyDuration } from '../../private/duration';
import { MeshValidationError } from '../../private/errors';
import { rejectNumberToken, validateEnum } from '../../private/validate';
import {
  ALL_DOMAINS,
  MATCH_ALL,
  PLAIN_PROTOCOL_OPTIONS,
  ROUTER_FILTER,
  DOWNSTREAM_PROTOCOL,
  TYPE,
  extensionsOf,
  type EnvoyCluster,
  type EnvoyHashPolicy,
  type EnvoyHttpFilter,
  type EnvoyListener,
  type EnvoyOutlierDetection,
  type EnvoyRetryPolicy,
  type EnvoyRoute,
  type EnvoyRouteConfiguration,
  type EnvoyThresholds,
} from './envoy';
import {
  LoadBalancerAlgorithm,
  RetryOn,
  type ConnectionPool,
  type Fault,
  type HashSpec,
  type LoadBalancerSpec,
  type LocalRateLimit,
  type OutlierDetection,
  type ResilienceRetries,
  type ResilienceSettings,
  type ResilienceTimeouts,
} from './options';
import { merged } from '../../private/objects';

const UINT32_MAX = 4_294_967_295;
/** An absent group of settings (shared and frozen: only read). */
const NOTHING = Object.freeze({});
/** Envoy's `ring_hash_lb_config.minimum_ring_size` limit. */
const MAX_RING_SIZE = 8_388_608;
/** Envoy's `maglev_lb_config.table_size` limit (exclusive of larger primes). */
const MAX_MAGLEV_TABLE = 5_000_011;
/** Envoy refuses a local rate limit token bucket whose fill interval is below 50 ms. */
const MIN_FILL_INTERVAL = Duration.millis(50);
/** An HTTP header name (RFC 9110 token), or an HTTP/2 pseudo-header such as `:authority`. */
const HEADER_NAME = /^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A whole number from `min` to `max` (default the uint32 range), or a message naming `what`, the value and `fix`. */
export function wholeNumber(what: string, value: number, min: number, fix: string, max = UINT32_MAX): number {
  rejectNumberToken(what, value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MeshValidationError(`${what} must be a whole number from ${min} to ${max}, got ${value}; ${fix}`);
  }
  return value;
}

/** A whole percentage from `min` (default 0) to 100. */
export function wholePercent(what: string, value: number, fix: string, min = 0): number {
  rejectNumberToken(what, value);
  if (!Number.isInteger(value) || value < min || value > 100) {
    throw new MeshValidationError(`${what} must be a whole percentage from ${min} to 100, got ${value}; ${fix}`);
  }
  return value;
}

/** Circuit-breaker thresholds (`Cluster.circuit_breakers.thresholds[0]`), or undefined when nothing is set. */
export function renderCircuitBreakers(pool: ConnectionPool): EnvoyThresholds | undefined {
  if (!pool.tcp && !pool.http && !pool.retryBudget) {
    // nothing that could set a threshold
    return undefined;
  }
  const t: { -readonly [K in keyof EnvoyThresholds]: EnvoyThresholds[K] } = {};
  const limit = (what: string, v: number | undefined, min = 1) =>
    v === undefined
      ? undefined
      : wholeNumber(
          `connectionPool.${what}`,
          v,
          min,
          min === 1
            ? "a limit of 0 would refuse every request; pass at least 1, or leave it out for Envoy's default"
            : 'pass 0 or more',
        );
  t.max_connections = limit('tcp.maxConnections', pool.tcp?.maxConnections);
  t.max_pending_requests = limit('http.http1MaxPendingRequests', pool.http?.http1MaxPendingRequests);
  t.max_requests = limit('http.http2MaxRequests', pool.http?.http2MaxRequests);
  t.max_retries = limit('http.maxRetries', pool.http?.maxRetries, 0);
  if (pool.retryBudget) {
    if (pool.http?.maxRetries !== undefined) {
      throw new MeshValidationError(
        'connectionPool.retryBudget replaces connectionPool.http.maxRetries (Envoy ignores ' +
          'max_retries when a retry budget is set), got both; keep one',
      );
    }
    const percent = wholePercent('connectionPool.retryBudget.percent', pool.retryBudget.percent, 'pass e.g. 20', 1);
    const min = pool.retryBudget.minRetryConcurrency;
    t.retry_budget = {
      budget_percent: { value: percent },
      ...(min !== undefined
        ? {
            min_retry_concurrency: wholeNumber('connectionPool.retryBudget.minRetryConcurrency', min, 0, 'pass e.g. 3'),
          }
        : {}),
    };
  }
  const set = Object.entries(t).filter(([, v]) => v !== undefined);
  return set.length ? { priority: 'DEFAULT', ...Object.fromEntries(set) } : undefined;
}

/** `Cluster.outlier_detection` and the panic threshold (`common_lb_config`) of `minHealthPercent`. */
export function renderOutlierDetection(o: OutlierDetection): {
  outlierDetection: EnvoyOutlierDetection;
  healthyPanicThreshold?: number;
} {
  const count = (what: string, v: number | undefined) =>
    v === undefined
      ? undefined
      : wholeNumber(`outlierDetection.${what}`, v, 0, 'pass e.g. 5, or 0 to turn this check off');
  const c5xx = count('consecutive5xxErrors', o.consecutive5xxErrors);
  const gateway = count('consecutiveGatewayErrors', o.consecutiveGatewayErrors);
  const local = count('consecutiveLocalOriginFailures', o.consecutiveLocalOriginFailures);
  if (o.maxEjectionPercent === 0) {
    throw new MeshValidationError(
      'outlierDetection.maxEjectionPercent is 0, so no endpoint could ever be ejected; pass ' +
        "e.g. 10 (Envoy's default) or up to 100, or drop outlierDetection",
    );
  }
  const maxEjection =
    o.maxEjectionPercent === undefined
      ? undefined
      : wholePercent('outlierDetection.maxEjectionPercent', o.maxEjectionPercent, "pass e.g. 10 (Envoy's default)", 1);
  const panic =
    o.minHealthPercent === undefined
      ? undefined
      : wholePercent(
          'outlierDetection.minHealthPercent',
          o.minHealthPercent,
          "pass e.g. 50 (Envoy's default), or 0 to never ignore health",
        );
  if (c5xx === 0 && !gateway && !local) {
    throw new MeshValidationError(
      'outlierDetection turns every check off (consecutive5xxErrors: 0 and no gateway or ' +
        'local-origin check), so nothing is ever ejected; set a check above 0 or drop outlierDetection',
    );
  }
  const od: { -readonly [K in keyof EnvoyOutlierDetection]: EnvoyOutlierDetection[K] } = {};
  if (c5xx === 0) {
    od.enforcing_consecutive_5xx = 0;
  } else if (c5xx !== undefined) {
    od.consecutive_5xx = c5xx;
  }
  if (gateway) {
    od.consecutive_gateway_failure = gateway;
    od.enforcing_consecutive_gateway_failure = 100;
  }
  if (local !== undefined) {
    od.split_external_local_origin_errors = true;
    if (local === 0) {
      od.enforcing_consecutive_local_origin_failure = 0;
    } else {
      od.consecutive_local_origin_failure = local;
    }
  }
  if (o.interval) od.interval = toEnvoyDuration('outlierDetection.interval', o.interval, { positive: true });
  if (o.baseEjectionTime)
    od.base_ejection_time = toEnvoyDuration('outlierDetection.baseEjectionTime', o.baseEjectionTime, {
      positive: true,
    });
  if (maxEjection !== undefined) od.max_ejection_percent = maxEjection;
  return { outlierDetection: od, ...(panic !== undefined ? { healthyPanicThreshold: panic } : {}) };
}

/** The cluster fields and route hash policy of a load balancer, and the Envoy extension it runs on. */
export interface RenderedLoadBalancer {
  readonly lbPolicy: NonNullable<EnvoyCluster['lb_policy']>;
  readonly ringHash?: EnvoyCluster['ring_hash_lb_config'];
  readonly maglev?: EnvoyCluster['maglev_lb_config'];
  readonly hashPolicy?: EnvoyHashPolicy[];
  /** `envoy.load_balancing_policies.*`. */
  readonly extension: string;
}

/** Renders a load balancer; a hash goes with ring hash or maglev only, and those need one. */
export function renderLoadBalancer(spec: LoadBalancerSpec): RenderedLoadBalancer {
  const hashed = spec.algorithm === LoadBalancerAlgorithm.RING_HASH || spec.algorithm === LoadBalancerAlgorithm.MAGLEV;
  if (spec.hash && !hashed) {
    throw new MeshValidationError(
      `loadBalancer: a consistent hash only takes effect with ring hash or maglev (Envoy ` +
        `ignores route hash_policy otherwise), got ${spec.algorithm} with a hash; use LoadBalancer.ringHash(hash) or LoadBalancer.maglev(hash)`,
    );
  }
  if (hashed && !spec.hash) {
    throw new MeshValidationError(
      `loadBalancer: ${spec.algorithm} needs a hash (without one Envoy hashes randomly, so ` +
        'nothing sticks); pass ConsistentHash.httpHeaderName(...), .httpCookie(...) or .sourceIp()',
    );
  }
  const extension = `envoy.load_balancing_policies.${spec.algorithm}`;
  const hashPolicy = spec.hash ? [renderHash(spec.hash._spec)] : undefined;
  switch (spec.algorithm) {
    case LoadBalancerAlgorithm.RING_HASH: {
      const size =
        spec.minimumRingSize === undefined
          ? undefined
          : wholeNumber(
              'loadBalancer ring hash minimumRingSize',
              spec.minimumRingSize,
              1,
              "pass e.g. 1024 (Envoy's default)",
              MAX_RING_SIZE,
            );
      return {
        lbPolicy: 'RING_HASH',
        ringHash: size !== undefined ? { minimum_ring_size: size } : undefined,
        hashPolicy,
        extension,
      };
    }
    case LoadBalancerAlgorithm.MAGLEV: {
      let table: number | undefined;
      if (spec.tableSize !== undefined) {
        table = wholeNumber(
          'loadBalancer maglev tableSize',
          spec.tableSize,
          2,
          "pass a prime such as 65537 (Envoy's default)",
          MAX_MAGLEV_TABLE - 1,
        );
        if (!isPrime(table)) {
          throw new MeshValidationError(
            `loadBalancer maglev tableSize must be a prime number (Envoy refuses others), got ${table}; ` +
              `pass e.g. ${nextPrime(table)}`,
          );
        }
      }
      return {
        lbPolicy: 'MAGLEV',
        maglev: table !== undefined ? { table_size: table } : undefined,
        hashPolicy,
        extension,
      };
    }
    case LoadBalancerAlgorithm.LEAST_REQUEST:
      return { lbPolicy: 'LEAST_REQUEST', extension };
    case LoadBalancerAlgorithm.RANDOM:
      return { lbPolicy: 'RANDOM', extension };
    default:
      return { lbPolicy: 'ROUND_ROBIN', extension };
  }
}

function renderHash(h: HashSpec): EnvoyHashPolicy {
  switch (h.kind) {
    case 'header':
      if (!HEADER_NAME.test(h.name)) {
        throw new MeshValidationError(
          `ConsistentHash.httpHeaderName needs an HTTP header name, got '${h.name}'; pass e.g. 'x-user-id'`,
        );
      }
      return { header: { header_name: h.name.toLowerCase() } };
    case 'cookie':
      if (!HEADER_NAME.test(h.name) || h.name.startsWith(':')) {
        throw new MeshValidationError(
          `ConsistentHash.httpCookie needs a cookie name (an HTTP token), got '${h.name}'; pass e.g. 'session'`,
        );
      }
      if (h.path !== undefined && !h.path.startsWith('/')) {
        throw new MeshValidationError(
          `ConsistentHash.httpCookie path must start with '/', got '${h.path}'; pass e.g. '/'`,
        );
      }
      return {
        cookie: {
          name: h.name,
          ...(h.path !== undefined ? { path: h.path } : {}),
          ...(h.ttl !== undefined ? { ttl: toEnvoyDuration('ConsistentHash.httpCookie ttl', h.ttl) } : {}),
        },
      };
    default:
      return { connection_properties: { source_ip: true } };
  }
}

/** The route `timeout` and `idle_timeout`. */
export function renderRouteTimeouts(t: ResilienceTimeouts): { timeout?: string; idle_timeout?: string } {
  return {
    ...(t.request !== undefined ? { timeout: toEnvoyDuration('timeouts.request', t.request) } : {}),
    ...(t.idle !== undefined ? { idle_timeout: toEnvoyDuration('timeouts.idle', t.idle) } : {}),
  };
}

const DEFAULT_RETRY_ON = [RetryOn.CONNECT_FAILURE, RetryOn.GATEWAY_ERROR, RetryOn.REFUSED_STREAM, RetryOn.RESET];

/** The route `retry_policy`; `perTryTimeout` must not exceed a non-zero request timeout. */
export function renderRetryPolicy(r: ResilienceRetries, timeouts: ResilienceTimeouts = {}): EnvoyRetryPolicy {
  const attempts = wholeNumber('retries.attempts', r.attempts, 1, 'pass e.g. 2, or drop retries');
  r.retryOn?.forEach((o) => validateEnum('retries.retryOn entry', o, Object.values(RetryOn)));
  const on = new Set<string>(r.retryOn ?? DEFAULT_RETRY_ON);
  if (r.retryOn !== undefined && r.retryOn.length === 0 && !r.retriableStatusCodes?.length) {
    throw new MeshValidationError(
      'retries.retryOn is empty, so nothing would be retried; list conditions such as ' +
        'RetryOn.CONNECT_FAILURE, or omit retryOn for the default set',
    );
  }
  let codes: number[] | undefined;
  if (r.retriableStatusCodes !== undefined) {
    if (r.retriableStatusCodes.length === 0) {
      throw new MeshValidationError('retries.retriableStatusCodes is empty; omit it or list codes such as 503');
    }
    for (const c of r.retriableStatusCodes) {
      wholeNumber('retries.retriableStatusCodes entry', c, 400, 'pass HTTP error statuses such as 503', 599);
    }
    codes = [...new Set(r.retriableStatusCodes)].sort((a, b) => a - b);
    on.add(RetryOn.RETRIABLE_STATUS_CODES);
  } else if (on.has(RetryOn.RETRIABLE_STATUS_CODES)) {
    throw new MeshValidationError(
      'retries.retryOn has RETRIABLE_STATUS_CODES but retriableStatusCodes is not set, so it ' +
        'matches nothing; pass retriableStatusCodes (which adds the condition by itself)',
    );
  }
  const perTry = r.perTryTimeout && toEnvoyDuration('retries.perTryTimeout', r.perTryTimeout, { positive: true });
  if (r.perTryTimeout && timeouts.request) {
    const total = timeouts.request.toMilliseconds({ integral: false });
    if (total !== 0 && r.perTryTimeout.toMilliseconds({ integral: false }) > total) {
      throw new MeshValidationError(
        `retries.perTryTimeout (${perTry}) exceeds timeouts.request ` +
          `(${toEnvoyDuration('timeouts.request', timeouts.request)}), which bounds all attempts together, so no retry could ` +
          'ever start; lower perTryTimeout or raise the request timeout',
      );
    }
  }
  let backoff: EnvoyRetryPolicy['retry_back_off'];
  if (r.backoff) {
    const base = toEnvoyDuration('retries.backoff.baseInterval', r.backoff.baseInterval, { positive: true });
    let max: string | undefined;
    if (r.backoff.maxInterval) {
      max = toEnvoyDuration('retries.backoff.maxInterval', r.backoff.maxInterval, { positive: true });
      if (
        r.backoff.maxInterval.toMilliseconds({ integral: false }) <
        r.backoff.baseInterval.toMilliseconds({ integral: false })
      ) {
        throw new MeshValidationError(
          `retries.backoff.maxInterval (${max}) is below baseInterval (${base}), which Envoy ` +
            'refuses; raise maxInterval or omit it (10 times baseInterval)',
        );
      }
    }
    backoff = { base_interval: base, ...(max ? { max_interval: max } : {}) };
  }
  // retry_on is a comma-separated set: sorted, so the output does not depend on the order given.
  return {
    retry_on: [...on].sort().join(','),
    num_retries: attempts,
    ...(perTry ? { per_try_timeout: perTry } : {}),
    ...(codes ? { retriable_status_codes: codes } : {}),
    ...(backoff ? { retry_back_off: backoff } : {}),
  };
}

/** The `envoy.filters.http.local_ratelimit` HTTP filter (answers 429, Envoy's default status, when the bucket is empty). */
export function renderLocalRateLimit(l: LocalRateLimit, statPrefix: string): EnvoyHttpFilter {
  const perFill = wholeNumber(
    'localRateLimit.tokensPerFill',
    l.tokensPerFill,
    1,
    '0 tokens would refuse every request; pass at least 1 (to block a Service, use a deny policy instead)',
  );
  const max =
    l.maxTokens === undefined
      ? perFill
      : wholeNumber('localRateLimit.maxTokens', l.maxTokens, 1, 'pass at least tokensPerFill');
  if (max < perFill) {
    throw new MeshValidationError(
      `localRateLimit.maxTokens (${max}) is below tokensPerFill (${perFill}), so each fill is ` +
        `capped at ${max} tokens; pass maxTokens of at least ${perFill}, or omit it`,
    );
  }
  const fillInterval = toEnvoyDuration('localRateLimit.fillInterval', l.fillInterval, {
    positive: true,
    min: { duration: MIN_FILL_INTERVAL, reason: 'Envoy refuses token bucket fill intervals below 50ms' },
  });
  const always = {
    default_value: { numerator: 100, denominator: 'HUNDRED' as const },
    runtime_key: `${statPrefix}_enabled`,
  };
  return {
    name: 'envoy.filters.http.local_ratelimit',
    typed_config: {
      '@type': TYPE.LOCAL_RATE_LIMIT,
      stat_prefix: statPrefix,
      token_bucket: { max_tokens: max, tokens_per_fill: perFill, fill_interval: fillInterval },
      filter_enabled: always,
      filter_enforced: merged(always, { runtime_key: `${statPrefix}_enforced` }),
    },
  };
}

/**
 * The abort route that goes before the real route: `percent`% of requests (a `runtime_fraction` match) get a
 * `direct_response` with the status. Delay injection throws: nothing in cilium-envoy can delay a request.
 */
export function renderFaultRoute(fault: Fault, runtimeKey: string): EnvoyRoute {
  const f = fault._spec;
  if (f.kind === 'delay') {
    throw new MeshValidationError(
      'fault delay injection is not possible with Cilium: the Envoy fault filter ' +
        '(envoy.filters.http.fault) is not compiled into cilium-envoy on any line (cilium/proxy#62), and neither is Lua; ' +
        'inject delays outside the proxy instead (a latency-injecting proxy Service behind a weighted split, or an ' +
        'ext_authz/ext_proc service that sleeps), or test failure handling with Fault.abort',
    );
  }
  const percent = wholePercent('fault abort percent', f.percent, 'pass e.g. 10, or drop the fault', 0);
  if (percent === 0) {
    throw new MeshValidationError(
      'fault abort percent is 0, so no request is ever aborted; pass 1 to 100 or drop the fault',
    );
  }
  const status = wholeNumber('fault abort httpStatus', f.httpStatus, 200, 'pass an HTTP status such as 503', 599);
  return {
    name: 'fault-abort',
    match: {
      prefix: '/',
      runtime_fraction: { default_value: { numerator: percent, denominator: 'HUNDRED' }, runtime_key: runtimeKey },
    },
    direct_response: { status, body: { inline_string: 'fault injected' } },
  };
}

/** The Service a resilience policy applies to, resolved. */
export interface ResilienceService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** The rendered Envoy resources of a policy and the extensions they use (checked against the Cilium line). */
export interface RenderedResilience {
  /**
   * The Envoy v3 resources (protojson, proto field names) for CiliumEnvoyConfig `spec.resources`: a Listener, a
   * RouteConfiguration and a Cluster, in this order. Typed as JSON objects: the Envoy shapes are not library API.
   */
  readonly resources: { [key: string]: any }[];
  /** Envoy extension names used, sorted. */
  readonly extensions: string[];
}

/**
 * The Envoy resources of a resilience policy for `service`: a listener (HTTP connection manager, optional local
 * rate limit, router), a route configuration (optional abort route, then the route with timeouts, retries and
 * hash policy) and the EDS cluster `<namespace>/<service>` with the load balancer, circuit breakers and outlier
 * detection. The upstream protocol follows the downstream one (HTTP/1.1 or HTTP/2), as in Cilium's own L7 load
 * balancing.
 */
export function renderResilience(settings: ResilienceSettings, service: ResilienceService): RenderedResilience {
  const base = `${service.name}-${service.port}`;
  const clusterName = `${service.namespace}/${service.name}`;
  const statPrefix = `${service.namespace}_${service.name}_${service.port}`.replace(/[^A-Za-z0-9_]/g, '_');

  const pool: ConnectionPool = settings.connectionPool ?? NOTHING;
  const thresholds = renderCircuitBreakers(pool);
  const od = settings.outlierDetection && renderOutlierDetection(settings.outlierDetection);
  const lb = settings.loadBalancer && renderLoadBalancer(settings.loadBalancer._spec);
  const timeouts: ResilienceTimeouts = settings.timeouts ?? NOTHING;
  const routeTimeouts = renderRouteTimeouts(timeouts);
  const retry = settings.retries && renderRetryPolicy(settings.retries, timeouts);
  const httpFilters: EnvoyHttpFilter[] = [];
  if (settings.localRateLimit) {
    httpFilters.push(renderLocalRateLimit(settings.localRateLimit, `${statPrefix}_ratelimit`));
  }
  // Cilium injects its cilium.l7policy filter right before the router, which must therefore be there (and last).
  httpFilters.push(ROUTER_FILTER);

  const routes: EnvoyRoute[] = [];
  if (settings.fault) {
    routes.push(renderFaultRoute(settings.fault, `${statPrefix}_fault_abort`));
  }
  routes.push({
    name: 'default',
    match: MATCH_ALL,
    route: {
      cluster: clusterName,
      ...routeTimeouts,
      ...(retry ? { retry_policy: retry } : {}),
      ...(lb?.hashPolicy ? { hash_policy: lb.hashPolicy } : {}),
    },
  });

  const http: NonNullable<ConnectionPool['http']> = pool.http ?? NOTHING;
  const common = {
    ...(http.idleTimeout !== undefined
      ? { idle_timeout: toEnvoyDuration('connectionPool.http.idleTimeout', http.idleTimeout) }
      : {}),
    ...(http.maxRequestsPerConnection !== undefined
      ? {
          max_requests_per_connection: wholeNumber(
            'connectionPool.http.maxRequestsPerConnection',
            http.maxRequestsPerConnection,
            1,
            'pass at least 1 (1 closes each connection after one request), or omit it for no limit',
          ),
        }
      : {}),
  };
  const hasCommon = http.idleTimeout !== undefined || http.maxRequestsPerConnection !== undefined;
  const listener: EnvoyListener = {
    '@type': TYPE.LISTENER,
    name: base,
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': TYPE.HTTP_CONNECTION_MANAGER,
              stat_prefix: statPrefix,
              rds: { route_config_name: base },
              use_remote_address: true,
              skip_xff_append: true,
              http_filters: httpFilters,
            },
          },
        ],
      },
    ],
  };
  const routeConfiguration: EnvoyRouteConfiguration = {
    '@type': TYPE.ROUTE_CONFIGURATION,
    name: base,
    virtual_hosts: [{ name: base, domains: ALL_DOMAINS, routes }],
  };
  const cluster: EnvoyCluster = {
    '@type': TYPE.CLUSTER,
    name: clusterName,
    type: 'EDS',
    eds_cluster_config: { service_name: clusterName },
    ...(pool.tcp?.connectTimeout !== undefined
      ? {
          connect_timeout: toEnvoyDuration('connectionPool.tcp.connectTimeout', pool.tcp.connectTimeout, {
            positive: true,
          }),
        }
      : {}),
    ...(lb ? { lb_policy: lb.lbPolicy } : {}),
    ...(lb?.ringHash ? { ring_hash_lb_config: lb.ringHash } : {}),
    ...(lb?.maglev ? { maglev_lb_config: lb.maglev } : {}),
    ...(thresholds ? { circuit_breakers: { thresholds: [thresholds] } } : {}),
    ...(od ? { outlier_detection: od.outlierDetection } : {}),
    ...(od?.healthyPanicThreshold !== undefined
      ? { common_lb_config: { healthy_panic_threshold: { value: od.healthyPanicThreshold } } }
      : {}),
    typed_extension_protocol_options: hasCommon
      ? {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': TYPE.HTTP_PROTOCOL_OPTIONS,
            common_http_protocol_options: common,
            use_downstream_protocol_config: DOWNSTREAM_PROTOCOL,
          },
        }
      : PLAIN_PROTOCOL_OPTIONS,
  };
  return {
    resources: [listener, routeConfiguration, cluster],
    extensions: extensionsOf(lb?.extension, settings.localRateLimit !== undefined),
  };
}

/**
 * The Service annotations that say the same as `settings`, when they can: only a round-robin, least-request or
 * random load balancer and nothing else (`service.cilium.io/lb-l7: enabled` plus
 * `service.cilium.io/lb-l7-algorithm`, which Cilium's operator turns into a CiliumEnvoyConfig). Else undefined.
 * @see https://docs.cilium.io/en/stable/network/servicemesh/envoy-load-balancing/
 */
export function renderLoadBalancerAnnotations(settings: ResilienceSettings): Record<string, string> | undefined {
  const { loadBalancer, ...rest } = settings;
  if (!loadBalancer || Object.values(rest).some((v) => v !== undefined)) return undefined;
  const a = loadBalancer._spec.algorithm;
  if (
    a !== LoadBalancerAlgorithm.ROUND_ROBIN &&
    a !== LoadBalancerAlgorithm.LEAST_REQUEST &&
    a !== LoadBalancerAlgorithm.RANDOM
  ) {
    return undefined;
  }
  return { 'service.cilium.io/lb-l7': 'enabled', 'service.cilium.io/lb-l7-algorithm': a };
}

/**
 * Throws unless every extension in `names` is compiled into the cilium-envoy image of `version` (envoy-extensions.ts);
 * an extension the table does not list is refused too, since nothing says it is built.
 */
export function checkEnvoyExtensions(names: readonly string[], version: CiliumVersion): void {
  for (const name of names) {
    const e = envoyExtension(name);
    if (!e) {
      throw new MeshValidationError(
        `Envoy extension '${name}' is not in the cilium-envoy extension table ` +
          '(lib/cilium/envoy-extensions.ts), so it cannot be shown to be compiled in; add it there with its source, or do not use it',
      );
    }
    if (!isEnvoyExtensionCompiled(e, version)) {
      const since = Object.entries(e.since).map(([minor, patch]) => `1.${minor}.${patch}`);
      throw new MeshValidationError(
        `Envoy extension '${name}' is not compiled into cilium-envoy of Cilium ${version.version} ` +
          `(cilium/proxy envoy_build_config/extensions_build_config.bzl), so Envoy would refuse the config; ` +
          (since.length
            ? `it is built from ${since.join(', ')}: upgrade Cilium`
            : 'no supported line builds it: do without it'),
      );
    }
  }
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) return false;
  }
  return true;
}

function nextPrime(n: number): number {
  let p = Math.max(2, n);
  while (!isPrime(p)) p++;
  return p;
}
