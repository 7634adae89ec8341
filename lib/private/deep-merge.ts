/** A JSON-like map, as Helm values are. */
export type JsonMap = { [key: string]: unknown };

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges `override` into `base` without mutating either: maps merge key by key (recursively), every other value
 * in `override` (scalars, arrays, `null`) replaces the one in `base`. Arrays replace rather than concatenate, as
 * Helm does with `--values` files; `null` is kept so that Helm deletes the chart default it stands for.
 */
export function deepMerge<T extends object>(base: T, override: JsonMap | undefined): T {
  if (!override) {
    return base;
  }
  const out: JsonMap = { ...(base as JsonMap) };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? deepMerge(current, value) : value;
  }
  return out as T;
}
