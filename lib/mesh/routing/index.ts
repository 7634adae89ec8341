export { Backend, type BackendReference, type IBackend } from './backend';
export {
  PathMatch,
  PathMatchType,
  HeaderMatch,
  QueryParamMatch,
  ValueMatchType,
  HttpMethod,
  type HttpRouteMatch,
  type GrpcRouteMatch,
} from './matches';
export {
  HttpRouteFilter,
  PathModifier,
  RedirectStatusCode,
  RedirectScheme,
  type HeaderModifierOptions,
  type RequestRedirectOptions,
  type UrlRewriteOptions,
  type RequestMirrorOptions,
} from './filters';
export {
  Gateway,
  Listener,
  ListenerProtocol,
  AllowedRoutes,
  LoadBalancerScheme,
  NlbTargetType,
  loadBalancerAnnotations,
  type GatewayProps,
  type GatewayAttributes,
  type ListenerOptions,
  type HttpsListenerOptions,
  type CertificateSecret,
  type AwsLoadBalancerOptions,
} from './gateway';
export { ParentRef, type IGateway } from './parent';
export {
  HttpRoute,
  type HttpRouteProps,
  type HttpRouteRule,
  type HttpRouteTimeouts,
  type WeightedBackend,
} from './http-route';
export { type HttpRouteRetry } from './retry';
export { GrpcRoute, type GrpcRouteProps, type GrpcRouteRule } from './grpc-route';
export { TlsRoute, type TlsRouteProps } from './tls-route';
export {
  CanaryRelease,
  canaryRules,
  type CanaryReleaseProps,
  type CanaryRulesOptions,
  type CanaryMirror,
} from './canary';
export {
  CiliumIngress,
  IngressPathType,
  type CiliumIngressProps,
  type CiliumIngressRule,
  type CiliumIngressTls,
} from './ingress';
export { ReferenceGrants, type GrantRequest } from './reference-grants';
