import { ENVOY_EXTENSIONS, envoyExtension } from '../../../lib/cilium/envoy-extensions';
import { Port, Protocol, sortPorts } from '../../../lib/mesh/policy/ports';

describe('sortPorts', () => {
  test('none and one port come back as a new array of the same ports', () => {
    const none: Port[] = [];
    expect(sortPorts(none)).toEqual([]);
    expect(sortPorts(none)).not.toBe(none);
    const one = [Port.tcp(8080)];
    expect(sortPorts(one)).toEqual(one);
    expect(sortPorts(one)).not.toBe(one);
  });

  test('several: sorted by text form, duplicates once', () => {
    const sorted = sortPorts([
      Port.udp(53),
      Port.tcp(8080),
      Port.tcp(443),
      Port.tcp(8080),
      Port.range(Protocol.TCP, 1, 9),
    ]);
    expect(sorted.map(String)).toEqual(['TCP/1-9', 'TCP/443', 'TCP/8080', 'UDP/53']);
  });

  test('an unknown protocol is refused when the port is rendered', () => {
    expect(() => Port.range('ICMP' as Protocol, 1, 1)._toKube()).toThrow(
      /^port protocol must be one of 'TCP', 'UDP', 'SCTP', 'ANY', got 'ICMP'; use the enum's constants$/,
    );
  });
});

describe('envoyExtension', () => {
  test('finds every entry of the table by name, and nothing else', () => {
    for (const e of ENVOY_EXTENSIONS) {
      expect(envoyExtension(e.name)).toBe(ENVOY_EXTENSIONS.find((x) => x.name === e.name));
    }
    expect(envoyExtension('envoy.filters.http.not_a_filter')).toBeUndefined();
    expect(envoyExtension('')).toBeUndefined();
  });
});
