/**
 * What `sortKeysDeep` returned (its top-level objects): passed again, they are returned as they are, so that objects
 * sorted once (the delivered objects, read by the batch plan and by the review files) are not sorted twice. Its
 * results are read, never changed.
 */
const SORTED = new WeakSet<object>();

/** A JSON value with object keys sorted at every level and `undefined` members dropped (arrays keep their order). */
export function sortKeysDeep(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && SORTED.has(value)) {
    return value;
  }
  const sorted = sortDeep(value);
  if (sorted !== null && typeof sorted === 'object') {
    SORTED.add(sorted);
  }
  return sorted;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortDeep);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) {
        out[key] = sortDeep(v);
      }
    }
    return out;
  }
  return value;
}
