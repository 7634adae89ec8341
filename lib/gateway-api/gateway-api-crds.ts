import { createHash } from 'crypto';
import * as fs from 'fs';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { GatewayApiChannel, GatewayApiVersion } from './versions';
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
  /** The Gateway API release (`Cilium` passes the one its line requires, `CiliumGatewayApi.versionFor`). */
  readonly version: GatewayApiVersion;
  /**
   * The release channel (`Cilium` passes its line's, `CiliumGatewayApi.defaultChannel`: experimental on Cilium 1.16,
   * whose TLSRoute v1alpha2 only the experimental channel of v1.1.0 has).
   * @default GatewayApiChannel.STANDARD
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
    const version = atScope(this, () => {
      props.version._validate();
      return props.version;
    });
    const channel = props.channel ?? GatewayApiChannel.STANDARD;
    if (channel !== GatewayApiChannel.STANDARD && channel !== GatewayApiChannel.EXPERIMENTAL) {
      throw new MeshValidationError(
        `channel must be GatewayApiChannel.STANDARD or EXPERIMENTAL, got ${JSON.stringify(channel)}; pass one of them`,
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
