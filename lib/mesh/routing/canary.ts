import { Construct } from 'constructs';
import { atScope, MeshValidationError } from '../../private/errors';
import { rejectNumberToken, validateDnsLabel } from '../../private/validate';
import { objectNameFor } from '../object-names';
import { ServiceMesh } from '../service-mesh';
import type { IBackend } from './backend';
import { HttpRouteFilter } from './filters';
import { HttpRoute, type HttpRouteRule, type HttpRouteTimeouts } from './http-route';
import type { HttpRouteRetry } from './retry';
import type { HeaderMatch, HttpRouteMatch } from './matches';
import type { ParentRef } from './parent';
import { merged } from '../../private/objects';

/** A shadow version that receives copies of live traffic. */
export interface CanaryMirror {
  /** The shadow backend; its responses are discarded. */
  readonly backend: IBackend;
  /**
   * Whole percentage (0-100) of requests copied to the shadow (Cilium 1.20; see `RequestMirrorOptions.percent`).
   * @default - every request
   */
  readonly percent?: number;
}

/** What the rules of a canary release are made from (`canaryRules`); `CanaryReleaseProps` adds where they go. */
export interface CanaryRulesOptions {
  /** The current version. */
  readonly stable: IBackend;
  /** The new version. */
  readonly canary: IBackend;
  /**
   * Whole percentage (0-100) of the remaining traffic sent to `canary`; the rest goes to `stable`. A progressive
   * rollout (1 -> 10 -> 50 -> 100) changes only this number; both backends stay in the route, so each step's
   * diff is two weights.
   */
  readonly canaryWeight: number;
  /** Which requests the release covers. @default - every request */
  readonly matches?: HttpRouteMatch[];
  /**
   * Requests carrying any of these headers or cookies always go to `canary`, whatever the weight (e.g.
   * `HeaderMatch.exact('x-canary', 'true')`, `HeaderMatch.cookie('beta', '1')`).
   * @default - no targeting
   */
  readonly canaryWhen?: HeaderMatch[];
  /** Copy live traffic to a shadow version, with no effect on responses. @default - no mirroring */
  readonly mirror?: CanaryMirror;
  /** @default - none */
  readonly timeouts?: HttpRouteTimeouts;
  /**
   * Retries on every rule of the release (see `HttpRouteRule.retry`: Cilium 1.20+ with the experimental-channel
   * Gateway API CRDs).
   * @default - no retries
   */
  readonly retry?: HttpRouteRetry;
}

/** Properties of a `CanaryRelease`. */
export interface CanaryReleaseProps extends CanaryRulesOptions {
  /**
   * Where the release is routed: `ParentRef.gateway(gw)` for north-south, `ParentRef.service(backend)` for
   * east-west (GAMMA, the Service clients call).
   */
  readonly parentRef: ParentRef;
  /** Host names (Gateway parents only). @default - every host the listener accepts */
  readonly hostnames?: string[];
  /** @default - the ServiceMesh chart's namespace, else `default` */
  readonly namespace?: string;
  /**
   * The HTTPRoute's object name (a DNS label, at most 63 characters).
   * @default - derived from this construct's path below the ServiceMesh (e.g. `apicanary` for id `ApiCanary`)
   */
  readonly name?: string;
}

/**
 * Rules of a canary release: first one that sends targeted requests (any `canaryWhen` header) to the canary, then
 * one that splits the rest `100 - canaryWeight` : `canaryWeight`. Gateway API gives the rule with more header
 * matches precedence, so targeting wins over the split whatever the order.
 */
export function canaryRules(props: CanaryRulesOptions): HttpRouteRule[] {
  const w = props.canaryWeight;
  rejectNumberToken('canary weight', w);
  if (!Number.isInteger(w) || w < 0 || w > 100) {
    throw new MeshValidationError(`canary weight must be a whole percentage from 0 to 100, got ${w}; pass e.g. 10`);
  }
  const base = props.matches?.length ? props.matches : [{}];
  const filters = props.mirror
    ? [HttpRouteFilter.requestMirror(props.mirror.backend, { percent: props.mirror.percent })]
    : undefined;
  const rules: HttpRouteRule[] = [];
  if (props.canaryWhen?.length) {
    const matches = props.canaryWhen.flatMap((h) => base.map((m) => merged(m, { headers: [...(m.headers ?? []), h] })));
    if (matches.length > 64) {
      throw new MeshValidationError(
        `canary targeting produces ${matches.length} matches (matches x canaryWhen), Gateway API allows 64; use fewer`,
      );
    }
    rules.push({
      matches,
      filters,
      backendRefs: [{ backend: props.canary, weight: 1 }],
      timeouts: props.timeouts,
      retry: props.retry,
    });
  }
  rules.push({
    matches: props.matches,
    filters,
    backendRefs: [
      { backend: props.stable, weight: 100 - w },
      { backend: props.canary, weight: w },
    ],
    timeouts: props.timeouts,
    retry: props.retry,
  });
  return rules;
}

/**
 * A canary release on one HTTPRoute: weighted split between a stable and a canary backend in whole percent,
 * optional header/cookie targeting that always reaches the canary, optional mirroring to a shadow version.
 * North-south with a Gateway parent, east-west (GAMMA) with a Service parent.
 * @see https://gateway-api.sigs.k8s.io/guides/traffic-splitting/
 */
export class CanaryRelease extends Construct {
  /** The HTTPRoute carrying the release. */
  public readonly route: HttpRoute;
  /** The canary's share in percent. */
  public readonly canaryWeight: number;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const rules = atScope(this, () => canaryRules(props));
    if (props.hostnames?.length && props.parentRef.isService) {
      throw new MeshValidationError(
        'hostnames apply to Gateway parents only; an east-west (Service parent) canary matches by Service, so drop hostnames',
        this,
      );
    }
    this.canaryWeight = props.canaryWeight;
    this.route = new HttpRoute(this, 'Route', {
      parentRefs: [props.parentRef],
      hostnames: props.hostnames,
      namespace: props.namespace,
      name:
        props.name === undefined
          ? objectNameFor(this, ServiceMesh.ofScope(this))
          : atScope(this, () => validateDnsLabel('CanaryRelease name', props.name!)),
      rules,
    });
  }
}
