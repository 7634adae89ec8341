/**
 * Kubernetes CEL extension functions that @bufbuild/cel lacks, implemented here where they are simple and well
 * defined (see https://kubernetes.io/docs/reference/using-api/cel/):
 *
 * - `isIP(string) -> bool` (IP library): an IPv4 address in dotted decimal without leading zeros, or an IPv6
 *   address, without a zone (`%eth0`) and not IPv4-mapped (`::ffff:1.2.3.4`), which Kubernetes rejects.
 * - `<list>.isSorted() -> bool`, `<list>.indexOf(x) -> int`, `<list>.lastIndexOf(x) -> int` (lists library), for
 *   lists of strings, ints, doubles or bools.
 *
 * Not implemented (rules that call them are reported as not evaluated): `url()`/`isURL()`, `ip()`/`cidr()` and
 * their methods, `quantity()`/`isQuantity()`, `format.*`, `semver()`, the list `sum`/`min`/`max`, regex
 * `find`/`findAll`, authorizer and optional-type functions.
 */
import { CelScalar, celFunc, celMethod, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';

/** Thrown by an extension for an input it does not handle: the rule is counted as not evaluated, not as failed. */
export class UnsupportedInput extends Error {
  public constructor(
    public readonly functionName: string,
    detail: string,
  ) {
    super(`${functionName}: ${detail}`);
  }
}

/** Names of the functions implemented here. */
export const K8S_EXTENSION_NAMES: readonly string[] = ['isIP', 'isSorted', 'indexOf', 'lastIndexOf'];

function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return parts.map(Number);
}

/** Parses the text form of an IPv6 address (RFC 4291 section 2.2) into 16 bytes; no zone. */
function parseIPv6(s: string): number[] | undefined {
  let text = s;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) {
      return undefined;
    }
    tail = v4;
    text = text.slice(0, lastColon + 1) + '0:0'; // two groups stand in for the IPv4 tail
  }
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...rest];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    return undefined;
  }
  const missing = 8 - all.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  const words = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest].map((g) => parseInt(g, 16));
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) {
    bytes.splice(12, 4, ...tail);
  }
  return bytes;
}

/** The Kubernetes `isIP` semantics (IPv4-mapped IPv6 addresses and zones are not valid IPs there). */
export function isKubernetesIP(s: string): boolean {
  if (parseIPv4(s)) {
    return true;
  }
  if (!s.includes(':') || s.includes('%')) {
    return false;
  }
  const bytes = parseIPv6(s);
  if (!bytes) {
    return false;
  }
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return !mapped;
}

type Scalar = string | bigint | number | boolean;

function scalars(list: CelList, fn: string): Scalar[] {
  const out: Scalar[] = [];
  for (const v of list) {
    if (typeof v !== 'string' && typeof v !== 'bigint' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new UnsupportedInput(fn, 'only lists of strings, ints, doubles or bools are implemented');
    }
    out.push(v);
  }
  return out;
}

function sameKind(a: Scalar, b: Scalar, fn: string): void {
  if (typeof a !== typeof b) {
    throw new UnsupportedInput(fn, `mixed element types ${typeof a} and ${typeof b}`);
  }
}

function position(list: CelList, x: CelValue, fn: string, last: boolean): bigint {
  const items = scalars(list, fn);
  if (typeof x !== 'string' && typeof x !== 'bigint' && typeof x !== 'number' && typeof x !== 'boolean') {
    throw new UnsupportedInput(fn, 'only string, int, double or bool arguments are implemented');
  }
  items.forEach((item) => sameKind(item, x, fn));
  const found = last ? items.lastIndexOf(x) : items.indexOf(x);
  return BigInt(found);
}

/** The extension functions, for `celEnv({ funcs })`. */
export function kubernetesFunctions(): CelFunc[] {
  const anyList = listType(CelScalar.DYN);
  return [
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s) => isKubernetesIP(s)),
    celMethod('isSorted', anyList, [], CelScalar.BOOL, function isSorted() {
      const items = scalars(this, 'isSorted');
      for (let i = 1; i < items.length; i++) {
        sameKind(items[i - 1], items[i], 'isSorted');
        if (items[i - 1] > items[i]) {
          return false;
        }
      }
      return true;
    }),
    celMethod('indexOf', anyList, [CelScalar.DYN], CelScalar.INT, function indexOf(x) {
      return position(this, x, 'indexOf', false);
    }),
    celMethod('lastIndexOf', anyList, [CelScalar.DYN], CelScalar.INT, function lastIndexOf(x) {
      return position(this, x, 'lastIndexOf', true);
    }),
  ];
}
