/**
 * HTTPRoute rule `retry` (GEP-1731). In Gateway API v1.6.1 the field exists only in the experimental-channel
 * HTTPRoute CRD (it is promoted to the standard channel in v1.7.0), so routes that use it are emitted with the
 * bindings generated from experimental-install.yaml.
 */
import type { Duration } from 'aws-cdk-lib';
import type { CiliumProfile } from '../../cilium/profile';
import { gatewayApiSupports } from '../../cilium/gateway-api-support';
import { GatewayApiFeature, gatewayApiFeature } from '../../gateway-api/features';
import type * as gw from '../../imports/gateway.networking.k8s.io';
import type * as gwx from '../../imports/gateway.networking.k8s.io.experimental';
import { toGatewayDuration } from '../../private/duration';
import { MeshValidationError } from '../../private/errors';
import { rejectNumberToken } from '../../private/validate';
import { merged } from '../../private/objects';

/**
 * Retries of an HTTPRoute rule: the gateway re-sends a failed request to a backend before answering the client.
 * Cilium (1.20+) retries on the listed status codes and on connection failures, resets and refused streams
 * (Envoy `retry_on: retriable-status-codes,connect-failure,reset,refused-stream`, cilium/cilium#46433), for every
 * HTTP method: retry only routes whose requests are safe to repeat.
 * @see https://gateway-api.sigs.k8s.io/geps/gep-1731/
 */
export interface HttpRouteRetry {
  /**
   * HTTP response status codes to retry, 400-599 (the CRD's range; 500, 502, 503 and 504 must be supported by
   * every implementation, 4xx codes are rarely safe to retry). Rendered sorted.
   * @default - no status code: only connection errors are retried
   */
  readonly codes?: number[];
  /**
   * How many times a request is retried at most (whole number, at least 1).
   * @default - implementation-specific (Envoy: 1)
   */
  readonly attempts?: number;
  /**
   * The minimum wait between attempts (Gateway API duration, whole milliseconds). Cilium uses it as Envoy's
   * `retry_back_off.base_interval`.
   * @default - implementation-specific (Envoy: 25ms)
   */
  readonly backoff?: Duration;
}

/** Renders a rule's `retry`; throws (path-less) on values the v1.6.1 experimental CRD rejects. */
export function renderRetry(what: string, retry: HttpRouteRetry): gwx.HttpRouteSpecRulesRetry {
  let codes: number[] | undefined;
  if (retry.codes !== undefined) {
    if (retry.codes.length === 0) {
      throw new MeshValidationError(
        `${what}: retry.codes is empty; omit codes to retry on connection errors only, or list e.g. [502, 503]`,
      );
    }
    for (const c of retry.codes) {
      rejectNumberToken(`${what}: retry.codes entry`, c);
      if (!Number.isInteger(c) || c < 400 || c > 599) {
        throw new MeshValidationError(
          `${what}: retry.codes must be HTTP status codes from 400 to 599, got ${c}; pass e.g. 503`,
        );
      }
    }
    const dup = retry.codes.find((c, i) => retry.codes!.indexOf(c) !== i);
    if (dup !== undefined) {
      throw new MeshValidationError(
        `${what}: retry.codes lists ${dup} twice (the field is a set); list each code once`,
      );
    }
    codes = [...retry.codes].sort((a, b) => a - b);
  }
  if (retry.attempts !== undefined) rejectNumberToken(`${what}: retry.attempts`, retry.attempts);
  if (retry.attempts !== undefined && (!Number.isInteger(retry.attempts) || retry.attempts < 1)) {
    throw new MeshValidationError(
      `${what}: retry.attempts must be a whole number of at least 1, got ${retry.attempts}; pass e.g. 2, or drop retry`,
    );
  }
  return {
    codes,
    attempts: retry.attempts,
    backoff: retry.backoff && toGatewayDuration(`${what}: retry.backoff`, retry.backoff),
  };
}

/**
 * Throws unless the install can carry `retry`: Cilium 1.20 or later (before, the generated Envoy retry policy had
 * no `retry_on`, so nothing was retried: cilium/cilium#46432, fixed by #46433) and the experimental-channel CRDs
 * (in Gateway API v1.6.1 the standard HTTPRoute CRD has no `retry`; the API server would drop or reject it).
 */
export function requireRetrySupport(profile: CiliumProfile): void {
  const since = gatewayApiFeature(GatewayApiFeature.HTTP_ROUTE_RETRY).ciliumSince!;
  if (profile.version.minor < since) {
    throw new MeshValidationError(
      `HTTPRoute retry (GEP-1731) takes effect from Cilium 1.${since} (earlier lines generate an Envoy ` +
        `retry policy without retry_on, so nothing is retried: cilium/cilium#46432, fixed by #46433), got Cilium ` +
        `${profile.version.version}; upgrade to CiliumVersion.V1_20 or drop retry`,
    );
  }
  if (!gatewayApiSupports(profile, GatewayApiFeature.HTTP_ROUTE_RETRY)) {
    throw new MeshValidationError(
      'HTTPRoute retry is in the experimental channel only in Gateway API v1.6.1 (standard from v1.7.0), but this ' +
        'install has the standard-channel CRDs; install the experimental CRDs with gatewayApiCrds: { channel: ' +
        'GatewayApiChannel.EXPERIMENTAL } on the Cilium construct (or pass chainingProfile({ gatewayApiChannel: ' +
        'GatewayApiChannel.EXPERIMENTAL }) for a cluster installed elsewhere), or drop retry',
    );
  }
}

/** `T` with every string enum widened to `string`: the JSON shape, independent of which module declared the enum. */
type Widened<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? Widened<U>[]
    : T extends object
      ? { [K in keyof T]: Widened<T[K]> }
      : T;

/**
 * The experimental-channel spec of a route rendered with the standard bindings, plus each rule's `retry`. The
 * assignment below is the compile-time proof that every standard field exists with the same JSON shape in the
 * experimental binding (the two modules only differ in the identity of their enum types); CI validates the
 * output against experimental-install.yaml.
 */
export function toExperimentalSpec(
  spec: gw.HttpRouteSpec,
  retries: readonly (gwx.HttpRouteSpecRulesRetry | undefined)[],
): gwx.HttpRouteSpec {
  const shape: Widened<gwx.HttpRouteSpec> = spec as Widened<gw.HttpRouteSpec>;
  const x = shape as gwx.HttpRouteSpec;
  return merged(x, { rules: x.rules?.map((r, i) => (retries[i] ? merged(r, { retry: retries[i] }) : r)) });
}
