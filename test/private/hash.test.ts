import * as crypto from 'crypto';
import { sha256Hex, sha256Uint32 } from '../../lib/private/hash';

describe('sha256', () => {
  test('sha256Hex is the sha256 of the UTF-8 text, as createHash gives it', () => {
    for (const s of ['', 'abc', 'cilium.io/CiliumNetworkPolicy/shop/api', 'ü→✓']) {
      expect(sha256Hex(s)).toBe(crypto.createHash('sha256').update(s).digest('hex'));
    }
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('sha256Uint32 is the first four bytes of the digest, big-endian, unsigned', () => {
    expect(sha256Uint32('abc')).toBe(0xba7816bf);
    for (let i = 0; i < 200; i++) {
      const s = `gateway.networking.k8s.io/HTTPRoute/ns${i % 7}/route-${i}`;
      expect({ s, n: sha256Uint32(s) }).toEqual({
        s,
        n: crypto.createHash('sha256').update(s).digest().readUInt32BE(0),
      });
    }
  });
});
