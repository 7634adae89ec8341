/**
 * A JSON value with object keys sorted at every level and `undefined` members dropped (arrays keep their order).
 * Parts of `value` that are already so are shared with the result, not copied (cdk8s sorts most keys of `toJson()`,
 * and the delivered objects are sorted once and then read again by the batch plan and the review files, for which
 * this is then a walk without copies): read the result, do not change it.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortKeysDeep(value[i]);
      if (out === undefined && item !== value[i]) {
        out = value.slice(0, i);
      }
      out?.push(item);
    }
    return out ?? value;
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const proto = Object.getPrototypeOf(value);
  let inOrder = proto === Object.prototype || proto === null;
  for (let i = 0; inOrder && i < keys.length; i++) {
    inOrder = record[keys[i]] !== undefined && (i === 0 || keys[i - 1] < keys[i]);
  }
  if (inOrder) {
    // copied only from the first member that changes
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const v = record[keys[i]];
      const s = v !== null && typeof v === 'object' ? sortKeysDeep(v) : v;
      if (out === undefined && s !== v) {
        out = {};
        for (let j = 0; j < i; j++) {
          out[keys[j]] = record[keys[j]];
        }
      }
      if (out !== undefined) {
        out[keys[i]] = s;
      }
    }
    return out ?? value;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const v = record[key];
    if (v !== undefined) {
      out[key] = sortKeysDeep(v);
    }
  }
  return out;
}
