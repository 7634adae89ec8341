import * as crypto from 'crypto';

/**
 * `crypto.hash` (Node 20.12 and later): one call, no Hash object, about twice as fast as `createHash` for the short
 * strings hashed once per object at synth. Older Node versions (the engines field allows 20.0) fall back to
 * `createHash`; both give the same digest.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: string) => string | Buffer }).hash;

/** The sha256 of `data` (UTF-8), as lowercase hex. */
export function sha256Hex(data: string): string {
  return oneShot ? (oneShot('sha256', data, 'hex') as string) : crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The first four bytes of the sha256 of `data` (UTF-8) as an unsigned 32-bit integer (big-endian): the first eight hex
 * digits. Why not the bytes: `crypto.hash` with output `'buffer'` lower-cases the encoding name and makes a Buffer on
 * every call, while `'hex'` is its fast case: ~0.5 µs per call instead of ~0.85 (200,000 identities, Node 20), for
 * the batch plan's cut points (one per object).
 */
export function sha256Uint32(data: string): number {
  return parseInt(sha256Hex(data).slice(0, 8), 16);
}
