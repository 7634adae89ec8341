import { HeaderMatch, HttpMethod, PathMatch } from '../../../lib';
import {
  findShadowedMatches,
  hostnamesIntersect,
  validateHostname,
  validateWeights,
} from '../../../lib/mesh/routing/validation';

describe('validateHostname', () => {
  test.each(['example.com', 'api.example.com', '*.example.com', 'a-b.c1.io'])('accepts %s', (h) => {
    expect(validateHostname('hostname', h)).toBe(h);
  });
  test('rejects ports', () => {
    expect(() => validateHostname('HTTPRoute hostname', 'api.example.com:8443')).toThrow(
      /HTTPRoute hostname must not contain a port, got 'api.example.com:8443'; pass a DNS name/,
    );
  });
  test('rejects wildcards other than the whole leftmost label', () => {
    expect(() => validateHostname('hostname', 'api.*.example.com')).toThrow(
      /'\*' only as the whole leftmost label, got 'api.\*.example.com'/,
    );
    expect(() => validateHostname('hostname', '*api.example.com')).toThrow(/only as the whole leftmost label/);
    expect(() => validateHostname('redirect hostname', '*.example.com', false)).toThrow(/not at all here/);
  });
  test('rejects IPs and upper case', () => {
    expect(() => validateHostname('hostname', '10.0.0.1')).toThrow(/not an IP address, got '10.0.0.1'/);
    expect(() => validateHostname('hostname', 'API.example.com')).toThrow(
      /lower-case DNS name \(RFC 1123\), got 'API.example.com'/,
    );
  });
});

describe('validateWeights', () => {
  test('accepts whole numbers with one above zero', () => {
    expect(() => validateWeights('rule 0', [0, 10])).not.toThrow();
    expect(() => validateWeights('rule 0', [])).not.toThrow();
  });
  test('rejects fractions and negatives', () => {
    expect(() => validateWeights('rule 0', [90, 9.5])).toThrow(
      /rule 0: backend weight must be a whole number from 0 to 1000000, got 9.5/,
    );
    expect(() => validateWeights('rule 1', [-1, 5])).toThrow(/got -1/);
  });
  test('rejects all-zero weights', () => {
    expect(() => validateWeights('rule 2', [0, 0])).toThrow(
      /rule 2: all backend weights are 0 \(0, 0\).*give at least one backend a weight above 0/,
    );
  });
});

describe('hostnamesIntersect', () => {
  test.each([
    [undefined, 'a.example.com', true],
    ['*.example.com', 'a.example.com', true],
    ['a.example.com', '*.example.com', true],
    ['*.example.com', 'example.com', false],
    ['a.example.com', 'b.example.com', false],
  ])('%s vs %s -> %s', (l, r, expected) => {
    expect(hostnamesIntersect(l, r)).toBe(expected);
  });
});

describe('findShadowedMatches', () => {
  test('a regex that matches a later prefix shadows it (Cilium: Exact > RegularExpression > PathPrefix)', () => {
    const out = findShadowedMatches([{ index: 0, matches: [{ path: PathMatch.regularExpression('/impl.*') }] }], {
      index: 1,
      matches: [{ path: PathMatch.pathPrefix('/impl') }],
    });
    expect(out).toEqual([
      expect.stringMatching(
        /rule 1 match PathPrefix '\/impl' is shadowed by rule 0 RegularExpression '\/impl\.\*'.*cilium\/cilium#28852/,
      ),
    ]);
  });
  test('an identical earlier match wins ties', () => {
    const out = findShadowedMatches([{ index: 0, matches: [] }], { index: 1, matches: [] });
    expect(out).toEqual([expect.stringMatching(/rule 1 match PathPrefix '\/' repeats rule 0/)]);
  });
  test('a narrower earlier match (extra header, method) does not shadow', () => {
    const out = findShadowedMatches(
      [
        {
          index: 0,
          matches: [
            {
              path: PathMatch.regularExpression('/impl.*'),
              headers: [HeaderMatch.exact('x-canary', 'true')],
              method: HttpMethod.GET,
            },
          ],
        },
      ],
      { index: 1, matches: [{ path: PathMatch.pathPrefix('/impl') }] },
    );
    expect(out).toEqual([]);
  });
  test('a longer prefix is not shadowed by a shorter one (longest prefix wins)', () => {
    const out = findShadowedMatches([{ index: 0, matches: [{ path: PathMatch.pathPrefix('/') }] }], {
      index: 1,
      matches: [{ path: PathMatch.pathPrefix('/api') }],
    });
    expect(out).toEqual([]);
  });
});

describe('matches', () => {
  test('cookie targeting is a RegularExpression on the cookie header', () => {
    const m = HeaderMatch.cookie('beta', '1');
    expect(m).toMatchObject({ type: 'RegularExpression', name: 'cookie' });
    const re = new RegExp(`^${m.value}$`);
    expect(re.test('beta=1')).toBe(true);
    expect(re.test('a=2; beta=1; c=3')).toBe(true);
    expect(re.test('notbeta=1')).toBe(false);
    expect(re.test('beta=10')).toBe(false);
  });
  test("path validation: the CRD's CEL rules, RE2 for regular expressions", () => {
    expect(() => PathMatch.pathPrefix('api')._toKube()).toThrow(
      /PathPrefix path 'api': value must be an absolute path and start with '\/'/,
    );
    expect(() => PathMatch.exact('/a//b')._toKube()).toThrow(/Exact path '\/a\/\/b': must not contain '\/\/'/);
    expect(() => PathMatch.regularExpression('/a(')._toKube()).toThrow(
      /regular expression path '\/a\(' is not an RE2 regular expression \(missing closing \)/,
    );
  });
  test('header names are tokens', () => {
    expect(() => HeaderMatch.exact('x canary', 'true')._toKube()).toThrow(
      /header name must match .* got 'x canary'; pass a name such as 'x-canary'/,
    );
  });
});
