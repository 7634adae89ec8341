import { execFileSync } from 'child_process';
import * as path from 'path';
import { merged } from '../../lib/private/objects';

describe('merged', () => {
  test('has the keys, values and key order of { ...base, ...more }, in a new object', () => {
    const base = { b: 1, a: { x: 1 }, c: undefined };
    const more = { a: 2, d: 'd' };
    const out = merged(base, more);
    expect(out).toStrictEqual({ ...base, ...more });
    expect(Object.keys(out)).toEqual(Object.keys({ ...base, ...more }));
    expect(out).not.toBe(base);
    expect(Object.keys(merged({}, {}))).toEqual([]);
    // integer-like keys first, as a spread lists them
    expect(Object.keys(merged({ b: 1, 2: 'two' }, { 1: 'one', a: 0 }))).toEqual(
      Object.keys({ b: 1, 2: 'two', 1: 'one', a: 0 }),
    );
  });

  test('defines an own __proto__ member, as a spread does, instead of setting the prototype', () => {
    const more = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const out = merged({}, more) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'k']);
    expect(out.polluted).toBeUndefined();
    expect(out).toStrictEqual({ ...more });
  });

  test('objects it makes with the same keys share one hidden class, where the spread gives each its own', () => {
    // V8's own check (%HaveSameMap), in a process with natives syntax; the spread form is checked too, so that this
    // test shows why `merged` exists for as long as Node does this
    const script = `
      const { merged } = require('./lib/private/objects');
      const gvk = { apiVersion: 'cilium.io/v2', kind: 'CiliumEnvoyConfig' };
      const viaSpread = [], viaMerged = [];
      for (let i = 0; i < 50; i++) {
        const props = { metadata: { name: 'n' + i }, spec: {} };
        viaSpread.push({ ...gvk, ...props });
        viaMerged.push(merged(gvk, props));
      }
      const shared = (xs) => xs.slice(10).every((x) => %HaveSameMap(x, xs[10]));
      console.log(JSON.stringify({ merged: shared(viaMerged), spread: shared(viaSpread) }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '-r', 'ts-node/register/transpile-only', '-e', script],
      { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual({
      merged: true,
      spread: process.versions.node.startsWith('20.') ? false : expect.any(Boolean),
    });
  });
});
