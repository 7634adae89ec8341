/**
 * Pure validation rules of the routing constructs. They throw path-less `MeshValidationError`s (constructs
 * wrap them with `atScope`) or return findings for warnings.
 */
import type { CiliumProfile } from '../../cilium/profile';
import { MeshValidationError } from '../../private/errors';
import { rejectNumberToken } from '../../private/validate';
import { PathMatchType, type HttpRouteMatch } from './matches';

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A Gateway API hostname: a lower-case DNS name, optionally with a single `*` as the whole leftmost label; no
 * port, no IP address, no trailing dot.
 */
export function validateHostname(what: string, hostname: string, allowWildcard = true): string {
  const fix = "pass a DNS name such as 'api.example.com'" + (allowWildcard ? " or '*.example.com'" : '');
  if (hostname.includes(':')) {
    throw new MeshValidationError(
      `${what} must not contain a port, got '${hostname}'; ${fix} (ports belong on the listener)`,
    );
  }
  const labels = hostname.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  const badWildcard = labels.some((l, i) => l.includes('*') && !(i === 0 && l === '*'));
  if (badWildcard || (wildcard && !allowWildcard)) {
    throw new MeshValidationError(
      `${what} may use '*' only as the whole leftmost label${allowWildcard ? '' : ' (not at all here)'}, got '${hostname}'; ${fix}`,
    );
  }
  if (/^[0-9.]+$/.test(hostname)) {
    throw new MeshValidationError(`${what} must be a DNS name, not an IP address, got '${hostname}'; ${fix}`);
  }
  if (hostname.length > 253 || rest.length === 0 || !rest.every((l) => l.length <= 63 && HOST_LABEL.test(l))) {
    throw new MeshValidationError(`${what} must be a lower-case DNS name (RFC 1123), got '${hostname}'; ${fix}`);
  }
  return hostname;
}

/**
 * Backend weights: whole numbers from 0 to 1,000,000, and at least one above zero (all-zero weights make
 * Gateway API implementations answer 500).
 */
export function validateWeights(what: string, weights: readonly number[]): void {
  for (const w of weights) {
    rejectNumberToken(`${what}: backend weight`, w);
    if (!Number.isInteger(w) || w < 0 || w > 1_000_000) {
      throw new MeshValidationError(
        `${what}: backend weight must be a whole number from 0 to 1000000, got ${w}; pass e.g. 90 and 10`,
      );
    }
  }
  if (weights.length > 0 && weights.every((w) => w === 0)) {
    throw new MeshValidationError(
      `${what}: all backend weights are 0 (${weights.join(', ')}), so every request would get HTTP 500; give at least one backend a weight above 0`,
    );
  }
}

/** Does a route hostname intersect a listener hostname (Gateway API hostname matching, wildcards included)? */
export function hostnamesIntersect(listener: string | undefined, route: string): boolean {
  if (listener === undefined) return true;
  const covers = (wild: string, host: string) =>
    wild.startsWith('*.') && host.endsWith(wild.slice(1)) && host.length > wild.length - 1;
  return listener === route || covers(listener, route) || covers(route, listener);
}

/** Throws when the profile has no Gateway API controller. */
export function requireGatewayApi(profile: CiliumProfile, kind: string): void {
  if (!profile.gatewayApi) {
    throw new MeshValidationError(
      `${kind} needs Cilium's Gateway API controller, which this mesh's Cilium profile does not enable; enable it on ` +
        'the Cilium construct (gatewayApi: true, i.e. Helm gatewayAPI.enabled=true) or pass chainingProfile({ gatewayApi: true })',
    );
  }
}

/** A rule's matches, as seen by the shadowing check. */
export interface RuleMatches {
  /** Rule index (0-based) for messages. */
  readonly index: number;
  readonly matches: readonly HttpRouteMatch[];
}

/**
 * Finds matches of `rule` that never win because of an earlier rule, following Cilium's ordering: Exact >
 * RegularExpression > PathPrefix, longest first within a type (cilium/cilium#28852, fixed by cilium/cilium#29381;
 * the precedence of RegularExpression is implementation-specific in Gateway API, kubernetes-sigs/gateway-api#1770).
 * Two findings: an identical match in an earlier rule (ties go to the earlier rule), and a PathPrefix that a
 * RegularExpression of an earlier rule matches (the regex is sorted first, so `/impl.*` takes `/impl/...`).
 * Returns one message per finding.
 */
export function findShadowedMatches(earlier: readonly RuleMatches[], rule: RuleMatches): string[] {
  const out: string[] = [];
  for (const m of rule.matches.length ? rule.matches : [{}]) {
    for (const e of earlier) {
      for (const em of e.matches.length ? e.matches : [{}]) {
        if (!sameConditionsOrBroader(em, m)) continue;
        const ep = em.path ?? { type: PathMatchType.PATH_PREFIX, value: '/' };
        const p = m.path ?? { type: PathMatchType.PATH_PREFIX, value: '/' };
        if (ep.type === p.type && ep.value === p.value) {
          out.push(
            `rule ${rule.index} match ${p.type} '${p.value}' repeats rule ${e.index}, which wins ties, so it never matches`,
          );
        } else if (
          ep.type === PathMatchType.REGULAR_EXPRESSION &&
          p.type === PathMatchType.PATH_PREFIX &&
          regexCovers(ep.value, p.value)
        ) {
          out.push(
            `rule ${rule.index} match PathPrefix '${p.value}' is shadowed by rule ${e.index} RegularExpression '${ep.value}': ` +
              'Cilium sorts Exact > RegularExpression > PathPrefix (cilium/cilium#28852, #29381), so the regex takes these requests',
          );
        }
      }
    }
  }
  return out;
}

/** True when `broad` has no header, query or method condition that `narrow` lacks. */
function sameConditionsOrBroader(broad: HttpRouteMatch, narrow: HttpRouteMatch): boolean {
  const key = (x: { type: string; name: string; value: string }) => `${x.type}:${x.name.toLowerCase()}=${x.value}`;
  const nh = new Set((narrow.headers ?? []).map(key));
  const nq = new Set((narrow.queryParams ?? []).map(key));
  return (
    (broad.method === undefined || broad.method === narrow.method) &&
    (broad.headers ?? []).every((h) => nh.has(key(h))) &&
    (broad.queryParams ?? []).every((q) => nq.has(key(q)))
  );
}

function regexCovers(pattern: string, prefix: string): boolean {
  try {
    const re = new RegExp(`^(?:${pattern})$`);
    return re.test(prefix) && re.test(`${prefix.replace(/\/$/, '')}/x`);
  } catch {
    return false;
  }
}
