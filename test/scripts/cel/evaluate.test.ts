import { analyze, RuleEvaluator } from '../../../scripts/cel/evaluate';
import { isKubernetesIP } from '../../../scripts/cel/k8s-functions';
import { parse } from '@bufbuild/cel';

const evaluator = new RuleEvaluator();
const run = (rule: string, self: unknown, message?: string) => evaluator.evaluate({ rule, message }, self);

describe('the rules Kubernetes CRDs use', () => {
  test.each([
    [
      'macros all/exists/exists_one/map/filter',
      'self.all(x, x > 0) && self.exists(x, x == 2) && self.exists_one(x, x == 3) && self.map(x, x * 2)[0] == 2 && self.filter(x, x > 1).size() == 2',
      [1n, 2n, 3n],
    ],
    ['matches (RE2) with a raw triple-quoted pattern', 'self.matches(r"""^(\\*\\.)?[a-z]+$""")', '*.abc'],
    [
      'startsWith/endsWith/contains/size',
      "self.startsWith('/') && self.endsWith('x') && self.contains('b') && size(self) == 4",
      '/abx',
    ],
    [
      'duration() comparisons',
      "duration(self.a) > duration('1s') && duration(self.b) == duration('0s')",
      { a: '1500ms', b: '0s' },
    ],
    [
      'strings extension: lowerAscii/split/substring/indexOf',
      "self.lowerAscii() == 'a/b' && self.split('/')[1] == 'B' && self.substring(2) == 'B' && self.indexOf('/') == 1",
      'A/B',
    ],
    ['isIP (Kubernetes IP library)', "isIP('10.0.0.1') && isIP('2001:db8::1') && !isIP(self)", 'example.com'],
    [
      'list isSorted/indexOf/lastIndexOf (Kubernetes lists library)',
      "self.isSorted() && self.indexOf('b') == 1 && self.lastIndexOf('z') == -1",
      ['a', 'b', 'b'],
    ],
  ])('%s', (_name, rule, self) => {
    expect(run(rule, self)).toEqual({ status: 'pass' });
  });

  test('a false rule fails with its message, or the rule text when it has none', () => {
    expect(run('self > 3', 2n, 'must be more than 3')).toEqual({ status: 'fail', message: 'must be more than 3' });
    expect(run('self > 3', 2n)).toEqual({ status: 'fail', message: 'failed rule: self > 3' });
  });

  test('a runtime error or a non-bool result fails, as on the API server', () => {
    expect(run('self.missing == 1', {})).toEqual({
      status: 'fail',
      message: 'evaluation error: field not found: missing (rule: self.missing == 1)',
    });
    expect(run('self + 1', 1n)).toEqual({
      status: 'fail',
      message: 'rule did not evaluate to a bool (rule: self + 1)',
    });
  });

  test('unsupported: unknown functions (also namespaced ones) and syntax the library does not parse', () => {
    expect(run("url(self).getHost() == 'a' && quantity('1').isInteger()", 'x')).toEqual({
      status: 'unsupported',
      what: 'getHost, isInteger, quantity, url',
    });
    expect(run('size(self) == 0 || !format.dns1123Label().validate(self).hasValue()', 'x')).toEqual({
      status: 'unsupported',
      what: 'format.dns1123Label, hasValue, validate',
    });
    expect(run('self.?a.orValue(1) == 1', {})).toMatchObject({
      status: 'unsupported',
      what: expect.stringMatching(/^syntax \(/),
    });
  });

  test('unsupported: an implemented extension meeting an input it does not handle', () => {
    expect(run('self.isSorted()', [[1n], [2n]])).toEqual({ status: 'unsupported', what: 'isSorted' });
  });

  test('transition rules are recognized by a reference to oldSelf, not by text', () => {
    expect(run('self == oldSelf', 'a')).toEqual({ status: 'transition' });
    expect(analyze(parse("self.x == 'oldSelf'")).oldSelf).toBe(false);
    // macros expand into comprehensions; a loop variable named like a namespace is not one
    expect(analyze(parse('self.all(format, format.startsWith("a"))')).calls).toEqual(
      new Set(['startsWith', '_&&_', '@not_strictly_false']),
    );
  });
});

describe('isIP', () => {
  test.each([
    ['1.2.3.4', true],
    ['255.255.255.255', true],
    ['01.2.3.4', false],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['::1', true],
    ['2001:db8::8a2e:370:7334', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1::2::3', false],
    ['::ffff:1.2.3.4', false],
    ['::ffff:102:304', false],
    ['64:ff9b::1.2.3.4', true],
    ['fe80::1%eth0', false],
    ['example.com', false],
    ['', false],
  ])('%s → %s', (s, expected) => {
    expect(isKubernetesIP(s)).toBe(expected);
  });
});
