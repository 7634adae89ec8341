import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  CiliumVersion,
  GatewayApiChannel,
  GatewayApiFeature,
  defaultGatewayApiChannel,
  gatewayApiSupports,
  GATEWAY_API_FEATURES,
} from '../../lib';
import { gatewayApiUnsupportedReason, renderGatewayApiFeatureTable } from '../../lib/cilium/gateway-api-support';
import { gatewayApiReleaseHas } from '../../lib/gateway-api/features';

const ROOT = path.resolve(__dirname, '..', '..');
const UPSTREAM = path.resolve(ROOT, '..', 'shared', 'upstream', 'gateway-api');
const LINES = [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19, CiliumVersion.V1_20];

describe('the README table of Gateway API features', () => {
  test('is the one rendered from the code table', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = readme.match(/<!-- gateway-api-features:start[^>]*-->\n([\s\S]*?)\n<!-- gateway-api-features:end -->/);
    expect(m?.[1]).toEqual(renderGatewayApiFeatureTable());
  });

  test('has one row per feature', () => {
    expect(GATEWAY_API_FEATURES.map((r) => r.feature).sort()).toEqual(Object.values(GatewayApiFeature).sort());
  });
});

/** What the CRDs of one release and channel have, read from the install file. */
function crdFacts(version: string, channel: string): Record<GatewayApiFeature, boolean> {
  const file = path.join(UPSTREAM, version, `${channel}-install.yaml`);
  const crds = parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => d.toJSON())
    .filter((d) => d?.kind === 'CustomResourceDefinition');
  const crd = (kind: string) => crds.find((c) => c.spec.names.kind === kind);
  const served = (kind: string) =>
    (crd(kind)?.spec.versions ?? []).filter((v: any) => v.served).map((v: any) => v.name);
  const spec = (kind: string) =>
    crd(kind)?.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema.properties.spec.properties;
  const rule = spec('HTTPRoute').rules.items.properties;
  return {
    [GatewayApiFeature.HTTP_ROUTE_TIMEOUTS]: rule.timeouts !== undefined,
    [GatewayApiFeature.GATEWAY_INFRASTRUCTURE]: spec('Gateway').infrastructure !== undefined,
    [GatewayApiFeature.REQUEST_MIRROR_PERCENT]:
      rule.filters.items.properties.requestMirror.properties.percent !== undefined,
    [GatewayApiFeature.HTTP_ROUTE_RETRY]: rule.retry !== undefined,
    [GatewayApiFeature.ROUTE_RULE_NAMES]:
      rule.name !== undefined && spec('GRPCRoute').rules.items.properties.name !== undefined,
    [GatewayApiFeature.TLS_ROUTE]: crd('TLSRoute') !== undefined,
    [GatewayApiFeature.TLS_ROUTE_V1]: served('TLSRoute').includes('v1'),
    [GatewayApiFeature.REFERENCE_GRANT_V1]: served('ReferenceGrant').includes('v1'),
    [GatewayApiFeature.GRPC_ROUTE_GAMMA]: served('GRPCRoute').includes('v1'),
  };
}

describe('the feature table against the upstream CRDs', () => {
  test.each([
    ['v1.1.0', GatewayApiChannel.STANDARD],
    ['v1.1.0', GatewayApiChannel.EXPERIMENTAL],
    ['v1.6.1', GatewayApiChannel.STANDARD],
    ['v1.6.1', GatewayApiChannel.EXPERIMENTAL],
  ])('Gateway API %s %s', (version, channel) => {
    const facts = crdFacts(version, channel);
    const table = Object.fromEntries(
      Object.values(GatewayApiFeature).map((f) => [f, gatewayApiReleaseHas(f, version, channel)]),
    );
    expect(table).toEqual(facts);
  });
});

describe('gatewayApiSupports', () => {
  test('the default channel: experimental only where the line needs TLSRoute v1alpha2 at startup (1.16)', () => {
    expect(LINES.map((v) => defaultGatewayApiChannel(v))).toEqual([
      GatewayApiChannel.EXPERIMENTAL,
      GatewayApiChannel.STANDARD,
      GatewayApiChannel.STANDARD,
      GatewayApiChannel.STANDARD,
      GatewayApiChannel.STANDARD,
    ]);
  });

  test('per line on its default channel', () => {
    const on = (f: GatewayApiFeature) => LINES.filter((v) => gatewayApiSupports({ version: v }, f)).map((v) => v.line);
    expect(on(GatewayApiFeature.HTTP_ROUTE_TIMEOUTS)).toEqual(['1.16', '1.17', '1.18', '1.19', '1.20']);
    expect(on(GatewayApiFeature.REQUEST_MIRROR_PERCENT)).toEqual(['1.18', '1.19', '1.20']);
    expect(on(GatewayApiFeature.ROUTE_RULE_NAMES)).toEqual(['1.19', '1.20']);
    expect(on(GatewayApiFeature.TLS_ROUTE)).toEqual(['1.16', '1.20']);
    expect(on(GatewayApiFeature.TLS_ROUTE_V1)).toEqual(['1.20']);
    expect(on(GatewayApiFeature.REFERENCE_GRANT_V1)).toEqual(['1.20']);
    expect(on(GatewayApiFeature.GRPC_ROUTE_GAMMA)).toEqual(['1.19', '1.20']);
    expect(on(GatewayApiFeature.HTTP_ROUTE_RETRY)).toEqual([]);
  });

  test('the experimental channel adds what it has first', () => {
    const x = (v: CiliumVersion, f: GatewayApiFeature) =>
      gatewayApiSupports({ version: v, gatewayApiChannel: GatewayApiChannel.EXPERIMENTAL }, f);
    expect(x(CiliumVersion.V1_17, GatewayApiFeature.ROUTE_RULE_NAMES)).toBe(true);
    expect(x(CiliumVersion.V1_20, GatewayApiFeature.HTTP_ROUTE_RETRY)).toBe(true);
    expect(x(CiliumVersion.V1_19, GatewayApiFeature.HTTP_ROUTE_RETRY)).toBe(false);
    expect(x(CiliumVersion.V1_17, GatewayApiFeature.REQUEST_MIRROR_PERCENT)).toBe(false);
  });

  test('the reason names the need and the install', () => {
    expect(gatewayApiUnsupportedReason({ version: CiliumVersion.V1_20 }, GatewayApiFeature.HTTP_ROUTE_RETRY)).toBe(
      'HTTPRoute retry needs Cilium 1.20+ and Gateway API v1.2.0+ with the experimental-channel CRDs (GEP-1731 ' +
        '(kubernetes-sigs/gateway-api#3199); inert before Cilium 1.20 (cilium/cilium#46432, fixed by #46433)); ' +
        'this install: Cilium 1.20 with Gateway API v1.6.1 standard',
    );
    expect(
      gatewayApiUnsupportedReason({ version: CiliumVersion.V1_20 }, GatewayApiFeature.ROUTE_RULE_NAMES),
    ).toBeUndefined();
  });
});
