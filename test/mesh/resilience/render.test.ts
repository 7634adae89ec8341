import { Duration } from 'aws-cdk-lib';
import {
  CiliumVersion,
  ConsistentHash,
  Fault,
  LoadBalancer,
  LoadBalancerAlgorithm,
  renderLoadBalancerAnnotations,
  renderResilience,
  RetryOn,
} from '../../../lib';
import {
  checkEnvoyExtensions,
  renderCircuitBreakers,
  renderFaultRoute,
  renderLoadBalancer,
  renderLocalRateLimit,
  renderOutlierDetection,
  renderRetryPolicy,
  renderRouteTimeouts,
} from '../../../lib/mesh/resilience/render';
import { toEnvoyDuration } from '../../../lib/private/duration';

const reviews = { namespace: 'shop', name: 'reviews', port: 9080 };

describe('toEnvoyDuration', () => {
  test('seconds with 3, 6 or 9 fractional digits', () => {
    expect(toEnvoyDuration('d', Duration.seconds(5))).toBe('5s');
    expect(toEnvoyDuration('d', Duration.millis(250))).toBe('0.250s');
    expect(toEnvoyDuration('d', Duration.millis(1500))).toBe('1.500s');
    expect(toEnvoyDuration('d', Duration.millis(0.25))).toBe('0.000250s');
    expect(toEnvoyDuration('d', Duration.millis(0.000001))).toBe('0.000000001s');
    expect(toEnvoyDuration('d', Duration.hours(1))).toBe('3600s');
    expect(toEnvoyDuration('d', Duration.seconds(0))).toBe('0s');
  });

  test('durations Envoy cannot express are refused', () => {
    expect(() => toEnvoyDuration('outlierDetection.interval', Duration.millis(0.0000001))).toThrow(
      /^outlierDetection.interval must be a whole number of nanoseconds \(Envoy durations have nanosecond resolution\), got 1e-7ms; round it$/,
    );
    expect(() => toEnvoyDuration('timeouts.request', Duration.days(4_000_000))).toThrow(
      /^timeouts.request must be at most 315576000000s \(the protobuf Duration range Envoy reads\), got 345600000000s; pass a shorter duration$/,
    );
    expect(() => toEnvoyDuration('outlierDetection.interval', Duration.seconds(0), { positive: true })).toThrow(
      /^outlierDetection.interval must be above zero \(Envoy rejects 0s here\), got 0; pass e.g. Duration.seconds\(1\)$/,
    );
  });
});

describe('renderCircuitBreakers', () => {
  test('Istio connection pool names become Envoy thresholds', () => {
    expect(
      renderCircuitBreakers({
        tcp: { maxConnections: 100 },
        http: { http1MaxPendingRequests: 10, http2MaxRequests: 200, maxRetries: 0 },
      }),
    ).toEqual({
      priority: 'DEFAULT',
      max_connections: 100,
      max_pending_requests: 10,
      max_requests: 200,
      max_retries: 0,
    });
    expect(renderCircuitBreakers({ retryBudget: { percent: 20, minRetryConcurrency: 3 } })).toEqual({
      priority: 'DEFAULT',
      retry_budget: { budget_percent: { value: 20 }, min_retry_concurrency: 3 },
    });
    expect(renderCircuitBreakers({ tcp: { connectTimeout: Duration.seconds(1) } })).toBeUndefined();
  });

  test('negative, fractional or zero limits are refused', () => {
    expect(() => renderCircuitBreakers({ tcp: { maxConnections: -1 } })).toThrow(
      /^connectionPool.tcp.maxConnections must be a whole number from 1 to 4294967295, got -1; a limit of 0 would refuse every request; pass at least 1, or leave it out for Envoy's default$/,
    );
    expect(() => renderCircuitBreakers({ http: { http1MaxPendingRequests: 0 } })).toThrow(
      /http1MaxPendingRequests must be a whole number from 1 .* got 0/,
    );
    expect(() => renderCircuitBreakers({ http: { http2MaxRequests: 1.5 } })).toThrow(/http2MaxRequests .* got 1.5/);
    expect(() => renderCircuitBreakers({ http: { maxRetries: -3 } })).toThrow(
      /^connectionPool.http.maxRetries must be a whole number from 0 to 4294967295, got -3; pass 0 or more$/,
    );
  });

  test('retry budget: a whole percentage, not together with maxRetries', () => {
    expect(() => renderCircuitBreakers({ retryBudget: { percent: 120 } })).toThrow(
      /^connectionPool.retryBudget.percent must be a whole percentage from 1 to 100, got 120; pass e.g. 20$/,
    );
    expect(() => renderCircuitBreakers({ retryBudget: { percent: -5 } })).toThrow(/got -5/);
    expect(() => renderCircuitBreakers({ http: { maxRetries: 3 }, retryBudget: { percent: 20 } })).toThrow(
      /retryBudget replaces connectionPool.http.maxRetries \(Envoy ignores max_retries when a retry budget is set\), got both; keep one/,
    );
  });
});

describe('renderOutlierDetection', () => {
  test('Istio fields; gateway errors enforced; 0 turns a check off', () => {
    expect(
      renderOutlierDetection({
        consecutive5xxErrors: 5,
        consecutiveGatewayErrors: 3,
        interval: Duration.seconds(10),
        baseEjectionTime: Duration.seconds(30),
        maxEjectionPercent: 50,
        minHealthPercent: 30,
      }),
    ).toEqual({
      outlierDetection: {
        consecutive_5xx: 5,
        consecutive_gateway_failure: 3,
        enforcing_consecutive_gateway_failure: 100,
        interval: '10s',
        base_ejection_time: '30s',
        max_ejection_percent: 50,
      },
      healthyPanicThreshold: 30,
    });
    expect(
      renderOutlierDetection({ consecutive5xxErrors: 0, consecutiveLocalOriginFailures: 2 }).outlierDetection,
    ).toEqual({
      enforcing_consecutive_5xx: 0,
      split_external_local_origin_errors: true,
      consecutive_local_origin_failure: 2,
    });
  });

  test('max ejection percent 0, percentages outside 0-100, zero durations and no check at all are refused', () => {
    expect(() => renderOutlierDetection({ maxEjectionPercent: 0 })).toThrow(
      /^outlierDetection.maxEjectionPercent is 0, so no endpoint could ever be ejected; pass e.g. 10 \(Envoy's default\) or up to 100, or drop outlierDetection$/,
    );
    expect(() => renderOutlierDetection({ maxEjectionPercent: 101 })).toThrow(
      /^outlierDetection.maxEjectionPercent must be a whole percentage from 1 to 100, got 101; pass e.g. 10 \(Envoy's default\)$/,
    );
    expect(() => renderOutlierDetection({ minHealthPercent: -1 })).toThrow(
      /minHealthPercent must be a whole percentage from 0 to 100, got -1/,
    );
    expect(() => renderOutlierDetection({ consecutive5xxErrors: -2 })).toThrow(
      /^outlierDetection.consecutive5xxErrors must be a whole number from 0 to 4294967295, got -2; pass e.g. 5, or 0 to turn this check off$/,
    );
    expect(() => renderOutlierDetection({ baseEjectionTime: Duration.seconds(0) })).toThrow(
      /^outlierDetection.baseEjectionTime must be above zero/,
    );
    expect(() => renderOutlierDetection({ consecutive5xxErrors: 0 })).toThrow(
      /turns every check off .* so nothing is ever ejected/,
    );
  });
});

describe('renderLoadBalancer', () => {
  test('simple algorithms set lb_policy only', () => {
    expect(renderLoadBalancer(LoadBalancer.leastRequest()._spec)).toEqual({
      lbPolicy: 'LEAST_REQUEST',
      extension: 'envoy.load_balancing_policies.least_request',
    });
    expect(renderLoadBalancer(LoadBalancer.random()._spec).lbPolicy).toBe('RANDOM');
    expect(renderLoadBalancer(LoadBalancer.roundRobin()._spec).lbPolicy).toBe('ROUND_ROBIN');
  });

  test('ring hash and maglev with a header, cookie or source-IP hash', () => {
    expect(
      renderLoadBalancer(
        LoadBalancer.ringHash(ConsistentHash.httpHeaderName('X-User'), { minimumRingSize: 2048 })._spec,
      ),
    ).toEqual({
      lbPolicy: 'RING_HASH',
      ringHash: { minimum_ring_size: 2048 },
      hashPolicy: [{ header: { header_name: 'x-user' } }],
      extension: 'envoy.load_balancing_policies.ring_hash',
    });
    expect(renderLoadBalancer(LoadBalancer.maglev(ConsistentHash.sourceIp(), { tableSize: 65537 })._spec)).toEqual({
      lbPolicy: 'MAGLEV',
      maglev: { table_size: 65537 },
      hashPolicy: [{ connection_properties: { source_ip: true } }],
      extension: 'envoy.load_balancing_policies.maglev',
    });
    expect(
      renderLoadBalancer(
        LoadBalancer.ringHash(ConsistentHash.httpCookie({ name: 'session', path: '/', ttl: Duration.hours(1) }))._spec,
      ).hashPolicy,
    ).toEqual([{ cookie: { name: 'session', path: '/', ttl: '3600s' } }]);
  });

  test('a hash policy without ring hash or maglev, or either without a hash, is refused', () => {
    expect(() =>
      renderLoadBalancer({ algorithm: LoadBalancerAlgorithm.LEAST_REQUEST, hash: ConsistentHash.sourceIp() }),
    ).toThrow(
      /^loadBalancer: a consistent hash only takes effect with ring hash or maglev \(Envoy ignores route hash_policy otherwise\), got least_request with a hash; use LoadBalancer.ringHash\(hash\) or LoadBalancer.maglev\(hash\)$/,
    );
    expect(() => renderLoadBalancer({ algorithm: LoadBalancerAlgorithm.MAGLEV })).toThrow(
      /^loadBalancer: maglev needs a hash/,
    );
  });

  test('maglev table sizes must be prime, ring sizes in range, header and cookie names tokens', () => {
    expect(() =>
      renderLoadBalancer(LoadBalancer.maglev(ConsistentHash.sourceIp(), { tableSize: 65536 })._spec),
    ).toThrow(
      /^loadBalancer maglev tableSize must be a prime number \(Envoy refuses others\), got 65536; pass e.g. 65537$/,
    );
    expect(() =>
      renderLoadBalancer(LoadBalancer.ringHash(ConsistentHash.sourceIp(), { minimumRingSize: 0 })._spec),
    ).toThrow(/minimumRingSize must be a whole number from 1 to 8388608, got 0/);
    expect(() => renderLoadBalancer(LoadBalancer.ringHash(ConsistentHash.httpHeaderName('x user'))._spec)).toThrow(
      /needs an HTTP header name, got 'x user'/,
    );
    expect(() =>
      renderLoadBalancer(LoadBalancer.ringHash(ConsistentHash.httpCookie({ name: 's', path: 'x' }))._spec),
    ).toThrow(/path must start with '\/', got 'x'/);
  });
});

describe('renderRetryPolicy and timeouts', () => {
  test('conditions sorted, status codes add retriable-status-codes, backoff and per-try timeout', () => {
    expect(
      renderRetryPolicy(
        {
          attempts: 3,
          retryOn: [RetryOn.RESET, RetryOn.FIVE_XX],
          retriableStatusCodes: [503, 429],
          perTryTimeout: Duration.seconds(2),
          backoff: { baseInterval: Duration.millis(50), maxInterval: Duration.millis(500) },
        },
        { request: Duration.seconds(10) },
      ),
    ).toEqual({
      retry_on: '5xx,reset,retriable-status-codes',
      num_retries: 3,
      per_try_timeout: '2s',
      retriable_status_codes: [429, 503],
      retry_back_off: { base_interval: '0.050s', max_interval: '0.500s' },
    });
    expect(renderRetryPolicy({ attempts: 1 })).toEqual({
      retry_on: 'connect-failure,gateway-error,refused-stream,reset',
      num_retries: 1,
    });
    expect(renderRouteTimeouts({ request: Duration.seconds(0), idle: Duration.minutes(1) })).toEqual({
      timeout: '0s',
      idle_timeout: '60s',
    });
  });

  test('bad retries are refused with the reason', () => {
    expect(() => renderRetryPolicy({ attempts: 0 })).toThrow(
      /^retries.attempts must be a whole number from 1 to 4294967295, got 0; pass e.g. 2, or drop retries$/,
    );
    expect(() =>
      renderRetryPolicy({ attempts: 2, perTryTimeout: Duration.seconds(5) }, { request: Duration.seconds(2) }),
    ).toThrow(
      /^retries.perTryTimeout \(5s\) exceeds timeouts.request \(2s\), which bounds all attempts together, so no retry could ever start; lower perTryTimeout or raise the request timeout$/,
    );
    expect(() =>
      renderRetryPolicy({
        attempts: 2,
        backoff: { baseInterval: Duration.seconds(1), maxInterval: Duration.millis(100) },
      }),
    ).toThrow(
      /^retries.backoff.maxInterval \(0.100s\) is below baseInterval \(1s\), which Envoy refuses; raise maxInterval or omit it/,
    );
    expect(() => renderRetryPolicy({ attempts: 2, retriableStatusCodes: [200] })).toThrow(
      /retriableStatusCodes entry must be a whole number from 400 to 599, got 200/,
    );
    expect(() => renderRetryPolicy({ attempts: 2, retryOn: [] })).toThrow(
      /retries.retryOn is empty, so nothing would be retried/,
    );
    expect(() => renderRetryPolicy({ attempts: 2, retryOn: [RetryOn.RETRIABLE_STATUS_CODES] })).toThrow(
      /RETRIABLE_STATUS_CODES but retriableStatusCodes is not set/,
    );
  });
});

describe('renderLocalRateLimit', () => {
  test('a token bucket enforced for every request (429 when empty)', () => {
    expect(
      renderLocalRateLimit({ tokensPerFill: 100, fillInterval: Duration.seconds(1), maxTokens: 200 }, 'p'),
    ).toEqual({
      name: 'envoy.filters.http.local_ratelimit',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        stat_prefix: 'p',
        token_bucket: { max_tokens: 200, tokens_per_fill: 100, fill_interval: '1s' },
        filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' }, runtime_key: 'p_enabled' },
        filter_enforced: { default_value: { numerator: 100, denominator: 'HUNDRED' }, runtime_key: 'p_enforced' },
      },
    });
  });

  test('0 tokens, a bucket smaller than a fill and fill intervals below 50 ms are refused', () => {
    expect(() => renderLocalRateLimit({ tokensPerFill: 0, fillInterval: Duration.seconds(1) }, 'p')).toThrow(
      /^localRateLimit.tokensPerFill must be a whole number from 1 to 4294967295, got 0; 0 tokens would refuse every request; pass at least 1 \(to block a Service, use a deny policy instead\)$/,
    );
    expect(() =>
      renderLocalRateLimit({ tokensPerFill: 10, maxTokens: 5, fillInterval: Duration.seconds(1) }, 'p'),
    ).toThrow(
      /^localRateLimit.maxTokens \(5\) is below tokensPerFill \(10\), so each fill is capped at 5 tokens; pass maxTokens of at least 10, or omit it$/,
    );
    expect(() => renderLocalRateLimit({ tokensPerFill: 10, fillInterval: Duration.millis(20) }, 'p')).toThrow(
      /^localRateLimit.fillInterval must be at least 50ms \(Envoy refuses token bucket fill intervals below 50ms\), got 20ms; pass Duration.millis\(50\) or more$/,
    );
  });
});

describe('renderFaultRoute', () => {
  test('an abort is a runtime_fraction route answering with a direct_response', () => {
    expect(renderFaultRoute(Fault.abort({ percent: 10, httpStatus: 503 }), 'k')).toEqual({
      name: 'fault-abort',
      match: {
        prefix: '/',
        runtime_fraction: { default_value: { numerator: 10, denominator: 'HUNDRED' }, runtime_key: 'k' },
      },
      direct_response: { status: 503, body: { inline_string: 'fault injected' } },
    });
  });

  test('delay injection is refused, saying why and what to use instead', () => {
    expect(() => renderFaultRoute(Fault.delay({ percent: 10, fixedDelay: Duration.seconds(2) }), 'k')).toThrow(
      /^fault delay injection is not possible with Cilium: the Envoy fault filter \(envoy.filters.http.fault\) is not compiled into cilium-envoy on any line \(cilium\/proxy#62\), and neither is Lua; inject delays outside the proxy instead \(a latency-injecting proxy Service behind a weighted split, or an ext_authz\/ext_proc service that sleeps\), or test failure handling with Fault.abort$/,
    );
  });

  test('percentages outside 1-100 and statuses Envoy cannot answer are refused', () => {
    expect(() => renderFaultRoute(Fault.abort({ percent: 101, httpStatus: 503 }), 'k')).toThrow(
      /^fault abort percent must be a whole percentage from 0 to 100, got 101/,
    );
    expect(() => renderFaultRoute(Fault.abort({ percent: -1, httpStatus: 503 }), 'k')).toThrow(/got -1/);
    expect(() => renderFaultRoute(Fault.abort({ percent: 0, httpStatus: 503 }), 'k')).toThrow(
      /^fault abort percent is 0, so no request is ever aborted/,
    );
    expect(() => renderFaultRoute(Fault.abort({ percent: 5, httpStatus: 600 }), 'k')).toThrow(
      /^fault abort httpStatus must be a whole number from 200 to 599, got 600/,
    );
  });
});

describe('renderResilience', () => {
  test('listener, route configuration and EDS cluster with the names Cilium expects', () => {
    const r = renderResilience({ loadBalancer: LoadBalancer.leastRequest() }, reviews);
    expect(r.extensions).toEqual([
      'envoy.filters.http.router',
      'envoy.filters.network.http_connection_manager',
      'envoy.load_balancing_policies.least_request',
      'envoy.upstreams.http.http_protocol_options',
    ]);
    expect(r.resources).toMatchSnapshot();
    const [listener, routes, cluster] = r.resources as any[];
    expect(listener.filter_chains[0].filters[0].typed_config.rds.route_config_name).toBe(routes.name);
    expect(routes.virtual_hosts[0].routes[0].route.cluster).toBe('shop/reviews');
    expect(cluster).toMatchObject({
      name: 'shop/reviews',
      type: 'EDS',
      eds_cluster_config: { service_name: 'shop/reviews' },
      lb_policy: 'LEAST_REQUEST',
    });
  });

  test('rate limit before the router, abort route before the real route', () => {
    const r = renderResilience(
      {
        localRateLimit: { tokensPerFill: 10, fillInterval: Duration.seconds(1) },
        fault: Fault.abort({ percent: 10, httpStatus: 503 }),
      },
      reviews,
    );
    const [listener, routes] = r.resources as any[];
    expect(listener.filter_chains[0].filters[0].typed_config.http_filters.map((f: any) => f.name)).toEqual([
      'envoy.filters.http.local_ratelimit',
      'envoy.filters.http.router',
    ]);
    expect(routes.virtual_hosts[0].routes.map((x: any) => x.name)).toEqual(['fault-abort', 'default']);
    expect(r.extensions).toContain('envoy.filters.http.local_ratelimit');
  });

  test('connection settings go to the cluster and its HTTP protocol options', () => {
    const [, , cluster] = renderResilience(
      {
        connectionPool: {
          tcp: { maxConnections: 10, connectTimeout: Duration.millis(500) },
          http: { maxRequestsPerConnection: 1, idleTimeout: Duration.seconds(30) },
        },
      },
      reviews,
    ).resources as any[];
    expect(cluster.connect_timeout).toBe('0.500s');
    expect(cluster.circuit_breakers).toEqual({ thresholds: [{ priority: 'DEFAULT', max_connections: 10 }] });
    expect(cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      common_http_protocol_options: { idle_timeout: '30s', max_requests_per_connection: 1 },
      use_downstream_protocol_config: { http2_protocol_options: {} },
    });
    expect(() => renderResilience({ connectionPool: { http: { maxRequestsPerConnection: 0 } } }, reviews)).toThrow(
      /maxRequestsPerConnection must be a whole number from 1/,
    );
  });
  test('parts the same for every policy are shared, frozen, and the same as built per policy', () => {
    const a = renderResilience({ loadBalancer: LoadBalancer.leastRequest() }, reviews);
    const b = renderResilience(
      { loadBalancer: LoadBalancer.random(), localRateLimit: { tokensPerFill: 1, fillInterval: Duration.seconds(1) } },
      { namespace: 'shop', name: 'ratings', port: 80 },
    );
    const c = renderResilience({ loadBalancer: LoadBalancer.leastRequest() }, { namespace: 'x', name: 'y', port: 1 });
    // the extension lists: one per load balancer and rate limit flag, sorted
    expect(c.extensions).toBe(a.extensions);
    expect(b.extensions).toEqual([
      'envoy.filters.http.local_ratelimit',
      'envoy.filters.http.router',
      'envoy.filters.network.http_connection_manager',
      'envoy.load_balancing_policies.random',
      'envoy.upstreams.http.http_protocol_options',
    ]);
    expect(Object.isFrozen(a.extensions)).toBe(true);
    const router = (r: typeof a) =>
      (r.resources[0] as any).filter_chains[0].filters[0].typed_config.http_filters.at(-1);
    expect(router(b)).toBe(router(a));
    expect(router(a)).toEqual({
      name: 'envoy.filters.http.router',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
    });
    expect(Object.isFrozen(router(a).typed_config)).toBe(true);
    const host = (r: typeof a) => (r.resources[1] as any).virtual_hosts[0];
    expect(host(b).domains).toBe(host(a).domains);
    expect(host(a).domains).toEqual(['*']);
    expect(host(a).routes[0].match).toEqual({ prefix: '/' });
    const options = (r: typeof a) => (r.resources[2] as any).typed_extension_protocol_options;
    expect(options(b)).toBe(options(a));
    expect(options(a)).toEqual({
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        use_downstream_protocol_config: { http2_protocol_options: {} },
      },
    });
    expect(() => {
      'use strict';
      options(a)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].use_downstream_protocol_config.x = 1;
    }).toThrow(TypeError);
  });
});

describe('renderLoadBalancerAnnotations', () => {
  test('only a round-robin, least-request or random algorithm alone', () => {
    expect(renderLoadBalancerAnnotations({ loadBalancer: LoadBalancer.leastRequest() })).toEqual({
      'service.cilium.io/lb-l7': 'enabled',
      'service.cilium.io/lb-l7-algorithm': 'least_request',
    });
    expect(
      renderLoadBalancerAnnotations({ loadBalancer: LoadBalancer.ringHash(ConsistentHash.sourceIp()) }),
    ).toBeUndefined();
    expect(
      renderLoadBalancerAnnotations({
        loadBalancer: LoadBalancer.random(),
        timeouts: { request: Duration.seconds(1) },
      }),
    ).toBeUndefined();
    expect(renderLoadBalancerAnnotations({ timeouts: { request: Duration.seconds(1) } })).toBeUndefined();
  });
});

describe('checkEnvoyExtensions', () => {
  test('what cilium-envoy of the line compiles in passes; the rest names the line and the fix', () => {
    expect(() =>
      checkEnvoyExtensions(
        ['envoy.filters.http.local_ratelimit', 'envoy.load_balancing_policies.maglev'],
        CiliumVersion.V1_16,
      ),
    ).not.toThrow();
    expect(() => checkEnvoyExtensions(['envoy.filters.http.fault'], CiliumVersion.V1_20)).toThrow(
      /^Envoy extension 'envoy.filters.http.fault' is not compiled into cilium-envoy of Cilium 1.20.2 \(cilium\/proxy envoy_build_config\/extensions_build_config.bzl\), so Envoy would refuse the config; no supported line builds it: do without it$/,
    );
    expect(() => checkEnvoyExtensions(['envoy.filters.http.ext_proc'], CiliumVersion.of('1.18.6'))).toThrow(
      /not compiled into cilium-envoy of Cilium 1.18.6 .* it is built from 1.17.13, 1.18.7, 1.19.0, 1.20.0: upgrade Cilium$/,
    );
    expect(() => checkEnvoyExtensions(['envoy.filters.http.ext_proc'], CiliumVersion.of('1.18.7'))).not.toThrow();
    expect(() => checkEnvoyExtensions(['envoy.filters.http.made_up'], CiliumVersion.V1_20)).toThrow(
      /is not in the cilium-envoy extension table/,
    );
  });
});
