/**
 * The last step of every `toJson_*` mapping that `cdk8s import` generates (lib/imports/*.ts), done in linear time.
 * scripts/import-crds.ts applies it to what cdk8s import writes.
 */

/** What cdk8s import ends every generated `toJson_*` mapping with: drop the undefined values of `result`. */
export const CDK8S_UNDEFINED_FILTER =
  '  return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});\n';
/**
 * The same filter in one pass: the same own keys in the same order (`Object.keys` and `Object.entries` list them
 * alike), the undefined ones left out. A `result` literal cannot have an own `__proto__` key, so `out[k] = v` defines
 * what the spread defines. test/scripts/undefined-filter.test.ts checks both forms over every generated mapping.
 */
export const LINEAR_UNDEFINED_FILTER =
  '  const out: Record<string, any> = {};\n' +
  '  for (const k of Object.keys(result)) { const v = (result as any)[k]; if (v !== undefined) out[k] = v; }\n' +
  '  return out;\n';

/**
 * The generated bindings with the linear filter. Why: the `reduce` copies the object built so far for every key
 * (O(k^2) spreads); at 20,000 objects (bench/realistic.ts) the HTTPRoute mapping alone took ~9 us per route and
 * the mappings allocated ~19 MB in all. Throws if cdk8s import no longer ends its mappings this way.
 */
export function linearUndefinedFilter(source: string): string {
  const parts = source.split(CDK8S_UNDEFINED_FILTER);
  const mappings = source.split('\n  const result = {\n').length - 1;
  if (parts.length - 1 !== mappings) {
    throw new Error(
      `cdk8s import wrote ${mappings} mappings but ${parts.length - 1} known filters; update import-crds.ts`,
    );
  }
  return parts.join(LINEAR_UNDEFINED_FILTER);
}
