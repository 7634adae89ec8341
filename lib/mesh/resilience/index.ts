export {
  ConsistentHash, Fault, LoadBalancer, LoadBalancerAlgorithm, RetryOn,
  type ConnectionPool, type TcpConnectionPool, type HttpConnectionPool, type RetryBudget, type OutlierDetection,
  type HttpCookieOptions, type RingHashOptions, type MaglevOptions, type LoadBalancerSpec, type ResilienceTimeouts,
  type ResilienceRetries, type RetryBackoff, type LocalRateLimit, type FaultAbortOptions, type FaultDelayOptions,
  type ResilienceSettings,
} from './options';
export {
  renderResilience, renderCircuitBreakers, renderOutlierDetection, renderLoadBalancer, renderRouteTimeouts,
  renderRetryPolicy, renderLocalRateLimit, renderFaultRoute, renderLoadBalancerAnnotations, checkEnvoyExtensions,
  type ResilienceService, type RenderedResilience, type RenderedLoadBalancer,
} from './render';
export { ResiliencePolicy, ResilienceTarget, type ResiliencePolicyProps } from './resilience-policy';
export type * from './envoy';
