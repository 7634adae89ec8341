// The public resilience API. The Envoy wire shapes (envoy.ts) and the per-field renderers in render.ts are
// internal: tests import them from their modules.
export {
  ConsistentHash,
  Fault,
  LoadBalancer,
  LoadBalancerAlgorithm,
  RetryOn,
  type ConnectionPool,
  type TcpConnectionPool,
  type HttpConnectionPool,
  type RetryBudget,
  type OutlierDetection,
  type HttpCookieOptions,
  type RingHashOptions,
  type MaglevOptions,
  type ResilienceTimeouts,
  type ResilienceRetries,
  type RetryBackoff,
  type LocalRateLimit,
  type FaultAbortOptions,
  type FaultDelayOptions,
  type ResilienceSettings,
} from './options';
export {
  renderResilience,
  renderLoadBalancerAnnotations,
  type ResilienceService,
  type RenderedResilience,
} from './render';
export { ResiliencePolicy, ResilienceTarget, type ResiliencePolicyProps } from './resilience-policy';
