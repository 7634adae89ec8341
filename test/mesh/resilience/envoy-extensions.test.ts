import { CiliumVersion } from '../../../lib';
import {
  CEC_RESOURCE_TYPES,
  compiledEnvoyExtensions,
  ENVOY_EXTENSIONS,
  envoyExtensionsJson,
} from '../../../lib/cilium/envoy-extensions';

describe('cilium-envoy extension table', () => {
  test('per line and patch, as in cilium/proxy extensions_build_config.bzl (round2-facts §2.1)', () => {
    const on = (v: string) => compiledEnvoyExtensions(CiliumVersion.of(v));
    expect(on('1.16.3')).not.toContain('envoy.filters.http.rbac');
    expect(on('1.16.4')).toContain('envoy.filters.http.rbac');
    expect(on('1.17.12')).not.toContain('envoy.filters.http.ext_proc');
    expect(on('1.17.13')).toContain('envoy.filters.http.ext_proc');
    expect(on('1.19.3')).not.toContain('envoy.filters.http.cors');
    expect(on('1.19.4')).toContain('envoy.filters.http.cors');
    for (const v of ['1.16.0', '1.17.0', '1.18.0', '1.19.0', '1.20.0']) {
      expect(on(v)).toEqual(
        expect.arrayContaining([
          'envoy.filters.http.local_ratelimit',
          'envoy.filters.http.router',
          'envoy.load_balancing_policies.least_request',
          'envoy.load_balancing_policies.maglev',
          'envoy.load_balancing_policies.ring_hash',
        ]),
      );
      expect(on(v)).not.toEqual(expect.arrayContaining(['envoy.filters.http.fault']));
      expect(on(v).filter((n) => /fault|lua|stateful_session|previous_hosts|tracers/.test(n))).toEqual([]);
    }
  });

  test('names are unique and every type URL is a type.googleapis.com URL', () => {
    const names = ENVOY_EXTENSIONS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const url of [...ENVOY_EXTENSIONS.flatMap((e) => e.typeUrls), ...CEC_RESOURCE_TYPES]) {
      expect(url).toMatch(/^type\.googleapis\.com\/envoy\.[a-z0-9_.]+\.v3\.[A-Za-z0-9]+$/);
    }
  });

  test('the JSON the CI checker reads: one entry per line at the pinned patch, compiled and not compiled', () => {
    const json = envoyExtensionsJson([CiliumVersion.V1_16, CiliumVersion.V1_20]);
    expect(Object.keys(json.lines)).toEqual(['1.16', '1.20']);
    expect(json.lines['1.16'].version).toBe('1.16.19');
    expect(json.lines['1.20'].notCompiled.map((e) => e.name)).toContain('envoy.filters.http.fault');
    expect(json.lines['1.16'].notCompiled.map((e) => e.name)).toContain('envoy.filters.http.ext_proc');
    expect(json.resourceTypes).toHaveLength(5);
  });
});
