import { MeshValidationError } from '../private/errors';
import { GatewayApiChannel } from './channel';

export { GatewayApiChannel } from './channel';

/** sha256 digests of the two release assets of one Gateway API version. */
export interface GatewayApiDigests {
  /** sha256 (hex) of `standard-install.yaml`. @default - none pinned */
  readonly standard?: string;
  /** sha256 (hex) of `experimental-install.yaml`. @default - none pinned */
  readonly experimental?: string;
}

/**
 * Pinned sha256 of the release assets `https://github.com/kubernetes-sigs/gateway-api/releases/download/<v>/<channel>-install.yaml`.
 * - v1.6.1: CONFIRMED against the published assets. Both digests equal those of the files assembled from the
 *   tag in ../shared/upstream (README), and several independent projects pin the same digests for the
 *   downloaded release asset (checked with `sha256sum -c`; one also records the asset sizes, 1,170,953 and
 *   1,402,117 bytes).
 * - v1.1.0: NOT confirmed against the published asset: digests of the files assembled from the v1.1.0 tag the
 *   way hack/build-install-yaml.sh builds the assets (../shared/upstream/README.md). A mismatch fails the
 *   deployment before anything is applied; then pass the digest with `GatewayApiVersion.of`.
 * - v1.3.0 experimental: NOT confirmed: one third-party pin of the release asset, not cross-checked.
 * - v1.2.0, v1.3.0 standard, v1.4.1: no published digest found; pass one with `GatewayApiVersion.of(v, digests)`
 *   or install from a local file.
 */
const DIGESTS: Readonly<Record<string, GatewayApiDigests>> = {
  'v1.1.0': {
    standard: 'c411805475d430a34242623a8e17153a7c40e946497bfd494e558b0d1a8858b3',
    experimental: '10f322744a005d4e73e2b067e95fecd4cfec619dc7564930b488c296bfa3bec1',
  },
  'v1.3.0': { experimental: '3e7a27e4456ff3d68606a6a8516306aaff354d6f0950b32bb31930669b7bf8b8' },
  'v1.6.1': {
    standard: '24d931f22abd8e40c973264319ead7cfa09d0fb7716b7ab1ee2ff174cb063a73',
    experimental: 'd7fa77650e4ef28fca0411536fcb5e237deb4d50301cfded3be49d9a1b7bbd02',
  },
};

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A Gateway API release, with the digests of its install files.
 * @see https://github.com/kubernetes-sigs/gateway-api/releases
 */
export class GatewayApiVersion {
  /** v1.1.0 (Cilium 1.16). */
  public static readonly V1_1_0 = GatewayApiVersion.of('v1.1.0');
  /** v1.2.0 (Cilium 1.17). */
  public static readonly V1_2_0 = GatewayApiVersion.of('v1.2.0');
  /** v1.3.0 (Cilium 1.18). */
  public static readonly V1_3_0 = GatewayApiVersion.of('v1.3.0');
  /** v1.4.1 (Cilium 1.19). */
  public static readonly V1_4_1 = GatewayApiVersion.of('v1.4.1');
  /** v1.6.1 (Cilium 1.20). */
  public static readonly V1_6_1 = GatewayApiVersion.of('v1.6.1');

  /**
   * Any release `vX.Y.Z`; `digests` pin (or override) the sha256 of its install files. The values are checked
   * when `GatewayApiCrds` (or `Cilium`'s `gatewayApiCrds`) uses the version, so that the error names the construct.
   */
  public static of(version: string, digests: GatewayApiDigests = {}): GatewayApiVersion {
    return new GatewayApiVersion(version, { ...DIGESTS[version], ...digests });
  }

  private constructor(
    /** The release tag, e.g. `v1.6.1`. */
    public readonly version: string,
    private readonly digests: GatewayApiDigests,
  ) {}

  /** Checks the tag and the digests (path-less errors; `GatewayApiCrds` calls it under `atScope`). @internal */
  public _validate(): void {
    if (!/^v\d+\.\d+\.\d+$/.test(this.version)) {
      throw new MeshValidationError(
        `Gateway API version must look like 'v1.6.1', got '${this.version}'; use a release tag`,
      );
    }
    for (const [channel, d] of Object.entries(this.digests)) {
      if (d !== undefined && !SHA256.test(d)) {
        throw new MeshValidationError(
          `the ${channel} digest of Gateway API ${this.version} must be 64 lower-case hex characters, got '${d}'; ` +
            `pass the output of 'sha256sum ${channel}-install.yaml'`,
        );
      }
    }
  }

  /** The pinned sha256 of a channel's install file, if any. */
  public sha256(channel: GatewayApiChannel): string | undefined {
    return this.digests[channel];
  }

  /** URL of the official release asset for a channel. */
  public releaseUrl(channel: GatewayApiChannel): string {
    return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${this.version}/${channel}-install.yaml`;
  }

  public toString(): string {
    return this.version;
  }
}
