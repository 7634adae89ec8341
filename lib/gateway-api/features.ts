/**
 * The one table of Gateway API features whose availability depends on the Gateway API release, its channel or the
 * Cilium line: the routing constructs ask `gatewayApiSupports(profile, feature)` instead of comparing Cilium
 * minors, and the README's "Known limitations" table of Gateway API features is rendered from it
 * (`renderGatewayApiFeatureTable`, kept equal by test/gateway-api/features.test.ts).
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

/**
 * The Gateway API release each Cilium line requires (its CRDs must be installed before Cilium starts).
 * - 1.16 → v1.1.0: Cilium docs (gateway-api.rst at v1.16.17: "CRDs from Gateway API v1.1.0 must be
 *   pre-installed"; TLSRoute v1alpha2 from the experimental channel); ../shared/upstream/README.md.
 * - 1.17 → v1.2.0: Cilium v1.17 docs ("CRDs from Gateway API v1.2.0"); Gateway API conformance report
 *   v1.2.0/cilium-cilium for Cilium 1.17.0-pre.1.
 * - 1.18 → v1.3.0: cilium/cilium#44816 (the v1.18 docs wrongly named v1.2.0; fixed by cilium/cilium#44972).
 * - 1.19 → v1.4.1: Cilium v1.19 docs ("CRDs from Gateway API v1.4.1 must be pre-installed").
 * - 1.20 → v1.6.1: gateway-api.rst on v1.20 and go.mod; bump backported in cilium/cilium#47397 (#47274);
 *   TLSRoute is v1 in the standard channel.
 */
export const CILIUM_GATEWAY_API: Readonly<Record<string, string>> = {
  '1.16': 'v1.1.0',
  '1.17': 'v1.2.0',
  '1.18': 'v1.3.0',
  '1.19': 'v1.4.1',
  '1.20': 'v1.6.1',
};

/** A Cilium line as the table needs it (`CiliumVersion` has these). */
export interface GatewayApiCiliumLine {
  /** The minor line, e.g. `1.20`. */
  readonly line: string;
  /** The minor number, e.g. 20. */
  readonly minor: number;
}

/** What decides whether a feature is usable: the Cilium line and the channel of the installed CRDs (`CiliumProfile` has both). */
export interface GatewayApiInstall {
  /** The Cilium release. */
  readonly version: GatewayApiCiliumLine;
  /**
   * The channel of the installed Gateway API CRDs.
   * @default - the default channel of the Cilium line (`defaultGatewayApiChannel`)
   */
  readonly gatewayApiChannel?: GatewayApiChannel;
}

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

/** The Gateway API release a Cilium line requires; lines newer than the table get the newest release known. */
export function gatewayApiVersionOfLine(cilium: GatewayApiCiliumLine): string {
  const known = Object.keys(CILIUM_GATEWAY_API).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  return CILIUM_GATEWAY_API[cilium.line] ?? CILIUM_GATEWAY_API[known[known.length - 1]];
}

/**
 * The channel to install for a Cilium line: experimental when the line needs a CRD at startup that its release
 * has only there (Cilium 1.16 needs TLSRoute v1alpha2, experimental in Gateway API v1.1.0), else standard.
 */
export function defaultGatewayApiChannel(cilium: GatewayApiCiliumLine): GatewayApiChannel {
  const version = gatewayApiVersionOfLine(cilium);
  const needsExperimental = GATEWAY_API_FEATURES.some(
    (r) =>
      r.requiredByCiliumThrough !== undefined &&
      cilium.minor <= r.requiredByCiliumThrough &&
      !gatewayApiReleaseHas(r.feature, version, GatewayApiChannel.STANDARD),
  );
  return needsExperimental ? GatewayApiChannel.EXPERIMENTAL : GatewayApiChannel.STANDARD;
}

/** The channel of an install: its own, else the line's default. */
export function gatewayApiChannelOfInstall(install: GatewayApiInstall): GatewayApiChannel {
  return install.gatewayApiChannel ?? defaultGatewayApiChannel(install.version);
}

/** Whether `feature` can be used on an install: the Cilium line implements it and the installed CRDs have it. */
export function gatewayApiSupports(install: GatewayApiInstall, feature: GatewayApiFeature): boolean {
  return gatewayApiUnsupportedReason(install, feature) === undefined;
}

/**
 * Why `feature` cannot be used on an install (for error and warning messages), or `undefined` when it can. Says
 * what is needed and what the install has, e.g. "HTTPRoute retry needs Cilium 1.20+ and the experimental-channel
 * CRDs of Gateway API v1.2.0+ (GEP-1731 ...); this install: Cilium 1.20 with Gateway API v1.6.1 standard".
 */
export function gatewayApiUnsupportedReason(
  install: GatewayApiInstall,
  feature: GatewayApiFeature,
): string | undefined {
  const row = gatewayApiFeature(feature);
  const version = gatewayApiVersionOfLine(install.version);
  const channel = gatewayApiChannelOfInstall(install);
  const ciliumOk = row.ciliumSince === undefined || install.version.minor >= row.ciliumSince;
  if (ciliumOk && gatewayApiReleaseHas(feature, version, channel)) return undefined;
  return (
    `${feature} needs ${requirement(row)} (${row.reference}); this install: Cilium ${install.version.line} with ` +
    `Gateway API ${version} ${channel}`
  );
}

/** "Cilium 1.20+ and the experimental-channel CRDs of Gateway API v1.2.0+" and the like. */
function requirement(row: GatewayApiFeatureSupport): string {
  const crds: string[] = [];
  if (row.standardSince) crds.push(`Gateway API ${row.standardSince}+ (standard channel)`);
  if (row.experimentalSince) crds.push(`Gateway API ${row.experimentalSince}+ with the experimental-channel CRDs`);
  const cilium = row.ciliumSince !== undefined ? `Cilium 1.${row.ciliumSince}+ and ` : '';
  return cilium + crds.join(' or ');
}

/**
 * The README's table of Gateway API features: per feature, the releases and channels that have it, the Cilium
 * line that implements it, and which Cilium lines of this library (with the Gateway API release each requires) get
 * it on the standard and on the experimental channel.
 */
export function renderGatewayApiFeatureTable(): string {
  const lines = Object.keys(CILIUM_GATEWAY_API).map((l) => ({ line: l, minor: Number(l.split('.')[1]) }));
  const on = (feature: GatewayApiFeature, channel: GatewayApiChannel) => {
    const ok = lines
      .filter((l) => gatewayApiSupports({ version: l, gatewayApiChannel: channel }, feature))
      .map((l) => l.line);
    return ok.length === 0 ? 'none' : ok.length === lines.length ? 'all' : ok.join(', ');
  };
  const rows = GATEWAY_API_FEATURES.map((r) => [
    r.feature,
    r.experimentalSince ?? '—',
    r.standardSince ?? `not by ${newestKnown()}`,
    r.ciliumSince !== undefined ? `1.${r.ciliumSince}` : '—',
    on(r.feature, GatewayApiChannel.STANDARD),
    on(r.feature, GatewayApiChannel.EXPERIMENTAL),
    r.reference,
  ]);
  const header = [
    'feature',
    'experimental since',
    'standard since',
    'Cilium since',
    'lines (standard CRDs)',
    'lines (experimental CRDs)',
    'reference',
  ];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The newest Gateway API release a Cilium line of this library requires. */
function newestKnown(): string {
  return Object.values(CILIUM_GATEWAY_API).sort(compareGatewayApiVersions).reverse()[0];
}
