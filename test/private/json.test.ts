import { sortedOnce, sortKeysDeep } from '../../lib/private/json';

/** The definition: a fresh copy with keys sorted at every level and undefined members dropped. */
function reference(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reference);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = reference(v);
    }
    return out;
  }
  return value;
}

/** A deterministic pseudo-random JSON-like value (mulberry32), with unsorted keys and undefined members. */
function randomValue(seed: number): unknown {
  let s = seed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const make = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.3) return [1, 'a', null, true, undefined][Math.floor(next() * 5)];
    if (r < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => make(depth + 1));
    const keys = ['b', 'a', 'c', 'Z', '_x', 'a1'].filter(() => next() < 0.6);
    if (next() < 0.5) keys.sort();
    return Object.fromEntries(keys.map((k) => [k, make(depth + 1)]));
  };
  return make(0);
}

describe('sortKeysDeep', () => {
  test('gives the same JSON as sorting a copy at every level, for sorted and unsorted input alike', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const value = randomValue(seed);
      const before = JSON.stringify(value);
      expect({ seed, json: JSON.stringify(sortKeysDeep(value)) }).toEqual({
        seed,
        json: JSON.stringify(reference(value)),
      });
      // the input is never changed
      expect({ seed, json: JSON.stringify(value) }).toEqual({ seed, json: before });
    }
  });

  test('returns a sorted value as it is, and copies only the parts that change', () => {
    const sorted = { a: { b: [1, { c: 2, d: 3 }] }, e: 'x' };
    expect(sortKeysDeep(sorted)).toBe(sorted);
    const mixed = { a: { b: 1 }, c: { e: 1, d: 2 } };
    const out = sortKeysDeep(mixed) as typeof mixed;
    expect(out).not.toBe(mixed);
    expect(out.a).toBe(mixed.a);
    expect(Object.keys(out.c)).toEqual(['d', 'e']);
  });

  test('a key out of order after members already walked (and one copied) still sorts the whole object', () => {
    const value = { a: { c: 1, b: 2 }, d: [{ f: 1, e: 2 }], z: 1, y: undefined, x: 2 };
    const out = sortKeysDeep(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a', 'd', 'x', 'z']);
    expect(JSON.stringify(out)).toBe('{"a":{"b":2,"c":1},"d":[{"e":2,"f":1}],"x":2,"z":1}');
  });

  test('drops undefined members and copies objects that are not plain', () => {
    // keys in order or not, the undefined member is gone (toEqual would not tell)
    expect(Object.keys(sortKeysDeep({ b: 1, c: undefined }) as object)).toEqual(['b']);
    expect(Object.keys(sortKeysDeep({ c: undefined, b: 1 }) as object)).toEqual(['b']);
    class Spec {
      public readonly x = 1;
    }
    const spec = new Spec();
    const out = sortKeysDeep(spec);
    expect(out).not.toBe(spec);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({ x: 1 });
  });
});

describe('sortedOnce', () => {
  test('sorts like sortKeysDeep, and sortKeysDeep then returns its result without walking it again', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const value = randomValue(seed);
      expect({ seed, json: JSON.stringify(sortedOnce(value)) }).toEqual({
        seed,
        json: JSON.stringify(reference(value)),
      });
    }
    const once = sortedOnce({ b: { d: 1, c: 2 }, a: 1 }) as Record<string, unknown>;
    expect(JSON.stringify(once)).toBe('{"a":1,"b":{"c":2,"d":1}}');
    // against the contract (the owner changes it no more), to show that the second reader does not walk it
    (once.b as Record<string, unknown>).a = 0;
    expect(JSON.stringify(sortKeysDeep(once))).toBe('{"a":1,"b":{"c":2,"d":1,"a":0}}');
    // the same content not from sortedOnce is walked and sorted
    expect(JSON.stringify(sortKeysDeep({ a: 1, b: { c: 2, d: 1, a: 0 } }))).toBe('{"a":1,"b":{"a":0,"c":2,"d":1}}');
  });
});
