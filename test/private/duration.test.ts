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

describe('toEnvoyDuration on both sides of 2^53 nanoseconds (doubles below, BigInt above)', () => {
  /** The reference rendering, in BigInt throughout. */
  const reference = (nanos: bigint): string => {
    const s = nanos / 1_000_000_000n;
    let digits = (nanos % 1_000_000_000n).toString().padStart(9, '0');
    if (digits === '000000000') return `${s}s`;
    while (digits.length > 3 && digits.endsWith('000')) digits = digits.slice(0, -3);
    return `${s}.${digits}s`;
  };

  test.each([
    1,
    999,
    1_000_000,
    999_999_999,
    1_000_000_001,
    2 ** 53 - 1_000_000,
    2 ** 53 - 2_000_000,
    2 ** 53 + 2_000_000,
    2 ** 60,
  ])('%d ns', (nanos) => {
    const ms = nanos / 1e6;
    expect(Number.isSafeInteger(Math.round(ms * 1e6))).toBe(nanos < 2 ** 53);
    expect(toEnvoyDuration('d', Duration.millis(ms))).toBe(reference(BigInt(Math.round(ms * 1e6))));
  });
});

describe('milliseconds of a Duration read from its fields (no Token.isUnresolved per duration)', () => {
  const units: [string, (n: number) => Duration][] = [
    ['millis', Duration.millis],
    ['seconds', Duration.seconds],
    ['minutes', Duration.minutes],
    ['hours', Duration.hours],
    ['days', Duration.days],
  ];

  test.each(units)('%s: the same string as through toMilliseconds, for whole and fractional amounts', (_u, make) => {
    for (const amount of [0, 1, 3, 10, 0.001, 0.25, 1.5, 7.123456, 99999, 2 ** 40]) {
      const d = make(amount);
      const viaLibrary = {
        toMilliseconds: (o: { integral?: boolean }) => d.toMilliseconds(o),
        isUnresolved: () => d.isUnresolved(),
      } as unknown as Duration;
      for (const render of [toEnvoyDuration, toGatewayDuration]) {
        let expected: string;
        try {
          expected = render('d', viaLibrary);
        } catch (e) {
          expect(() => render('d', d)).toThrow((e as Error).message);
          continue;
        }
        expect(render('d', d)).toBe(expected);
      }
    }
  });

  test('the fields are there, so toMilliseconds is not asked of a literal Duration', () => {
    const spy = jest.spyOn(Duration.prototype, 'toMilliseconds');
    try {
      expect(toEnvoyDuration('d', Duration.seconds(10))).toBe('10s');
      expect(toGatewayDuration('d', Duration.minutes(1.5))).toBe('1m30s');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('a Duration without the expected fields is asked through the library, tokens included', () => {
    const plain = { toMilliseconds: () => 1500, isUnresolved: () => false } as unknown as Duration;
    expect(toEnvoyDuration('d', plain)).toBe('1.500s');
    expect(() => toEnvoyDuration('d', Duration.seconds(token()))).toThrow(/must be a concrete duration/);
  });
});
