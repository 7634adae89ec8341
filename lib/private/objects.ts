/**
 * `{ ...base, ...more }` for plain data objects, built key by key.
 *
 * Why: on Node 20 (V8 11.3) an object made by a spread gets a hidden class of its own as soon as a key is added after
 * the spread (`{ ...a, ...b }`, `{ ...a, k: v }`, or `o.k = v` later), where objects built key by key from `{}` share
 * one hidden class per key sequence. A mesh's rules and routes made that way had one hidden class each: ~200 bytes
 * per object, and the code reading them (the renderer, the batch plan, the review YAML) met thousands of shapes. For
 * objects made once per mesh object; `{ ...a }` alone and `{ k: v, ...a }` (keys first) share hidden classes as they
 * are.
 */
export function merged<A extends object, B extends object>(base: A, more: B): A & B {
  const out: Record<string, unknown> = {};
  copyInto(out, base as Record<string, unknown>);
  copyInto(out, more as Record<string, unknown>);
  return out as A & B;
}

function copyInto(out: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const k of Object.keys(from)) {
    if (k === '__proto__') {
      // a spread defines an own `__proto__` member; an assignment would set the prototype
      Object.defineProperty(out, k, { value: from[k], enumerable: true, writable: true, configurable: true });
    } else {
      out[k] = from[k];
    }
  }
}
