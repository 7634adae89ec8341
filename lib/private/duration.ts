import type { Duration } from 'aws-cdk-lib';
import { MeshValidationError } from './errors';
import { mayBeNumberToken } from './validate';

/** The Gateway API duration format (GEP-2257): 1 to 4 groups of 1-5 digits and a unit. */
export const GATEWAY_DURATION_PATTERN = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * What an aws-cdk-lib `Duration` holds: `amount` in `unit` (`private` in its typings, plain fields at run time;
 * aws-cdk-lib 2.276).
 */
interface DurationFields {
  readonly amount?: unknown;
  readonly unit?: { readonly inMillis?: unknown };
}

/**
 * The milliseconds of `duration`, or a path-less error when it is unresolved.
 *
 * An amount below 2^960 cannot be a number token (`mayBeNumberToken`), so its milliseconds are computed here as
 * `Duration.toMilliseconds({ integral: false })` does (`amount * unit.inMillis / 1`, exactly the same double):
 * `toMilliseconds` asks `Token.isUnresolved` of the amount, which decodes it through three typed arrays, and checks
 * its options with jsii's deprecation warnings. At 20,000 objects (bench/realistic.ts, two durations per resilience
 * policy) that was 4.3 MB of allocation (.bench/alloc.ts) and ~2 µs per duration. A test pins this against
 * `toMilliseconds` for every unit and checks that the fields are still there (an aws-cdk-lib that renames them takes
 * the path below, which asks the library).
 *
 * Otherwise `Duration.isUnresolved()` decodes the amount (three typed arrays per call), and `toMilliseconds()` does
 * it again for every unit but ms; so the amount is decoded once, by `toMilliseconds()`, and `isUnresolved()` is asked
 * only of what can be a token.
 */
function concreteMillis(what: string, duration: Duration): number {
  const fields = duration as unknown as DurationFields;
  const amount = fields.amount;
  const inMillis = fields.unit?.inMillis;
  if (typeof amount === 'number' && typeof inMillis === 'number' && !mayBeNumberToken(amount)) {
    return amount * inMillis;
  }
  return libraryMillis(what, duration);
}

/** `concreteMillis` through the library (tokens, and Durations whose fields are not as expected). */
function libraryMillis(what: string, duration: Duration): number {
  let ms: number | undefined;
  try {
    ms = duration.toMilliseconds({ integral: false });
  } catch (e) {
    // an unresolved amount in any unit but ms cannot be converted
    if (!duration.isUnresolved()) throw e;
  }
  if (ms === undefined || (mayBeNumberToken(ms) && duration.isUnresolved())) {
    throw new MeshValidationError(
      `${what} must be a concrete duration, got an unresolved token; pass a literal Duration`,
    );
  }
  return ms;
}

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
  const ms = concreteMillis(what, duration);
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

/** The largest `google.protobuf.Duration` (about 10,000 years), in seconds. */
const MAX_PROTO_SECONDS = 315_576_000_000n;

const NANOS_PER_SECOND = 1_000_000_000;

/** Options for `toEnvoyDuration`. */
export interface EnvoyDurationOptions {
  /** The field must be above zero (Envoy's `duration.gt: 0s` rule), e.g. outlier detection `interval`. */
  readonly positive?: boolean;
  /** A lower bound Envoy enforces when loading the config, with the reason, e.g. 50ms for a token bucket's fill interval. */
  readonly min?: { readonly duration: Duration; readonly reason: string };
}

/**
 * Renders `duration` as Envoy reads a `google.protobuf.Duration` in JSON: seconds with up to nine fractional
 * digits and an `s`, e.g. `Duration.millis(250)` -> `0.250s` (trailing zeros kept to milliseconds, so
 * `Duration.seconds(5)` -> `5s` and `Duration.millis(1500)` -> `1.500s`). Throws (path-less; wrap with `atScope`)
 * when the duration is unresolved, has a part below a nanosecond, exceeds the protobuf range, or is below what the
 * field accepts (`options`).
 * @see https://protobuf.dev/reference/protobuf/google.protobuf/#duration
 */
export function toEnvoyDuration(what: string, duration: Duration, options: EnvoyDurationOptions = {}): string {
  const ms = concreteMillis(what, duration);
  const nanosFloat = ms * 1e6;
  const nanosRounded = Math.round(nanosFloat);
  if (Math.abs(nanosFloat - nanosRounded) > 1e-3) {
    throw new MeshValidationError(
      `${what} must be a whole number of nanoseconds (Envoy durations have nanosecond resolution), got ${ms}ms; round it`,
    );
  }
  // Below 2^53 ns (about 104 days, every realistic duration) the split is exact in doubles: no BigInts per duration.
  let seconds: number | bigint;
  let frac: number | bigint;
  if (Number.isSafeInteger(nanosRounded)) {
    frac = nanosRounded % NANOS_PER_SECOND;
    seconds = (nanosRounded - frac) / NANOS_PER_SECOND;
  } else {
    const nanos = BigInt(nanosRounded);
    seconds = nanos / 1_000_000_000n;
    frac = nanos % 1_000_000_000n;
    if (seconds > MAX_PROTO_SECONDS) {
      throw new MeshValidationError(
        `${what} must be at most ${MAX_PROTO_SECONDS}s (the protobuf Duration range Envoy reads), got ${seconds}s; pass a shorter duration`,
      );
    }
  }
  if (options.positive && nanosRounded === 0) {
    throw new MeshValidationError(
      `${what} must be above zero (Envoy rejects 0s here), got 0; pass e.g. Duration.seconds(1)`,
    );
  }
  if (options.min && ms < options.min.duration.toMilliseconds({ integral: false })) {
    throw new MeshValidationError(
      `${what} must be at least ${options.min.duration.toMilliseconds()}ms (${options.min.reason}), got ${ms}ms; ` +
        `pass Duration.millis(${options.min.duration.toMilliseconds()}) or more`,
    );
  }
  if (frac === 0 || frac === 0n) {
    return `${seconds}s`;
  }
  // 3, 6 or 9 fractional digits, as protojson writes them: 0.250s, 0.000250s, 0.000000250s.
  let digits = frac.toString().padStart(9, '0');
  while (digits.length > 3 && digits.endsWith('000')) {
    digits = digits.slice(0, -3);
  }
  return `${seconds}.${digits}s`;
}
