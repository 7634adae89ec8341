import { Token } from 'aws-cdk-lib';
import {
  mayBeNumberToken,
  rejectNumberToken,
  validateCelRules,
  validateCount,
  validateDnsLabel,
  validateDnsSubdomain,
  validateEnum,
  validateLabelKey,
  validateLabelValue,
  validateLabels,
  validatePort,
  validateRe2,
  validateString,
  validateWholeNumber,
} from '../../lib/private/validate';

describe('Kubernetes name and label rules', () => {
  test.each(['a', 'shop', 'a-1', 'x'.repeat(63)])('accepts label %s', (v) => {
    expect(validateDnsLabel('namespace', v)).toBe(v);
  });
  test.each(['', 'Shop', '-a', 'a-', 'a.b', 'x'.repeat(64)])('rejects label "%s" with a suggestion', (v) => {
    expect(() => validateDnsLabel('namespace', v)).toThrow(
      /namespace must be a DNS-1123 label .* got '.*'; use a name such as '/,
    );
  });
  test('subdomain allows dots, rejects underscores', () => {
    expect(validateDnsSubdomain('name', 'a.b-c')).toBe('a.b-c');
    expect(() => validateDnsSubdomain('name', 'My_Policy')).toThrow(/got 'My_Policy'; use a name such as 'my-policy'/);
  });
  test('label keys with and without prefix', () => {
    expect(validateLabelKey('app.kubernetes.io/name')).toBe('app.kubernetes.io/name');
    expect(validateLabelKey('app')).toBe('app');
    expect(() => validateLabelKey('-app')).toThrow(/label key .* got '-app'/);
    expect(() => validateLabelKey('Bad_Prefix/app')).toThrow(/got 'Bad_Prefix\/app'/);
  });
  test('label values', () => {
    expect(validateLabelValue('k', '')).toBe('');
    expect(validateLabelValue('k', 'v1.2_x')).toBe('v1.2_x');
    expect(() => validateLabelValue('app', 'a b')).toThrow(/label value for 'app' .* got 'a b'/);
  });
  test('label maps come back sorted', () => {
    expect(Object.keys(validateLabels({ z: '1', a: '2', m: '3' }))).toEqual(['a', 'm', 'z']);
  });
  test.each([0, 65536, 1.5, -1])('rejects port %p', (p) => {
    expect(() => validatePort('port', p)).toThrow(/port must be an integer from 1 to 65535, got/);
  });
  test('accepts ports at the edges', () => {
    expect(validatePort('port', 1)).toBe(1);
    expect(validatePort('port', 65535)).toBe(65535);
  });
});

describe('CRD-limit, RE2, enum and token checks', () => {
  test('validateCount and validateString state the CRD limit and the fix', () => {
    expect(() => validateCount('rule 0 backends', 17, { maxItems: 16 }, 'split it')).toThrow(
      /^rule 0 backends: the CRD allows at most 16, got 17; split it$/,
    );
    expect(() => validateCount('listeners', 0, { minItems: 1, maxItems: 64 }, 'add one')).toThrow(
      /the CRD allows 1 to 64, got 0/,
    );
    expect(() => validateString('value', '', { minLength: 1, maxLength: 4 }, 'fix it')).toThrow(
      /^value must be 1 to 4 characters long, got 0 \(''\); fix it$/,
    );
    // Characters as the API server counts them (code points), not UTF-16 units.
    expect(validateString('value', '𝒳𝒳', { maxLength: 2 }, 'fix it')).toBe('𝒳𝒳');
    expect(() => validateString('value', 'a𝒳𝒳', { maxLength: 2 }, 'fix it')).toThrow(
      /must be 0 to 2 characters long, got 3 /,
    );
    // a lone surrogate is one code point; plain ASCII is counted without the code point walk, the same way
    expect(() => validateString('value', 'a\uD800b', { maxLength: 2 }, 'fix it')).toThrow(/got 3 /);
    expect(validateString('value', 'ab', { minLength: 2, maxLength: 2 }, 'fix it')).toBe('ab');
    expect(() => validateString('value', 'abc', { maxLength: 2 }, 'fix it')).toThrow(/got 3 \('abc'\)/);
    expect(() => validateString('name', 'a b', { patterns: ['^[a-z]+$'] }, 'fix it')).toThrow(
      /^name must match \^\[a-z\]\+\$ \(CRD schema\), got 'a b'; fix it$/,
    );
  });
  test('validateCelRules applies the guarded rules only to their types and evaluates matches with RE2', () => {
    const rules = [
      {
        field: 'value',
        check: 'matches' as const,
        value: '^[a-z/]+$',
        whenType: ['Exact'],
        message: 'must only contain letters',
      },
    ];
    expect(() => validateCelRules('path', { type: 'Exact', value: '/a b' }, rules, 'fix')).toThrow(
      /^path '\/a b': must only contain letters \(CRD validation rule\); fix$/,
    );
    expect(() => validateCelRules('path', { type: 'RegularExpression', value: '/a b' }, rules, 'fix')).not.toThrow();
  });
  test('validateRe2 accepts RE2 syntax only', () => {
    expect(validateRe2('re', '(?i)abc', 'fix')).toBe('(?i)abc');
    expect(() => validateRe2('re', 'a(?<=b)', 'fix')).toThrow(
      /^re 'a\(\?<=b\)' is not an RE2 regular expression \(invalid named capture: `\(\?<=b\)`\); fix$/,
    );
  });
  test('validateEnum and rejectNumberToken', () => {
    expect(() => validateEnum('method', 'get', ['GET', 'POST'])).toThrow(
      /^method must be one of 'GET', 'POST', got 'get'; use the enum's constants$/,
    );
    expect(() => rejectNumberToken('mtu', Token.asNumber({ Ref: 'X' }))).toThrow(
      /^mtu is an unresolved CDK token; .*pass a literal number$/,
    );
    expect(() => validateWholeNumber('percent', 1.5, 0, 100, 'round it')).toThrow(
      /^percent must be a whole number from 0 to 100, got 1.5; round it$/,
    );
  });
});

describe('mayBeNumberToken', () => {
  test("is true for aws-cdk-lib's number tokens (its encoding) and false for plain numbers below 2^960", () => {
    const tokens = [Token.asNumber({ resolve: () => 1 }), Token.asNumber({ resolve: () => -5 })];
    expect(tokens.map((t) => [Token.isUnresolved(t), mayBeNumberToken(t)])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect([0, 8080, -1, 0.5, Number.MAX_SAFE_INTEGER, 1e288].map(mayBeNumberToken)).toEqual(Array(6).fill(false));
    expect([Infinity, -Infinity, NaN, 2 ** 960].map(mayBeNumberToken)).toEqual([true, true, true, true]);
  });
});
