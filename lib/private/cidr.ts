import { MeshValidationError } from './errors';

/**
 * CIDRs as Kubernetes (Go net/netip) and Cilium read them: IPv4 dotted quads without leading zeros or IPv6, an
 * explicit prefix length within the family's width, no host bits. Used by policy peers and load-balancer source ranges.
 */

/** A parsed CIDR. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly prefix: number;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) {
    return undefined;
  }
  let v = 0n;
  for (const p of parts) {
    // Go's net/netip (which Kubernetes uses for the `cidr` format) rejects leading zeros.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) {
      return undefined;
    }
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(s) || s.split('::').length > 2) {
    return undefined;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || (tail !== undefined && h.length + t.length > 7)) {
    return undefined;
  }
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
      return undefined;
    }
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

function formatNetwork(c: ParsedCidr): string {
  if (c.family === 4) {
    const o = [24n, 16n, 8n, 0n].map((s) => String((c.bits >> s) & 255n));
    return `${o.join('.')}/${c.prefix}`;
  }
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) {
    g.push(((c.bits >> BigInt(i * 16)) & 0xffffn).toString(16));
  }
  return `${g.join(':')}/${c.prefix}`;
}

/** Parses and validates a CIDR (IPv4 or IPv6, explicit prefix, no host bits). */
export function validateCidr(what: string, cidr: string): ParsedCidr {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(cidr);
  if (!m) {
    throw new MeshValidationError(
      `${what} must be a CIDR with a prefix length such as '10.0.0.0/8' or '2001:db8::/32', got '${cidr}'; ` +
        `for a single address write '${cidr}/32' (IPv4) or '${cidr}/128' (IPv6)`,
    );
  }
  const family: 4 | 6 = m[1].includes(':') ? 6 : 4;
  const bits = family === 4 ? parseIpv4(m[1]) : parseIpv6(m[1]);
  const width = family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (bits === undefined) {
    throw new MeshValidationError(
      `${what} has an invalid IPv${family} address in '${cidr}'; write the address in canonical form (IPv4 octets 0-255 without leading zeros)`,
    );
  }
  if (prefix > width) {
    throw new MeshValidationError(
      `${what} prefix length must be 0-${width} for IPv${family}, got '${cidr}'; fix the prefix length`,
    );
  }
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) {
    const network = formatNetwork({ family, bits: bits & ~hostMask, prefix });
    throw new MeshValidationError(`${what} '${cidr}' has host bits set; use the network address '${network}'`);
  }
  return { family, bits, prefix };
}

/** Validates `except` entries: each must be a CIDR of the same family inside `cidr` and more specific. */
export function validateCidrExcept(cidr: string, except: readonly string[]): void {
  const outer = validateCidr('cidr', cidr);
  for (const e of except) {
    const inner = validateCidr(`except entry of '${cidr}'`, e);
    const width = outer.family === 4 ? 32 : 128;
    const outerMask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - outer.prefix)) - 1n);
    if (inner.family !== outer.family || inner.prefix <= outer.prefix || (inner.bits & outerMask) !== outer.bits) {
      throw new MeshValidationError(
        `except entry '${e}' is not a more specific range inside '${cidr}'; list only sub-ranges of the CIDR`,
      );
    }
  }
}
