import { Construct } from 'constructs';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { gatewayBindings } from './bindings';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateCount, validateString } from '../../private/validate';
import { meshObjectOf } from '../rendered-object';
import { gatewayApiObject, routeContext, type RouteContext } from './context';
import type { HttpRouteFilter } from './filters';
import { checkRuleName, checkRuleNames, type WeightedBackend } from './http-route';
import type { GrpcRouteMatch } from './matches';
import { registerGammaParents } from './gamma';
import type { ParentRef } from './parent';
import { validateHostname, validateWeights } from './validation';
import { merged } from '../../private/objects';

/** One rule of a GRPCRoute. */
export interface GrpcRouteRule {
  /**
   * The rule's name (GEP-995), unique within the route; needs CRDs that have the field, as `HttpRouteRule.name`.
   * @default - no name
   * @see https://gateway-api.sigs.k8s.io/geps/gep-995/
   */
  readonly name?: string;
  /**
   * Conditions a call must meet for the rule to apply (any of them).
   * @default - every call
   */
  readonly matches?: GrpcRouteMatch[];
  /** Header modifiers and mirrors only (gRPC has no redirect or rewrite filter). @default - none */
  readonly filters?: HttpRouteFilter[];
  /** Where matching calls go (at least one), with weights. */
  readonly backendRefs: WeightedBackend[];
}

/** Properties of a `GrpcRoute`. */
export interface GrpcRouteProps {
  /** Gateways and/or Services (GAMMA) to attach to. */
  readonly parentRefs: ParentRef[];
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
  if (rule.backendRefs.length === 0) {
    throw new MeshValidationError(`${what} has no backend; add at least one entry to backendRefs`);
  }
  validateCount(
    `${what} backendRefs`,
    rule.backendRefs.length,
    GRPC['spec.rules[].backendRefs'],
    'split the traffic over several rules or routes',
  );
  validateCount(`${what} filters`, (rule.filters ?? []).length, GRPC['spec.rules[].filters'], 'use fewer filters');
  validateCount(`${what} matches`, (rule.matches ?? []).length, GRPC['spec.rules[].matches'], 'split the rule');
  validateWeights(
    what,
    rule.backendRefs.map((b) => b.weight ?? 1),
  );
  const filters = rule.filters ?? [];
  for (const f of filters) {
    if (f.type === 'RequestRedirect' || f.type === 'URLRewrite') {
      throw new MeshValidationError(`${what}: GRPCRoute has no ${f.type} filter; use header modifiers or a mirror`);
    }
  }
  const matches = (rule.matches ?? []).map((m): gw.GrpcRouteSpecRulesMatches => {
    validateCount(
      `${what}: a match's headers`,
      (m.headers ?? []).length,
      GRPC['spec.rules[].matches[].headers'],
      'match on fewer headers',
    );
    if (m.service !== undefined)
      validateString(`${what}: gRPC service`, m.service, GRPC['spec.rules[].matches[].method.service'], 'shorten it');
    if (m.method !== undefined)
      validateString(`${what}: gRPC method`, m.method, GRPC['spec.rules[].matches[].method.method'], 'shorten it');
    if (m.service !== undefined && !SERVICE_NAME.test(m.service)) {
      throw new MeshValidationError(
        `${what}: gRPC service must be a fully qualified name such as 'shop.v1.Cart', got '${m.service}'`,
      );
    }
    if (m.method !== undefined && !METHOD_NAME.test(m.method)) {
      throw new MeshValidationError(
        `${what}: gRPC method must be a bare method name such as 'GetCart', got '${m.method}'`,
      );
    }
    return {
      method:
        m.service || m.method
          ? { type: gatewayBindings().GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method }
          : undefined,
      headers: m.headers?.length
        ? m.headers
            .map((h) => h._toKube())
            .map((h) => ({
              type: h.type as string as gw.GrpcRouteSpecRulesMatchesHeadersType,
              name: h.name,
              value: h.value,
            }))
        : undefined,
    };
  });
  return {
    name: rule.name !== undefined ? checkRuleName(what, rule.name, ctx) : undefined,
    matches: matches.length ? matches : undefined,
    filters: filters.length
      ? filters.map((f) => merged(f._toKube(ctx), { type: f.type as gw.GrpcRouteSpecRulesFiltersType }))
      : undefined,
    backendRefs: rule.backendRefs.map((b) => merged(ctx.backendRef(b.backend), { weight: b.weight })),
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
      validateCount(
        'GRPCRoute hostnames',
        (props.hostnames ?? []).length,
        GRPC['spec.hostnames'],
        'split the hostnames over several routes',
      );
      const hostnames = (props.hostnames ?? []).map((h) => validateHostname('GRPCRoute hostname', h));
      validateCount(
        'GRPCRoute parentRefs',
        props.parentRefs.length,
        { ...GRPC['spec.parentRefs'], minItems: 1 },
        'pass ParentRef.gateway(...) or ParentRef.service(...)',
      );
      validateCount('GRPCRoute rules', props.rules.length, GRPC['spec.rules'], 'split it into several routes');
      const ctx = routeContext(this, 'GRPCRoute', this.namespace);
      const parentRefs = props.parentRefs.map((p) => p._toKube('GRPCRoute', this.namespace, hostnames));
      const rules = props.rules.map((r, i) => renderGrpcRouteRule(r, i, ctx));
      checkRuleNames(props.rules);
      return { parentRefs, hostnames: hostnames.length ? hostnames : undefined, rules };
    });
    registerGammaParents(this, 'GRPCRoute', this.namespace, props.parentRefs);
    meshObjectOf(this, 'Resource', gatewayBindings().GrpcRoute, {
      metadata: { name, namespace: this.namespace },
      spec,
    });
  }
}
