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
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    // Keys checked in order while the members are sorted, in one `for...in`: for a plain object (prototype
    // `Object.prototype`, which has no enumerable members, or null) it visits the own keys in `Object.keys` order
    // without making an array of them (at 20,000 mesh objects, nearly all sorted already, the arrays `Object.keys`
    // made were 16 of the walk's 19.6 MB). Copied only from the first member that changes; a key out of order or an
    // `undefined` member leaves the loop for the sort below.
    let out: Record<string, unknown> | undefined;
    let previous: string | undefined;
    let inOrder = true;
    for (const k in record) {
      const v = record[k];
      if (v === undefined || (previous !== undefined && !(previous < k))) {
        inOrder = false;
        break;
      }
      previous = k;
      const s = v !== null && typeof v === 'object' ? sortDeep(v) : v;
      if (out === undefined && s !== v) {
        out = {};
        for (const j in record) {
          if (j === k) break;
          out[j] = record[j];
        }
      }
      if (out !== undefined) {
        out[k] = s;
      }
    }
    if (inOrder) {
      return out ?? value;
    }
  }
  const keys = Object.keys(record);
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const v = record[key];
    if (v !== undefined) {
      out[key] = sortDeep(v);
    }
  }
  return out;
}
