/**
 * Values `sortedOnce` returned: sorted, and owned by a caller that changes them no more. The delivery sorts the charts'
 * objects once and then hands them to the batch plan, the review YAML and the diagram, each of which asks for them
 * sorted again; a second walk of 20,000 already-sorted objects cost ~2 µs per object per reader (and nothing
 * in aws-cdk-lib or cdk8s offers a sorted copy). Objects only: a WeakSet lets them go with the synth.
 */
const KNOWN_SORTED = new WeakSet<object>();

/**
 * `sortKeysDeep(value)`, remembered as sorted so that later `sortKeysDeep` calls on the result return it at once. Only
 * for values the caller made (e.g. a fresh `chart.toJson()`) and that nobody changes afterwards.
 */
export function sortedOnce(value: unknown): unknown {
  const out = sortKeysDeep(value);
  if (out !== null && typeof out === 'object') {
    KNOWN_SORTED.add(out);
  }
  return out;
}

/**
 * A JSON value with object keys sorted at every level and `undefined` members dropped (arrays keep their order).
 * Parts of `value` that are already so are shared with the result, not copied (cdk8s sorts most keys of `toJson()`),
 * and a value `sortedOnce` returned is returned as it is, without a walk: read the result, do not change it.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && KNOWN_SORTED.has(value)) {
    return value;
  }
  return sortDeep(value);
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortDeep(value[i]);
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
      const s = v !== null && typeof v === 'object' ? sortDeep(v) : v;
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
      out[key] = sortDeep(v);
    }
  }
  return out;
}
