import { Construct } from 'constructs';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateCount, validateString } from '../../private/validate';
import { gatewayApiObject, routeContext, type RouteContext } from './context';
import { renderHttpFilter, type HttpRouteFilter } from './filters';
import type { WeightedBackend } from './http-route';
import type { GrpcRouteMatch } from './matches';
import { registerGammaParents } from './gamma';
import { renderParent, type RouteParent } from './parent';
import { validateHostname, validateWeights } from './validation';
import { gatewayBindings } from './bindings';

/** One rule of a GRPCRoute. */
export interface GrpcRouteRule {
  /** @default - every call */
  readonly matches?: GrpcRouteMatch[];
  /** Header modifiers and mirrors only (gRPC has no redirect or rewrite filter). @default - none */
  readonly filters?: HttpRouteFilter[];
  /** Where matching calls go (at least one). */
  readonly backends: WeightedBackend[];
}

/** Properties of a `GrpcRoute`. */
export interface GrpcRouteProps {
  /** Gateways and/or Services (GAMMA) to attach to. */
  readonly parents: RouteParent[];
  /** @default - every host its listeners accept */
  readonly hostnames?: string[];
  /** Rules (1-16). */
  readonly rules: GrpcRouteRule[];
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /**
   * The object name (a DNS label, at most 63 characters).
   * @default - derived from the construct path below the ServiceMesh, like policy names (e.g. `public` for a Gateway
   * with id `Public`)
   */
  readonly name?: string;
}

const GRPC = CRD_LIMITS.GRPCRoute;
const SERVICE_NAME = /^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z_0-9]*$/;

/** Renders one GRPCRoute rule; service and method matches are Exact. */
export function renderGrpcRouteRule(rule: GrpcRouteRule, index: number, ctx: RouteContext): gw.GrpcRouteSpecRules {
  const what = `rule ${index}`;
  if (rule.backends.length === 0) {
    throw new MeshValidationError(`${what} has no backend; add at least one backend`);
  }
  validateCount(`${what} backends`, rule.backends.length, GRPC['spec.rules[].backendRefs'], 'split the traffic over several rules or routes');
  validateCount(`${what} filters`, (rule.filters ?? []).length, GRPC['spec.rules[].filters'], 'use fewer filters');
  validateCount(`${what} matches`, (rule.matches ?? []).length, GRPC['spec.rules[].matches'], 'split the rule');
  validateWeights(what, rule.backends.map((b) => b.weight ?? 1));
  const filters = rule.filters ?? [];
  for (const f of filters) {
    if (f.type === 'RequestRedirect' || f.type === 'URLRewrite') {
      throw new MeshValidationError(`${what}: GRPCRoute has no ${f.type} filter; use header modifiers or a mirror`);
    }
  }
  const matches = (rule.matches ?? []).map((m): gw.GrpcRouteSpecRulesMatches => {
    validateCount(`${what}: a match's headers`, (m.headers ?? []).length, GRPC['spec.rules[].matches[].headers'], 'match on fewer headers');
    if (m.service !== undefined) validateString(`${what}: gRPC service`, m.service, GRPC['spec.rules[].matches[].method.service'], 'shorten it');
    if (m.method !== undefined) validateString(`${what}: gRPC method`, m.method, GRPC['spec.rules[].matches[].method.method'], 'shorten it');
    if (m.service !== undefined && !SERVICE_NAME.test(m.service)) {
      throw new MeshValidationError(`${what}: gRPC service must be a fully qualified name such as 'shop.v1.Cart', got '${m.service}'`);
    }
    if (m.method !== undefined && !METHOD_NAME.test(m.method)) {
      throw new MeshValidationError(`${what}: gRPC method must be a bare method name such as 'GetCart', got '${m.method}'`);
    }
    return {
      method: m.service || m.method ? { type: gatewayBindings().GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method } : undefined,
      headers: m.headers?.length
        ? m.headers.map((h) => h.render()).map((h) => ({ type: h.type as string as gw.GrpcRouteSpecRulesMatchesHeadersType, name: h.name, value: h.value }))
        : undefined,
    };
  });
  return {
    matches: matches.length ? matches : undefined,
    filters: filters.length
      ? filters.map((f) => ({ ...renderHttpFilter(f, ctx), type: f.type as gw.GrpcRouteSpecRulesFiltersType }))
      : undefined,
    backendRefs: rule.backends.map((b) => ({ ...ctx.backendRef(b.backend), weight: b.weight })),
  };
}

/**
 * A Gateway API `GRPCRoute` (`gateway.networking.k8s.io/v1`, standard on both Gateway API v1.1.0 and v1.6.1):
 * routes gRPC calls by service and method.
 * @see https://gateway-api.sigs.k8s.io/api-types/grpcroute/
 */
export class GrpcRoute extends Construct {
  /** The route's object name. */
  public readonly name: string;
  /** The route's namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: GrpcRouteProps) {
    super(scope, id);
    const { namespace, name } = gatewayApiObject(this, 'GRPCRoute', props.namespace, props.name);
    this.namespace = namespace;
    this.name = name;
    const spec = atScope(this, () => {
      validateCount('GRPCRoute hostnames', (props.hostnames ?? []).length, GRPC['spec.hostnames'], 'split the hostnames over several routes');
      const hostnames = (props.hostnames ?? []).map((h) => validateHostname('GRPCRoute hostname', h));
      validateCount('GRPCRoute parents', props.parents.length, { ...GRPC['spec.parentRefs'], minItems: 1 },
        'pass RouteParent.gateway(...) or RouteParent.service(...)');
      validateCount('GRPCRoute rules', props.rules.length, GRPC['spec.rules'], 'split it into several routes');
      const ctx = routeContext(this, 'GRPCRoute', this.namespace);
      return {
        parentRefs: props.parents.map((p) => renderParent(p, 'GRPCRoute', this.namespace, hostnames)),
        hostnames: hostnames.length ? hostnames : undefined,
        rules: props.rules.map((r, i) => renderGrpcRouteRule(r, i, ctx)),
      };
    });
    registerGammaParents(this, 'GRPCRoute', this.namespace, props.parents);
    new (gatewayBindings().GrpcRoute)(this, 'Resource', { metadata: { name, namespace: this.namespace }, spec });
  }
}
