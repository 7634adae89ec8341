import { Duration } from 'aws-cdk-lib';
import { GATEWAY_DURATION_PATTERN, toGatewayDuration } from '../../../lib/private/duration';

describe('toGatewayDuration', () => {
  test.each([
    [Duration.millis(0), '0s'],
    [Duration.seconds(0), '0s'],
    [Duration.millis(1), '1ms'],
    [Duration.millis(999), '999ms'],
    [Duration.seconds(3), '3s'],
    [Duration.millis(1500), '1s500ms'],
    [Duration.minutes(1), '1m'],
    [Duration.millis(90_250), '1m30s250ms'],
    [Duration.hours(1), '1h'],
    [Duration.millis(3_723_004), '1h2m3s4ms'],
    [Duration.minutes(90), '1h30m'],
    [Duration.days(2), '48h'],
    [Duration.hours(99999), '99999h'],
    [Duration.millis(99999 * 3_600_000 + 3_599_999), '99999h59m59s999ms'],
  ])('%s -> %s', (d, expected) => {
    const out = toGatewayDuration('timeout', d);
    expect(out).toBe(expected);
    expect(out).toMatch(GATEWAY_DURATION_PATTERN);
  });

  test('rejects sub-millisecond precision', () => {
    expect(() => toGatewayDuration('timeouts.request', Duration.millis(1.5))).toThrow(
      /timeouts.request must be a whole number of milliseconds .* got 1.5ms; round it, e.g. Duration.millis\(2\)/,
    );
    expect(() => toGatewayDuration('t', Duration.millis(0.25))).toThrow(/no unit below ms/);
  });

  test('rejects 100000h and more (5 digits per unit)', () => {
    expect(() => toGatewayDuration('timeouts.request', Duration.hours(100000))).toThrow(
      /timeouts.request must be below 100000h .* got 100000h; pass a shorter duration/,
    );
  });
});
