import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { toEnvoyDuration, toGatewayDuration } from '../../lib/private/duration';

const token = () => Lazy.number({ produce: () => 5 });

describe('durations given as tokens', () => {
  test.each([
    ['ms', (n: number) => Duration.millis(n)],
    ['s', (n: number) => Duration.seconds(n)],
    ['min', (n: number) => Duration.minutes(n)],
    ['h', (n: number) => Duration.hours(n)],
  ])('an unresolved amount in %s is refused by both renderings, with the fix', (_unit, make) => {
    const d = make(token());
    expect(d.isUnresolved()).toBe(true);
    expect(() => toEnvoyDuration('retries.perTryTimeout', d)).toThrow(
      /^retries.perTryTimeout must be a concrete duration, got an unresolved token; pass a literal Duration$/,
    );
    expect(() => toGatewayDuration('timeouts.request', d)).toThrow(
      /^timeouts.request must be a concrete duration, got an unresolved token; pass a literal Duration$/,
    );
  });

  test('a number token is a double of magnitude 2^960 or more; resolved amounts below it render', () => {
    for (let i = 0; i < 20; i++) {
      expect(Math.abs(Token.asNumber(token()))).toBeGreaterThanOrEqual(2 ** 960);
    }
    expect(toEnvoyDuration('d', Duration.millis(2 ** 40))).toBe('1099511627.776s');
    expect(toGatewayDuration('d', Duration.hours(99999))).toBe('99999h');
  });
});
