/**
 * What each Cilium line supports of Gateway API: the release whose CRDs it requires (`CILIUM_GATEWAY_API`), the
 * channel to install (`defaultGatewayApiChannel`), and whether a feature of the Gateway API feature table
 * (`gateway-api/features.ts`, which knows no Cilium) is usable on an install (`gatewayApiSupports`). Cilium resolves
 * the version and channel that `GatewayApiCrds` installs from here; the routing constructs ask `gatewayApiSupports`.
 */
import type { CiliumVersion } from './version';
import {
  GATEWAY_API_FEATURES,
  compareGatewayApiVersions,
  gatewayApiFeature,
  gatewayApiReleaseHas,
  type GatewayApiFeature,
  type GatewayApiFeatureSupport,
} from '../gateway-api/features';
import { GatewayApiChannel, GatewayApiVersion } from '../gateway-api/versions';
import { MeshValidationError } from '../private/errors';

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

/** The Gateway API release a Cilium line requires; lines newer than the table get the newest release known. */
export function gatewayApiVersionOfLine(cilium: GatewayApiCiliumLine): string {
  return CILIUM_GATEWAY_API[cilium.line] ?? CILIUM_GATEWAY_API[NEWEST_LINE];
}

/** The newest line of the table (sorted once, not per route that asks for a feature). */
const NEWEST_LINE = Object.keys(CILIUM_GATEWAY_API)
  .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
  .slice(-1)[0];

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

/** The Gateway API release and channel a Cilium line needs (what `Cilium` passes to `GatewayApiCrds`). */
export class CiliumGatewayApi {
  /** The Gateway API version the Cilium line of `cilium` requires. */
  public static versionFor(cilium: CiliumVersion): GatewayApiVersion {
    const v = CILIUM_GATEWAY_API[cilium.line];
    if (!v) {
      throw new MeshValidationError(
        `no Gateway API version is known for Cilium ${cilium.version} (known lines: ${Object.keys(CILIUM_GATEWAY_API).join(', ')}); ` +
          `pass GatewayApiVersion.of('vX.Y.Z', { standard: '<sha256>' }) as the version named in Cilium's docs`,
      );
    }
    return GatewayApiVersion.of(v);
  }

  /**
   * The channel to install for a Cilium line, from the feature table (`defaultGatewayApiChannel`): 1.16 needs
   * TLSRoute v1alpha2, which only the experimental channel of Gateway API v1.1.0 has; later lines take standard.
   */
  public static defaultChannel(cilium: CiliumVersion): GatewayApiChannel {
    return defaultGatewayApiChannel(cilium);
  }

  private constructor() {}
}
