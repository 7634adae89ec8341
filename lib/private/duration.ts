import type { Duration } from 'aws-cdk-lib';
import { MeshValidationError } from './errors';

/** The Gateway API duration format (GEP-2257): 1 to 4 groups of 1-5 digits and a unit. */
export const GATEWAY_DURATION_PATTERN = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
/** Largest value a 5-digit hour group can hold. */
const MAX_HOURS = 99999;

/**
 * Renders `duration` in the Gateway API duration format `^([0-9]{1,5}(h|m|s|ms)){1,4}$` (GEP-2257), e.g.
 * `Duration.millis(90_250)` -> `1m30s250ms`. Zero is `0s`. Units are combined largest first, and only the non-zero
 * ones are written, so every output matches the pattern.
 *
 * (`Duration` itself rejects negative amounts.) Throws (without a construct path; wrap with `atScope`) when the
 * duration is unresolved, has a
 * sub-millisecond part (Gateway API's smallest unit is `ms`) or exceeds 99999h59m59s999ms.
 * @see https://gateway-api.sigs.k8s.io/geps/gep-2257/
 */
export function toGatewayDuration(what: string, duration: Duration): string {
  if (duration.isUnresolved()) {
    throw new MeshValidationError(`${what} must be a concrete duration, got an unresolved token; pass a literal Duration`);
  }
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms)) {
    throw new MeshValidationError(
      `${what} must be a whole number of milliseconds (the Gateway API duration format has no unit below ms), ` +
        `got ${ms}ms; round it, e.g. Duration.millis(${Math.max(1, Math.round(ms))})`,
    );
  }
  if (ms === 0) {
    return '0s';
  }
  const hours = Math.floor(ms / MS_PER_HOUR);
  if (hours > MAX_HOURS) {
    throw new MeshValidationError(
      `${what} must be below 100000h (the Gateway API duration format allows at most 5 digits per unit), got ${hours}h; pass a shorter duration`,
    );
  }
  const minutes = Math.floor((ms % MS_PER_HOUR) / MS_PER_MINUTE);
  const seconds = Math.floor((ms % MS_PER_MINUTE) / MS_PER_SECOND);
  const millis = ms % MS_PER_SECOND;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds) parts.push(`${seconds}s`);
  if (millis) parts.push(`${millis}ms`);
  return parts.join('');
}
