/**
 * fast-check arbitraries for the property sweep (test/sweep/sweep.ts): values a user might plausibly pass, mixed
 * with a few percent of values at and just past every limit the CRDs, Envoy and Cilium impose, and strings that
 * only a JavaScript caller can pass where TypeScript expects an enum.
 */
import fc from 'fast-check';

/**
 * Mostly `good`, sometimes `bad` (weights 30:1 unless given): an input has many fields, so each must be wrong
 * rarely for a fair share of inputs to be valid as a whole.
 */
export function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>, goodWeight = 30): fc.Arbitrary<T> {
  return fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: bad });
}

/** Present or not, half and half. */
export function opt<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(a, { nil: undefined, freq: 2 });
}

/** Present now and then (one in five). */
export function rare<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
}

/** A string of `min`-`max` characters from `alphabet`. */
export function stringOf(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** Strings every field should survive: empty, blanks, control characters, non-ASCII, over-long. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-',
    '.',
    '/',
    '*',
    'A',
    'a_b',
    'a b',
    'ä',
    '𝒳',
    'a\nb',
    'a\u0000b',
    'x'.repeat(64),
    'x'.repeat(254),
    'x'.repeat(1025),
    'x'.repeat(4097),
  ),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

/** A DNS-1123 label (namespaces, Service and object names). */
export const dnsLabel: fc.Arbitrary<string> = fc
  .tuple(stringOf(LOWER, 1, 1), stringOf(LOWER + DIGITS + '-', 0, 14), stringOf(LOWER + DIGITS, 1, 1))
  .map(([a, b, c]) => `${a}${b}${c}`);
export const name = mostly(
  dnsLabel,
  fc.oneof(oddString, fc.constantFrom('Shop', 'a-', '-a', 'a.b', 'x'.repeat(63), 'x'.repeat(64))),
);

/** Label keys (optionally prefixed) and values. */
const labelName = fc
  .tuple(stringOf(LOWER + 'AZ09', 1, 1), stringOf(LOWER + 'AZ09-_.', 0, 10), stringOf(LOWER + '09', 1, 1))
  .map(([a, b, c]) => a + b + c);
// Labels come in maps, so each key or value is wrong more rarely than a single field.
export const labelKey = mostly(
  fc.oneof(
    labelName,
    fc.tuple(dnsLabel, labelName).map(([p, n]) => `${p}.io/${n}`),
  ),
  fc.oneof(oddString, fc.constantFrom('a/b/c', '/a', 'a/', 'x'.repeat(64))),
  80,
);
export const labelValue = mostly(fc.oneof(labelName, fc.constant('')), oddString, 80);
export const labels = (min: number) => fc.dictionary(labelKey, labelValue, { minKeys: min, maxKeys: 3 });

/** Port numbers: valid, and the edges and non-integers around them. */
export const portNumber = mostly(
  fc.integer({ min: 1, max: 65535 }),
  fc.constantFrom(0, -1, 65536, 80.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31),
  25,
);

/** Whole numbers in a range, with the values just outside and a few non-integers. */
export function wholeIn(min: number, max: number): fc.Arbitrary<number> {
  return mostly(
    fc.integer({ min, max }),
    fc.constantFrom(min - 1, max + 1, min + 0.5, Number.NaN, Number.POSITIVE_INFINITY),
  );
}

/** A list whose length is usually small and sometimes around a CRD maxItems (`limit`). */
export function listAround<T>(item: fc.Arbitrary<T>, small: number, limit: number, min = 0): fc.Arbitrary<T[]> {
  return mostly(
    fc.array(item, { minLength: min, maxLength: small }),
    fc.array(item, { minLength: limit - 1, maxLength: limit + 2 }),
    15,
  );
}

/** Host names: DNS names, wildcards, and the mistakes (ports, IPs, upper case, bad wildcards). */
export const hostname = mostly(
  fc
    .tuple(fc.constantFrom('', '*.'), fc.array(dnsLabel, { minLength: 1, maxLength: 3 }))
    .map(([w, ls]) => `${w}${ls.join('.')}.example.com`),
  fc.oneof(
    oddString,
    fc.constantFrom('api.example.com:443', '10.0.0.1', 'API.example.com', 'a.*.example.com', '*', 'example.com.'),
  ),
);

/** Paths: valid ones, percent-encoded ones, and the characters and sequences the CRD's CEL rules forbid. */
export const path = mostly(
  fc.array(stringOf(LOWER + DIGITS + '-._~', 1, 8), { minLength: 0, maxLength: 3 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom(
    'api',
    '',
    '/a b',
    '/café',
    '/search?q=1',
    '/a//b',
    '/a/./b',
    '/a/../b',
    '/a/..',
    '/a/.',
    '/a%2fb',
    '/a%2Fb',
    '/a#b',
    '/a%20b',
    '/%zz',
    '/' + 'x'.repeat(1024),
    '/ok;v=1',
    "/a'(b)*",
  ),
  6,
);

/**
 * Regular expressions: RE2-valid ones, RE2-only syntax (accepted by Envoy and Cilium), and JavaScript-only or
 * broken syntax (lookarounds, back-references, possessive quantifiers, repeat counts past 1000, unbalanced).
 */
export const regex = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/', '/api', '/v[0-9]+', '/(a|b)', ''),
        fc.constantFrom('', '.*', '/.*', '[a-z]+', '$', '(/.*)?'),
      )
      .map(([a, b]) => a + b || '/'),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('(?i)/api', '/\\p{L}+', '/[[:alpha:]]+', '/(?P<v>v[0-9])', '/\\Qa.b\\E', '/x*?'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/(?=a)',
      '/(?!a).*',
      '/(?<=x)y',
      '/(a)\\1',
      '/a++',
      '/a{1001}',
      '/a{2,1}',
      '/\\cA',
      '/(',
      '/[',
      '*',
      '/\\',
      '[z-a]',
    ),
  },
);

/** Header and query parameter names, and values of every length the CRD allows or refuses. */
export const headerName = mostly(
  fc.tuple(stringOf(LOWER, 1, 1), stringOf(LOWER + DIGITS + '-', 0, 12)).map(([a, b]) => `x-${a}${b}`),
  fc.oneof(oddString, fc.constantFrom('x canary', 'x:y', 'é')),
);
export const headerValue = mostly(
  stringOf(LOWER + DIGITS + '-_.=; ', 1, 12),
  fc.constantFrom('', 'x'.repeat(1024), 'x'.repeat(1025), 'x'.repeat(4096), 'x'.repeat(4097), 'ä'),
);

/** Durations as a number of milliseconds (non-negative and finite, as aws-cdk-lib's Duration requires). */
export const durationMs = mostly(
  fc.integer({ min: 0, max: 3_600_000 }),
  fc.constantFrom(0.5, 1.25, 360_000_000_000, 1),
);

/** CIDRs: masked networks of both families, and host bits, leading zeros, bad prefixes and non-CIDRs. */
const octet = mostly(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('256', '01', '999'), 30);
export const cidr = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([ip, p]) => {
      const net = p === 0 ? 0 : Math.floor(ip / 2 ** (32 - p)) * 2 ** (32 - p);
      return `${[24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.')}/${p}`;
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 40 }))
      .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '2001:db8::/32',
      'fd00::/8',
      '::/0',
      '2001:db8::1/128',
      '2001:db8::1/64',
      'fe80::/129',
      '1::2::3/64',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(oddString, fc.constantFrom('10.0.0.1', '10.0.0.0/', '10.0.0.0/8/8', '999.1.1.1/99')),
  },
);

/** DNS names and patterns for toFQDNs and DNS rules. */
export const fqdn = mostly(
  fc
    .tuple(fc.array(stringOf(LOWER + DIGITS + '-_', 1, 10), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([ls, dot]) => `${ls.join('.')}.com${dot ? '.' : ''}`),
  fc.oneof(
    oddString,
    fc.constantFrom(
      '*',
      '**.example.com',
      'a..b',
      '.a',
      `${'a'.repeat(64)}.com`,
      `${'a'.repeat(60)}.`.repeat(5),
      '*.example.com',
    ),
  ),
);
export const fqdnPattern = mostly(
  fc
    .tuple(fc.constantFrom('*.', 'api-*.', '', '*'), fc.array(stringOf(LOWER, 1, 8), { maxLength: 2 }))
    .map(([w, ls]) => (ls.length ? `${w}${ls.join('.')}.com` : w || '*')),
  fc.oneof(oddString, fc.constantFrom('**', 'a**b.com', '*.*.', 'a..b')),
);

/** Cilium versions: supported SemVer patches, and everything a version string can get wrong. */
export const versionString = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(16, 17, 18, 19, 20), fc.integer({ min: 0, max: 25 }))
      .map(([m, p]) => `1.${m}.${p}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('1', '01', '2', '0'),
        fc.constantFrom('15', '016', '020', '21', '20'),
        fc.constantFrom('0', '00', '01', '999999999999999999999'),
      )
      .map((p) => p.join('.')),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      oddString,
      fc.constantFrom(
        'v1.20.0',
        '1.20',
        '1.20.0-rc.1',
        '1.20.0+b1',
        ' 1.20.0',
        '1.20.x',
        '1..20',
        '1.20.0.0',
        '１.20.0',
      ),
    ),
  },
);
