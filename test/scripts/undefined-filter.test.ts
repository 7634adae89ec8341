import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as cilium from '../../lib/imports/cilium.io';
import * as gw from '../../lib/imports/gateway.networking.k8s.io';
import * as gwx from '../../lib/imports/gateway.networking.k8s.io.experimental';
import { CDK8S_UNDEFINED_FILTER, LINEAR_UNDEFINED_FILTER, linearUndefinedFilter } from '../../scripts/undefined-filter';

const MODULES = ['cilium.io', 'gateway.networking.k8s.io', 'gateway.networking.k8s.io.experimental'];
const source = (m: string) => fs.readFileSync(path.join(__dirname, '../../lib/imports', `${m}.ts`), 'utf8');

/** A filter step (TypeScript statements over `result`) as a function of `result`. */
function filterOf(step: string): (result: object) => Record<string, unknown> {
  const js = ts.transpile(step, { target: ts.ScriptTarget.ES2022 });
  return new Function('result', js) as (result: object) => Record<string, unknown>;
}
const reduce = filterOf(CDK8S_UNDEFINED_FILTER);
const linear = filterOf(LINEAR_UNDEFINED_FILTER);

/** The same as cdk8s's filter: equal values, the same own keys in the same order, the same prototype. */
function expectSameAsCdk8s(result: object): void {
  const a = reduce(result);
  const b = linear(result);
  expect(b).toStrictEqual(a);
  expect(Object.keys(b)).toEqual(Object.keys(a));
  expect(Object.getPrototypeOf(b)).toBe(Object.getPrototypeOf(a));
}

describe('the generated mappings filter undefined values in one pass', () => {
  test.each(MODULES)('%s: every mapping has the linear filter, none the spread one', (m) => {
    const text = source(m);
    const mappings = text.split('\n  const result = {\n').length - 1;
    expect(mappings).toBeGreaterThan(200);
    expect(text.split(LINEAR_UNDEFINED_FILTER).length - 1).toBe(mappings);
    expect(text).not.toContain(CDK8S_UNDEFINED_FILTER);
  });

  test('the linear filter gives what the spread one gives, for the keys of every generated mapping', () => {
    const values = [undefined, null, 0, '', false, 'x', 1, [], {}, [undefined], { a: undefined }];
    let checked = 0;
    for (const m of MODULES) {
      // the keys of each `result` literal, as written in the generated file
      for (const block of source(m).split('\n  const result = {\n').slice(1)) {
        const keys = [...block.slice(0, block.indexOf('\n  };\n')).matchAll(/^ {4}'([^']+)':/gm)].map((x) => x[1]);
        expect(keys.length).toBeGreaterThan(0);
        for (let shift = 0; shift < values.length; shift++) {
          const result: Record<string, unknown> = {};
          keys.forEach((k, i) => (result[k] = values[(i + shift) % values.length]));
          expectSameAsCdk8s(result);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(900);
    // integer-like keys (listed first by both) and all-undefined objects
    expectSameAsCdk8s({ b: 1, 2: 'two', a: undefined, 1: 'one' });
    expectSameAsCdk8s({ a: undefined });
    expectSameAsCdk8s({});
  });

  test('mappings of the three modules render through the linear filter', () => {
    expect(
      gw.toJson_HttpRouteSpecRulesMatchesPath({ type: gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/a' }),
    ).toEqual({ type: 'PathPrefix', value: '/a' });
    expect(Object.keys(gwx.toJson_HttpRouteSpecRulesBackendRefs({ name: 's', port: 80, weight: undefined })!)).toEqual([
      'name',
      'port',
    ]);
    expect(cilium.toJson_CiliumEnvoyConfigSpecServices({ name: 's', namespace: undefined })).toEqual({ name: 's' });
  });

  test('a mapping that does not end with the known filter stops the import', () => {
    const one = `function f(obj) {\n  const result = {\n    'a': obj.a,\n  };\n${CDK8S_UNDEFINED_FILTER}}\n`;
    expect(linearUndefinedFilter(one)).toBe(one.replace(CDK8S_UNDEFINED_FILTER, LINEAR_UNDEFINED_FILTER));
    expect(() => linearUndefinedFilter(one.replace('(i[1] === undefined)', '(i[1] == null)'))).toThrow(
      /^cdk8s import wrote 1 mappings but 0 known filters; update import-crds.ts$/,
    );
  });
});
