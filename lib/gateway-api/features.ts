/**
 * The one table of Gateway API features whose availability depends on the Gateway API release, its channel or the
 * Cilium line. This folder knows no Cilium: the rows state the first Cilium minor as a plain number, and
 * cilium/gateway-api-support.ts (`gatewayApiSupports(profile, feature)`, the routing constructs' question, and
 * `renderGatewayApiFeatureTable` for the README's "Known limitations" table, kept equal by
 * test/gateway-api/features.test.ts) combines them with the Gateway API release each Cilium line requires.
 *
 * Sources: the CRDs of v1.1.0 and v1.6.1 in ../shared/upstream/gateway-api (checked field by field), the release
 * notes in kubernetes-sigs/gateway-api CHANGELOG/1.x-CHANGELOG.md for the versions in between, and Cilium's issues
 * for the Cilium column.
 */
import { GatewayApiChannel } from './channel';

/** A Gateway API feature whose availability depends on the release, the channel or the Cilium line. */
export enum GatewayApiFeature {
  /** HTTPRoute rule `timeouts` (GEP-1742). */
  HTTP_ROUTE_TIMEOUTS = 'HTTPRoute timeouts',
  /** Gateway `spec.infrastructure` labels and annotations (GEP-1867). */
  GATEWAY_INFRASTRUCTURE = 'Gateway infrastructure',
  /** RequestMirror `percent` (GEP-3171). */
  REQUEST_MIRROR_PERCENT = 'RequestMirror percent',
  /** HTTPRoute rule `retry` (GEP-1731). */
  HTTP_ROUTE_RETRY = 'HTTPRoute retry',
  /** Route rule `name` on HTTPRoute, GRPCRoute and TLSRoute (GEP-995). */
  ROUTE_RULE_NAMES = 'route rule names',
  /** TLSRoute at all (`v1alpha2` in the experimental channel before it became standard). */
  TLS_ROUTE = 'TLSRoute',
  /** TLSRoute `v1` (GEP-2643). */
  TLS_ROUTE_V1 = 'TLSRoute v1',
  /** ReferenceGrant `v1`. */
  REFERENCE_GRANT_V1 = 'ReferenceGrant v1',
  /** GRPCRoute with a Service parent (GAMMA). */
  GRPC_ROUTE_GAMMA = 'GRPCRoute GAMMA',
}

/** One row of the feature table. */
export interface GatewayApiFeatureSupport {
  /** The feature. */
  readonly feature: GatewayApiFeature;
  /**
   * The first Gateway API release whose experimental channel has it.
   * @default - only in the standard channel (from `standardSince`)
   */
  readonly experimentalSince?: string;
  /**
   * The first Gateway API release whose standard channel has it.
   * @default - in no standard channel of a release this library knows (up to v1.6.1)
   */
  readonly standardSince?: string;
  /**
   * The first Cilium minor line that implements it (e.g. 20 for 1.20).
   * @default - nothing for Cilium to implement: the installed CRDs alone decide
   */
  readonly ciliumSince?: number;
  /**
   * Cilium lines up to and including this minor need the feature's CRD at startup, so their default channel is
   * the one that has it.
   * @default - no Cilium line needs it
   */
  readonly requiredByCiliumThrough?: number;
  /** Upstream references (GEP, release notes, issues). */
  readonly reference: string;
}

/** The feature table, in the order of the README. */
export const GATEWAY_API_FEATURES: readonly GatewayApiFeatureSupport[] = [
  {
    feature: GatewayApiFeature.HTTP_ROUTE_TIMEOUTS,
    experimentalSince: 'v1.0.0',
    standardSince: 'v1.2.0',
    ciliumSince: 16,
    reference: 'GEP-1742; standard in the v1.2 release notes',
  },
  {
    feature: GatewayApiFeature.GATEWAY_INFRASTRUCTURE,
    experimentalSince: 'v1.1.0',
    standardSince: 'v1.2.0',
    ciliumSince: 15,
    reference: 'GEP-1867; Cilium copies the annotations to the Service since 1.15 (cilium/cilium#29122)',
  },
  {
    feature: GatewayApiFeature.REQUEST_MIRROR_PERCENT,
    experimentalSince: 'v1.2.0',
    standardSince: 'v1.3.0',
    ciliumSince: 18,
    reference:
      'GEP-3171 (kubernetes-sigs/gateway-api#3638); Cilium conformance HTTPRouteRequestPercentageMirror from 1.18',
  },
  {
    feature: GatewayApiFeature.HTTP_ROUTE_RETRY,
    experimentalSince: 'v1.2.0',
    ciliumSince: 20,
    reference:
      'GEP-1731 (kubernetes-sigs/gateway-api#3199); inert before Cilium 1.20 (cilium/cilium#46432, fixed by #46433)',
  },
  {
    feature: GatewayApiFeature.ROUTE_RULE_NAMES,
    experimentalSince: 'v1.2.0',
    standardSince: 'v1.4.0',
    reference: 'GEP-995 (kubernetes-sigs/gateway-api#995)',
  },
  {
    feature: GatewayApiFeature.TLS_ROUTE,
    experimentalSince: 'v0.4.0',
    standardSince: 'v1.5.0',
    requiredByCiliumThrough: 16,
    reference: 'GEP-2643; Cilium 1.16 needs the TLSRoute CRD (its Gateway API docs)',
  },
  {
    feature: GatewayApiFeature.TLS_ROUTE_V1,
    standardSince: 'v1.5.0',
    ciliumSince: 20,
    reference: 'GEP-2643 (kubernetes-sigs/gateway-api#4439); Cilium 1.20 release notes ask to migrate from v1alpha2',
  },
  {
    feature: GatewayApiFeature.REFERENCE_GRANT_V1,
    standardSince: 'v1.5.0',
    reference: 'kubernetes-sigs/gateway-api#4458',
  },
  {
    feature: GatewayApiFeature.GRPC_ROUTE_GAMMA,
    standardSince: 'v1.1.0',
    ciliumSince: 19,
    reference: 'cilium/cilium#41936',
  },
];

/** Orders Gateway API release tags (`v1.2.0` < `v1.10.0`). */
export function compareGatewayApiVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split('.')
      .map((x) => Number(x));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The table row of a feature. */
export function gatewayApiFeature(feature: GatewayApiFeature): GatewayApiFeatureSupport {
  return GATEWAY_API_FEATURES.find((r) => r.feature === feature)!;
}

/** Whether the CRDs of `version` in `channel` have the feature (the Cilium line aside). */
export function gatewayApiReleaseHas(feature: GatewayApiFeature, version: string, channel: GatewayApiChannel): boolean {
  const row = gatewayApiFeature(feature);
  const since = (v?: string) => v !== undefined && compareGatewayApiVersions(version, v) >= 0;
  return since(row.standardSince) || (channel === GatewayApiChannel.EXPERIMENTAL && since(row.experimentalSince));
}
