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

  test('without crypto.hash (Node before 20.12) both give the same digests through createHash', () => {
    jest.isolateModules(() => {
      jest.doMock('crypto', () => ({ ...jest.requireActual('crypto'), hash: undefined }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fallback = require('../../lib/private/hash') as typeof import('../../lib/private/hash');
      for (const s of ['abc', 'cilium.io/CiliumNetworkPolicy/shop/api', 'ü→✓']) {
        expect({ s, hex: fallback.sha256Hex(s), n: fallback.sha256Uint32(s) }).toEqual({
          s,
          hex: sha256Hex(s),
          n: sha256Uint32(s),
        });
      }
      expect(fallback.sha256Uint32('abc')).toBe(0xba7816bf);
    });
  });
});
