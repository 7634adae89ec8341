import {
  validateDnsLabel, validateDnsSubdomain, validateLabelKey, validateLabelValue, validateLabels, validatePort,
} from '../../lib/private/validate';

describe('Kubernetes name and label rules', () => {
  test.each(['a', 'shop', 'a-1', 'x'.repeat(63)])('accepts label %s', (v) => {
    expect(validateDnsLabel('namespace', v)).toBe(v);
  });
  test.each(['', 'Shop', '-a', 'a-', 'a.b', 'x'.repeat(64)])('rejects label "%s" with a suggestion', (v) => {
    expect(() => validateDnsLabel('namespace', v)).toThrow(/namespace must be a DNS-1123 label .* got '.*'; use a name such as '/);
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
