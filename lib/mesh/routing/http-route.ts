import { Annotations, type Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import { CRD_LIMITS } from '../../imports/crd-limits';
import { toGatewayDuration } from '../../private/duration';
import { atScope, MeshValidationError } from '../../private/errors';
import { validateCount, validateDnsSubdomain, validateEnum } from '../../private/validate';
import { gatewayApiUnsupportedReason } from '../../cilium/gateway-api-support';
import { GatewayApiFeature } from '../../gateway-api/features';
import type { IBackend } from './backend';
import { meshObjectOf } from '../rendered-object';
import { gatewayApiObject, routeContext, type RouteContext } from './context';
import type { HttpRouteFilter } from './filters';
import { HttpMethod, PathMatchType, type HttpRouteMatch } from './matches';
import { registerGammaParents } from './gamma';
import type { ParentRef } from './parent';
import { renderRetry, requireRetrySupport, toExperimentalSpec, type HttpRouteRetry } from './retry';
import { findShadowedMatches, validateHostname, validateWeights, type RuleMatches } from './validation';
import { experimentalGatewayBindings, gatewayBindings } from './bindings';
import { merged } from '../../private/objects';

const HTTP = CRD_LIMITS.HTTPRoute;
/** The CRD's parentRefs limits, and at least one (a route with no parent attaches nowhere). */
const PARENT_REFS = { ...HTTP['spec.parentRefs'], minItems: 1 };

/** A backend of a rule with its share of traffic. */
export interface WeightedBackend {
  readonly backend: IBackend;
  /**
   * Relative weight (whole number 0-1000000); the share is weight / sum of the rule's weights.
   * @default 1
   */
  readonly weight?: number;
}

/** Timeouts of an HTTPRoute rule (`timeouts`), rendered in the Gateway API duration format. */
export interface HttpRouteTimeouts {
  /** Whole request, client to response. `Duration.seconds(0)` disables it. @default - Cilium's default */
  readonly request?: Duration;
  /** Each request from the gateway to a backend; at most `request`. @default - same as `request` */
  readonly backendRequest?: Duration;
}

/** One rule of an HTTPRoute. */
export interface HttpRouteRule {
  /**
   * The rule's name (GEP-995), unique within the route: a DNS subdomain such as `canary-split`, which status
   * conditions and policies can refer to. Needs CRDs that have the field: Gateway API v1.4.0+ (standard channel;
   * Cilium 1.19 and 1.20) or v1.2.0+ experimental (Cilium 1.17 and 1.18 with the experimental channel); a synth
   * error elsewhere (see the README's Gateway API feature table).
   * @default - no name
   * @see https://gateway-api.sigs.k8s.io/geps/gep-995/
   */
  readonly name?: string;
  /**
   * Conditions a request must meet for the rule to apply (any of them).
   * @default - every request (PathPrefix '/')
   */
  readonly matches?: HttpRouteMatch[];
  /**
   * Filters applied to matching requests (header modifiers, redirect, rewrite, mirror).
   * @default - none
   */
  readonly filters?: HttpRouteFilter[];
  /**
   * Where matching requests go, with weights; required unless a RequestRedirect filter answers them.
   * @default - none
   */
  readonly backendRefs?: WeightedBackend[];
  /**
   * Request and backend request timeouts.
   * @default - none
   */
  readonly timeouts?: HttpRouteTimeouts;
  /**
   * Retry failed requests to the backends (GEP-1731). Needs Cilium 1.20+ and the experimental-channel Gateway API
   * CRDs (in v1.6.1 `retry` is experimental); the route is then emitted with the experimental-channel schema.
   * @default - no retries
   * @see https://gateway-api.sigs.k8s.io/geps/gep-1731/
   */
  readonly retry?: HttpRouteRetry;
}

/** Properties of an `HttpRoute`. */
export interface HttpRouteProps {
  /** Gateways (north-south) and/or Services (east-west, GAMMA) to attach to. */
  readonly parentRefs: ParentRef[];
  /** Host names this route serves (ignored for Service parents). @default - every host its listeners accept */
  readonly hostnames?: string[];
  /** Rules (1-16). */
  readonly rules: HttpRouteRule[];
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /**
   * The object name (a DNS label, at most 63 characters).
   * @default - derived from the construct path below the ServiceMesh, like policy names (e.g. `public` for a Gateway
   * with id `Public`)
   */
  readonly name?: string;
}

/** Renders the timeouts of a rule; `backendRequest` must not exceed `request` (Gateway API rule). */
export function renderTimeouts(t: HttpRouteTimeouts): gw.HttpRouteSpecRulesTimeouts {
  const request = t.request && toGatewayDuration('timeouts.request', t.request);
  const backendRequest = t.backendRequest && toGatewayDuration('timeouts.backendRequest', t.backendRequest);
  if (t.request && t.backendRequest) {
    const r = t.request.toMilliseconds({ integral: false });
    if (r !== 0 && t.backendRequest.toMilliseconds({ integral: false }) > r) {
      throw new MeshValidationError(
        `timeouts.backendRequest (${backendRequest}) must not exceed timeouts.request (${request}); lower backendRequest or raise request`,
      );
    }
  }
  return { request, backendRequest };
}

/** Renders one HTTPRoute rule (pure apart from the grant recording in `ctx`). */
export function renderHttpRouteRule(rule: HttpRouteRule, index: number, ctx: RouteContext): gw.HttpRouteSpecRules {
  const what = `rule ${index}`;
  const filters = rule.filters ?? [];
  const backends = rule.backendRefs ?? [];
  const redirect = filters.some((f) => f.type === 'RequestRedirect');
  if (backends.length === 0 && !redirect) {
    throw new MeshValidationError(
      `${what} has no backend and no redirect, so it would answer 500; add backendRefs or a RequestRedirect filter`,
    );
  }
  if (backends.length > 0 && redirect) {
    throw new MeshValidationError(
      `${what} has both backendRefs and a RequestRedirect filter; a redirect answers the request itself, so drop one`,
    );
  }
  const counts = new Map<string, number>();
  filters.forEach((f) => counts.set(f.type, (counts.get(f.type) ?? 0) + 1));
  for (const [type, n] of counts) {
    if (n > 1 && type !== 'RequestMirror') {
      throw new MeshValidationError(
        `${what} has ${n} ${type} filters, Gateway API allows one per rule; merge them into one`,
      );
    }
  }
  if (redirect && filters.some((f) => f.type === 'URLRewrite')) {
    throw new MeshValidationError(
      `${what} has both RequestRedirect and URLRewrite filters, which Gateway API forbids; keep one`,
    );
  }
  validateCount(
    `${what} backendRefs`,
    backends.length,
    HTTP['spec.rules[].backendRefs'],
    'split the traffic over several rules or routes',
  );
  validateCount(`${what} filters`, filters.length, HTTP['spec.rules[].filters'], 'use fewer filters');
  validateWeights(
    what,
    backends.map((b) => b.weight ?? 1),
  );
  const matches = rule.matches ?? [];
  validateCount(`${what} matches`, matches.length, HTTP['spec.rules[].matches'], 'split the rule');
  return {
    name: rule.name !== undefined ? checkRuleName(what, rule.name, ctx) : undefined,
    matches: matches.length ? matches.map(renderMatch) : undefined,
    filters: filters.length ? filters.map((f) => f._toKube(ctx)) : undefined,
    backendRefs: backends.length
      ? backends.map((b) => merged(ctx.backendRef(b.backend), { weight: b.weight }))
      : undefined,
    timeouts: rule.timeouts ? renderTimeouts(rule.timeouts) : undefined,
  };
}

/** Gateway API allows one condition per header or query parameter name in a match. */
function checkUniqueNames(what: string, names: readonly string[]): void {
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    throw new MeshValidationError(
      `a match has two ${what} conditions on '${dup}' (Gateway API allows one per name); combine them into one regular expression`,
    );
  }
}

function renderMatch(m: HttpRouteMatch): gw.HttpRouteSpecRulesMatches {
  validateCount(
    "a match's headers",
    m.headers?.length ?? 0,
    HTTP['spec.rules[].matches[].headers'],
    'match on fewer headers',
  );
  validateCount(
    "a match's query parameters",
    m.queryParams?.length ?? 0,
    HTTP['spec.rules[].matches[].queryParams'],
    'match on fewer query parameters',
  );
  if (m.method !== undefined) validateEnum('match method', m.method, Object.values(HttpMethod));
  checkUniqueNames(
    'header',
    (m.headers ?? []).map((x) => x.name.toLowerCase()),
  );
  checkUniqueNames(
    'query parameter',
    (m.queryParams ?? []).map((x) => x.name),
  );
  return {
    path: m.path?._toKube(),
    headers: m.headers?.length
      ? m.headers
          .map((h) => h._toKube())
          .map((h) => ({
            type: h.type as string as gw.HttpRouteSpecRulesMatchesHeadersType,
            name: h.name,
            value: h.value,
          }))
      : undefined,
    queryParams: m.queryParams?.length
      ? m.queryParams
          .map((q) => q._toKube())
          .map((q) => ({
            type: q.type as string as gw.HttpRouteSpecRulesMatchesQueryParamsType,
            name: q.name,
            value: q.value,
          }))
      : undefined,
    method: m.method as string as gw.HttpRouteSpecRulesMatchesMethod | undefined,
  };
}

/**
 * A rule name: a DNS subdomain (the CRD's pattern), on CRDs that have the field (the feature table decides).
 * Uniqueness within the route is checked by `checkRuleNames`.
 */
export function checkRuleName(what: string, name: string, ctx: RouteContext): string {
  const why = gatewayApiUnsupportedReason(ctx.profile, GatewayApiFeature.ROUTE_RULE_NAMES);
  if (why) {
    throw new MeshValidationError(
      `${what} has name '${name}', but ${why}; drop the name, or install CRDs that have it ` +
        '(the experimental channel from Gateway API v1.2.0, the standard one from v1.4.0)',
    );
  }
  return validateDnsSubdomain(`${what} name`, name);
}

/** Rule names must be unique within a route (Gateway API: "MUST be unique within a Route"). */
export function checkRuleNames(rules: readonly { readonly name?: string }[]): void {
  const seen = new Map<string, number>();
  rules.forEach((r, i) => {
    if (r.name === undefined) return;
    const first = seen.get(r.name);
    if (first !== undefined) {
      throw new MeshValidationError(
        `rules ${first} and ${i} are both named '${r.name}'; rule names must be unique within a route`,
      );
    }
    seen.set(r.name, i);
  });
}

/**
 * A Gateway API `HTTPRoute`: north-south on a Gateway listener, or east-west (GAMMA) on a Service. Checked at
 * synth: Gateway API on the install, attachable parents, weights, backends or redirect per rule, hostnames,
 * durations; rules shadowed by an earlier one under Cilium's match ordering get a warning.
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class HttpRoute extends Construct {
  /** The route's object name. */
  public readonly name: string;
  /** The route's namespace. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id);
    const { profile, namespace, name } = gatewayApiObject(this, 'HTTPRoute', props.namespace, props.name);
    this.namespace = namespace;
    this.name = name;
    const rendered = atScope(this, () => {
      validateCount(
        'HTTPRoute hostnames',
        (props.hostnames ?? []).length,
        HTTP['spec.hostnames'],
        'split the hostnames over several routes',
      );
      const hostnames = (props.hostnames ?? []).map((h) => validateHostname('HTTPRoute hostname', h));
      validateCount(
        'HTTPRoute parentRefs',
        props.parentRefs.length,
        PARENT_REFS,
        'pass ParentRef.gateway(...) or ParentRef.service(...)',
      );
      validateCount('HTTPRoute rules', props.rules.length, HTTP['spec.rules'], 'split it into several routes');
      const totalMatches = props.rules.reduce((n, r) => n + (r.matches?.length ?? 0), 0);
      if (totalMatches > 128) {
        throw new MeshValidationError(
          `an HTTPRoute may have at most 128 matches over all rules, got ${totalMatches}; split it into several routes`,
        );
      }
      const parentRefs = props.parentRefs.map((p) => p._toKube('HTTPRoute', this.namespace, hostnames));
      const ctx = routeContext(this, 'HTTPRoute', this.namespace);
      const rules = props.rules.map((r, i) => renderHttpRouteRule(r, i, ctx));
      checkRuleNames(props.rules);
      checkPrefixRewrites(props.rules);
      if (props.rules.some((r) => r.retry)) {
        requireRetrySupport(profile);
      }
      const retries = props.rules.map((r, i) => r.retry && renderRetry(`rule ${i}`, r.retry));
      return { spec: { parentRefs, hostnames: hostnames.length ? hostnames : undefined, rules }, retries };
    });
    registerGammaParents(this, 'HTTPRoute', this.namespace, props.parentRefs);
    // asked only of routes with timeouts (a table lookup per route otherwise)
    const noTimeouts = props.rules.some((r) => r.timeouts)
      ? gatewayApiUnsupportedReason(profile, GatewayApiFeature.HTTP_ROUTE_TIMEOUTS)
      : undefined;
    if (noTimeouts) {
      Annotations.of(this).addWarningV2(
        'cdk-cilium-mesh:routeTimeouts',
        `${noTimeouts}; install the experimental HTTPRoute CRD or the API server rejects the timeouts`,
      );
    }
    if (props.hostnames?.length && props.parentRefs.every((p) => p.isService)) {
      Annotations.of(this).addWarningV2(
        'cdk-cilium-mesh:gammaHostnames',
        'hostnames are ignored on routes whose parents are Services (GAMMA); remove them',
      );
    }
    const earlier: RuleMatches[] = [];
    props.rules.forEach((r, index) => {
      const rm = { index, matches: r.matches ?? [] };
      for (const msg of findShadowedMatches(earlier, rm)) {
        Annotations.of(this).addWarningV2('cdk-cilium-mesh:shadowedRule', `${msg}; reorder or narrow the rules`);
      }
      earlier.push(rm);
    });
    const metadata = { name, namespace: this.namespace };
    // Only routes that use an experimental field get the experimental schema; the rest stay standard-channel objects.
    if (rendered.retries.some((r) => r)) {
      meshObjectOf(this, 'Resource', experimentalGatewayBindings().HttpRoute, {
        metadata,
        spec: toExperimentalSpec(rendered.spec, rendered.retries),
      });
    } else {
      meshObjectOf(this, 'Resource', gatewayBindings().HttpRoute, { metadata, spec: rendered.spec });
    }
  }
}

function checkPrefixRewrites(rules: readonly HttpRouteRule[]): void {
  rules.forEach((r, i) => {
    const usesPrefix = (r.filters ?? []).some((f) => f._replacesPrefix);
    const prefixMatches = (r.matches ?? []).filter((m) => m.path?.type === PathMatchType.PATH_PREFIX);
    if (usesPrefix && (prefixMatches.length !== 1 || (r.matches ?? []).length !== 1)) {
      throw new MeshValidationError(
        `rule ${i} uses ReplacePrefixMatch, which needs exactly one match with a PathPrefix path; use one PathMatch.pathPrefix(...) match or PathModifier.replaceFullPath`,
      );
    }
  });
}
