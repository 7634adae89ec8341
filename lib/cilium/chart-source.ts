import type * as s3_assets from 'aws-cdk-lib/aws-s3-assets';

/** The classic Helm repository of the Cilium chart. */
export const CILIUM_HELM_REPOSITORY = 'https://helm.cilium.io/';
/**
 * The official OCI location of the chart (published since 2026-01, e.g. 1.17.12, 1.18.6 and later;
 * cilium/cilium#43624, moved to this path by cilium/cilium#43646).
 */
export const CILIUM_OCI_REPOSITORY = 'oci://quay.io/cilium/charts/cilium';

/** How a chart source is passed to `eks.HelmChart`. */
export interface CiliumChartLocation {
  /** `chart` (a name). Undefined for a chart asset. */
  readonly chart?: string;
  /** `repository`. */
  readonly repository?: string;
  /** `chartAsset`. */
  readonly chartAsset?: s3_assets.Asset;
  /** Whether the version is pinned through `version` (false for an asset, which is a fixed file). */
  readonly pinsVersion: boolean;
}

/**
 * Where the Cilium chart comes from.
 * @see https://docs.cilium.io/en/stable/installation/k8s-install-helm/
 */
export class CiliumChartSource {
  /** The Helm repository `https://helm.cilium.io/` (the default). */
  public static helmRepository(url: string = CILIUM_HELM_REPOSITORY): CiliumChartSource {
    return new CiliumChartSource({ chart: 'cilium', repository: url, pinsVersion: true }, `repository ${url}`);
  }

  /**
   * An OCI registry, by default `oci://quay.io/cilium/charts/cilium`; pass a private mirror (e.g. an ECR
   * repository `oci://<account>.dkr.ecr.<region>.amazonaws.com/cilium`) for accounts without internet access.
   */
  public static oci(repository: string = CILIUM_OCI_REPOSITORY): CiliumChartSource {
    return new CiliumChartSource({ chart: 'cilium', repository, pinsVersion: true }, `OCI ${repository}`);
  }

  /**
   * A chart archive (`cilium-<version>.tgz`) uploaded as an asset, for air-gapped accounts. The archive must be the
   * chart of the `version` given to `Cilium`; the version cannot be checked at synth.
   */
  public static asset(asset: s3_assets.Asset): CiliumChartSource {
    return new CiliumChartSource({ chartAsset: asset, pinsVersion: false }, 'chart asset');
  }

  private constructor(
    public readonly location: CiliumChartLocation,
    private readonly description: string,
  ) {}

  /** Problems with the source, as a sentence, or undefined. */
  public problem(): string | undefined {
    const repo = this.location.repository;
    if (repo === undefined) return undefined;
    if (repo.startsWith('https://')) {
      return undefined;
    }
    if (repo.startsWith('oci://')) {
      if (/@sha256:/.test(repo)) {
        // helm v4.1.4 of the layer pulls `<repo>@sha256:<digest> --version <v>` by digest (a wrong digest fails the
        // pull), but aws-eks-v2's HelmChart handler then looks for the pulled chart in a directory named after the
        // reference's last path segment (`cilium@sha256:...`), while helm untars it to `cilium/`: the install fails.
        return (
          `an OCI chart source cannot be pinned by digest ('${repo}'): aws-eks-v2's Helm handler installs the pulled ` +
          "chart from a directory named after the reference's last path segment, which a digest changes; pin the chart's " +
          'content with CiliumChartSource.asset() (the archive, hashed into the asset) or by version from a registry you control'
        );
      }
      return /^oci:\/\/[^/\s]+\/\S*cilium$/.test(repo)
        ? undefined
        : `an OCI chart source must name the chart as its last path segment ('.../cilium'), got '${repo}'`;
    }
    return `a chart source must be an https:// Helm repository or an oci:// reference, got '${repo}'`;
  }

  public toString(): string {
    return this.description;
  }
}
