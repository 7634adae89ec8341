import { createHash } from 'crypto';
import * as fs from 'fs';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { CILIUM_GATEWAY_API, defaultGatewayApiChannel, type GatewayApiCiliumLine } from './features';
import { GatewayApiChannel, GatewayApiVersion } from './versions';
import type { CiliumVersion } from '../cilium/version';
import { DELIVERY_RESOURCE_TYPE, DeliveryProvider, type DeliveryProviderOptions } from '../delivery/provider';
import { atScope, MeshValidationError } from '../private/errors';

/** Where the Gateway API install file comes from. */
export class GatewayApiSource {
  /**
   * The official release asset, downloaded by the handler at deploy time and checked against the pinned sha256
   * (synthesis stays offline). The handler needs egress to github.com.
   */
  public static release(): GatewayApiSource {
    return new GatewayApiSource();
  }

  /**
   * A copy of `<channel>-install.yaml` you provide (air-gapped accounts): uploaded as an S3 asset; its sha256
   * is checked at synthesis and again before it is applied.
   * @param path local path of the install file
   * @param sha256 expected sha256 (hex) of the file
   */
  public static fromFile(path: string, sha256: string): GatewayApiSource {
    return new GatewayApiSource(path, sha256);
  }

  private constructor(
    /** Local file, when not the release asset. */
    public readonly path?: string,
    /** Expected sha256 of the local file. */
    public readonly sha256?: string,
  ) {}
}

/** Properties of `GatewayApiCrds`. */
export interface GatewayApiCrdsProps extends DeliveryProviderOptions {
  /** The cluster to install the CRDs in. */
  readonly cluster: eks.ICluster;
  /**
   * The Gateway API release. Give this or `cilium`.
   * @default - the version `cilium` requires (`GatewayApiVersion.forCilium`)
   */
  readonly version?: GatewayApiVersion;
  /**
   * The Cilium version that will use the CRDs; decides the version and the default channel.
   * @default - none; `version` must be given
   */
  readonly cilium?: CiliumVersion;
  /**
   * Release channel.
   * @default - EXPERIMENTAL for Cilium 1.16 / Gateway API v1.1.0 (TLSRoute v1alpha2 is only there), else STANDARD
   */
  readonly channel?: GatewayApiChannel;
  /**
   * Where the install file comes from.
   * @default GatewayApiSource.release()
   */
  readonly source?: GatewayApiSource;
  /**
   * What happens to the CRDs when this construct is removed or the stack deleted. Deleting a CRD deletes every
   * object of its kinds in the cluster (all Gateways and routes, also those not made by this app), hence the
   * default. CRDs that a new version or channel no longer contains are never deleted on update either.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Installs the Gateway API CRDs in an EKS cluster, to be done before Cilium starts: Cilium's operator disables
 * its Gateway API controller when the CRDs are missing at startup. Make the Cilium Helm release depend on this
 * construct. The install file is applied by reference (release asset pinned by version and sha256, or a file
 * you provide), with server-side apply; the handler waits until the CRDs are Established.
 * @see https://docs.cilium.io/en/stable/network/servicemesh/gateway-api/gateway-api/
 */
export class GatewayApiCrds extends Construct {
  /** The installed version. */
  public readonly version: GatewayApiVersion;
  /** The installed channel. */
  public readonly channel: GatewayApiChannel;
  /** The custom resource that applies the file. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps) {
    super(scope, id);
    props.cilium?.validate(this);
    if (!props.version && !props.cilium) {
      throw new MeshValidationError(
        'GatewayApiCrds needs a version: pass version (e.g. GatewayApiVersion.V1_6_1) or cilium (e.g. CiliumVersion.V1_20)',
        this,
      );
    }
    const version = atScope(this, () => {
      const v = props.version ?? GatewayApiVersion.forCilium(props.cilium!);
      v._validate();
      return v;
    });
    // Without a Cilium line, the release decides: a release a line requires gets that line's default channel.
    const line = props.cilium ?? ciliumLineOf(version);
    const channel = props.channel ?? (line ? defaultGatewayApiChannel(line) : GatewayApiChannel.STANDARD);
    if (
      props.cilium &&
      props.channel === GatewayApiChannel.STANDARD &&
      defaultGatewayApiChannel(props.cilium) === GatewayApiChannel.EXPERIMENTAL
    ) {
      throw new MeshValidationError(
        `Cilium ${props.cilium.version} needs TLSRoute v1alpha2, which only the experimental channel of Gateway API ` +
          `${version.version} contains, got channel 'standard'; leave channel unset or use GatewayApiChannel.EXPERIMENTAL`,
        this,
      );
    }
    this.version = version;
    this.channel = channel;

    const provider = DeliveryProvider.of(this, props.cluster, props);
    const source = props.source ?? GatewayApiSource.release();
    let sources: Record<string, string>[];
    if (source.path !== undefined) {
      const sha = checkLocalFile(source.path, source.sha256 ?? '', this);
      const asset = new s3assets.Asset(this, 'InstallFile', { path: source.path });
      asset.grantRead(provider.handler);
      sources = [{ Bucket: asset.s3BucketName, Key: asset.s3ObjectKey, Sha256: sha }];
    } else {
      const sha = version.sha256(channel);
      if (!sha) {
        throw new MeshValidationError(
          `no sha256 is pinned for ${version.releaseUrl(channel)}; pass it with GatewayApiVersion.of('${version.version}', ` +
            `{ ${channel}: '<sha256>' }) after checking the downloaded file, or install a local copy with GatewayApiSource.fromFile`,
          this,
        );
      }
      sources = [{ Url: version.releaseUrl(channel), Sha256: sha }];
    }

    this.resource = new CustomResource(this, 'Crds', {
      serviceToken: provider.serviceToken,
      resourceType: DELIVERY_RESOURCE_TYPE,
      // CloudFormation waits this long for an answer if the provider dies without one (default: one hour).
      serviceTimeout: Duration.minutes(20),
      properties: {
        ClusterName: props.cluster.clusterName,
        Endpoint: props.cluster.clusterEndpoint,
        CertificateAuthorityData: props.cluster.clusterCertificateAuthorityData,
        Owner: this.node.addr,
        Prune: 'false',
        RetainOnDelete: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.DESTROY ? 'false' : 'true',
        Kinds: [
          'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy',
          'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding',
          'apiextensions.k8s.io/v1/CustomResourceDefinition',
        ],
        Sources: sources,
      },
    });
    this.resource.node.addDependency(provider.accessEntry);
  }
}

/** The Cilium line that requires `version`, if one does (e.g. v1.1.0 → 1.16). */
function ciliumLineOf(version: GatewayApiVersion): GatewayApiCiliumLine | undefined {
  const line = Object.keys(CILIUM_GATEWAY_API).find((l) => CILIUM_GATEWAY_API[l] === version.version);
  return line === undefined ? undefined : { line, minor: Number(line.split('.')[1]) };
}

function checkLocalFile(path: string, expected: string, scope: Construct): string {
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    throw new MeshValidationError(`sha256 of ${path} must be 64 lower-case hex characters, got '${expected}'`, scope);
  }
  if (!fs.existsSync(path)) {
    throw new MeshValidationError(
      `Gateway API install file ${path} does not exist; download <channel>-install.yaml there`,
      scope,
    );
  }
  const actual = createHash('sha256').update(fs.readFileSync(path)).digest('hex');
  if (actual !== expected) {
    throw new MeshValidationError(
      `sha256 of ${path} is ${actual}, expected ${expected}; use the official release file`,
      scope,
    );
  }
  return actual;
}
