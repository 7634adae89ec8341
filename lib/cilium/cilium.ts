import { Duration, Fn, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { checkCapability } from './capabilities';
import { CiliumChartSource } from './chart-source';
import { envoyConfigOf, gatewayApiChannelOf, type CiliumProfile } from './profile';
import { ciliumProfileFromValues, enabledFeatures, renderCiliumValues, type RenderedCiliumValues } from './values';
import type { CiliumValuesOptions } from './values-options';
import { CiliumVersion } from './version';
import { GatewayApiCrds, type GatewayApiSource } from '../gateway-api/gateway-api-crds';
import { GatewayApiVersion, type GatewayApiChannel } from '../gateway-api/versions';
import { MeshDelivery, type MeshDeliveryOptions } from '../mesh/delivery/mesh-delivery';
import { ServiceMesh } from '../mesh/service-mesh';
import { MeshValidationError, atScope } from '../private/errors';

/** The Helm release name: constant, so that a version or values change is an in-place `helm upgrade`. */
export const CILIUM_RELEASE_NAME = 'cilium';
/** The namespace Cilium is installed into. */
export const CILIUM_NAMESPACE = 'kube-system';

/** How the Gateway API CRDs are installed when `gatewayApi` is on. */
export interface GatewayApiCrdsOptions {
  /**
   * Install the CRDs with this construct. Turn it off only when something else installs them before Cilium.
   * @default true
   */
  readonly install?: boolean;
  /**
   * The Gateway API release.
   * @default - the one the Cilium line supports (`GatewayApiVersion.forCilium`)
   */
  readonly version?: GatewayApiVersion;
  /**
   * The release channel.
   * @default - experimental on Cilium 1.16 (TLSRoute v1alpha2 is only there), else standard
   */
  readonly channel?: GatewayApiChannel;
  /**
   * Where the install file comes from (a local copy for air-gapped accounts).
   * @default GatewayApiSource.release()
   */
  readonly source?: GatewayApiSource;
}

/** Options for installing Cilium (`CiliumProps` = these + the cluster). */
export interface CiliumOptions extends CiliumValuesOptions {
  /**
   * The Cilium release (pins the chart version).
   * @default CiliumVersion.V1_20
   */
  readonly version?: CiliumVersion;
  /**
   * Where the chart comes from.
   * @default CiliumChartSource.helmRepository() (https://helm.cilium.io/)
   */
  readonly chartSource?: CiliumChartSource;
  /**
   * How long Helm waits (`--wait`) for the agents and the operator to become ready. Below 15 minutes, the Lambda
   * limit of the kubectl provider.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * The Gateway API CRDs, installed before Cilium when `gatewayApi` is on (the operator disables its Gateway
   * controller when they are missing at startup).
   * @default - installed from the release asset pinned for the Cilium line
   */
  readonly gatewayApiCrds?: GatewayApiCrdsOptions;
}

/** Properties of `Cilium`. */
export interface CiliumProps extends CiliumOptions {
  /**
   * The cluster to install into: any `eks.ICluster` with a kubectl provider, including imported clusters.
   * If the object has a `kubeProxyMode` property (`'keep' | 'replace'`), kube-proxy replacement follows it.
   */
  readonly cluster: eks.ICluster;
}

/**
 * Cilium in aws-cni chaining mode, installed with Helm (release `cilium` in `kube-system`, `wait: true`).
 * Mesh objects depend on `release`; `profile` states what this install can do.
 * @see https://docs.cilium.io/en/stable/installation/cni-chaining-aws-cni/
 */
export class Cilium extends Construct {
  /** What this install can do, for the mesh layer. */
  public readonly profile: CiliumProfile;
  /** The Cilium release. */
  public readonly version: CiliumVersion;
  /** The Helm release; make later objects depend on it. */
  public readonly release: eks.HelmChart;
  /** The rendered Helm values (after `valuesOverrides`). */
  public readonly values: RenderedCiliumValues;
  /** The Gateway API CRD install, when `gatewayApi` is on and the CRDs are installed here. */
  public readonly gatewayApiCrds?: GatewayApiCrds;

  private readonly cluster: eks.ICluster;

  constructor(scope: Construct, id: string, props: CiliumProps) {
    super(scope, id);
    this.version = (props.version ?? CiliumVersion.V1_20).validate(this);
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() >= 15 * 60) {
      throw new MeshValidationError(`timeout must be below 15 minutes (the kubectl provider Lambda limit), got ` +
        `${timeout.toHumanString()}; use e.g. Duration.minutes(10)`, this);
    }
    if (timeout.toSeconds() < 60) {
      throw new MeshValidationError(`timeout must be at least 1 minute for the agents to roll out, got ${timeout.toHumanString()}; ` +
        'use e.g. Duration.minutes(10)', this);
    }
    const source = props.chartSource ?? CiliumChartSource.helmRepository();
    const sourceProblem = source.problem();
    if (sourceProblem) {
      throw new MeshValidationError(`${sourceProblem}; use CiliumChartSource.helmRepository(), .oci() or .asset()`, this);
    }
    const kubeProxyReplacement = this.kubeProxyReplacement(props);
    const k8sServiceHost = kubeProxyReplacement ? this.serviceHost(props) : props.k8sServiceHost;
    this.values = atScope(this, () => renderCiliumValues({ ...props, kubeProxyReplacement, k8sServiceHost }, this.version));
    // The channel GatewayApiCrds installs (same default), or that whoever installs the CRDs was told to use.
    const gatewayApiChannel = props.gatewayApiCrds?.channel ?? GatewayApiVersion.defaultChannel(this.version);
    this.profile = { ...ciliumProfileFromValues(this.values, this.version), gatewayApiChannel };
    for (const feature of enabledFeatures(this.values)) {
      checkCapability(this, feature, this.profile);
    }
    this.cluster = props.cluster;
    this.release = new eks.HelmChart(this, 'Release', {
      cluster: props.cluster,
      chart: source.location.chart,
      repository: source.location.repository,
      chartAsset: source.location.chartAsset,
      version: source.location.pinsVersion ? this.version.chartVersion : undefined,
      release: CILIUM_RELEASE_NAME,
      namespace: CILIUM_NAMESPACE,
      values: this.values as unknown as { [key: string]: unknown },
      wait: true,
      timeout,
      createNamespace: false,
    });
    if (!props.gatewayApi && props.gatewayApiCrds !== undefined) {
      throw new MeshValidationError('gatewayApiCrds is set but gatewayApi is off; set gatewayApi: true or remove gatewayApiCrds', this);
    }
    if (props.gatewayApi && (props.gatewayApiCrds?.install ?? true)) {
      this.gatewayApiCrds = new GatewayApiCrds(this, 'GatewayApiCrds', {
        cluster: props.cluster,
        cilium: this.version,
        version: props.gatewayApiCrds?.version,
        channel: props.gatewayApiCrds?.channel,
        source: props.gatewayApiCrds?.source,
      });
      this.release.node.addDependency(this.gatewayApiCrds);
    }
  }

  /**
   * Delivers a mesh (or any cdk8s chart) to the cluster after this Cilium release is ready, so that Cilium's
   * CRDs exist when the objects are applied. A `ServiceMesh` must have been created for this install
   * (`new ServiceMesh(app, id, { cilium: cilium.profile })`): its objects were checked against that profile.
   */
  public addMesh(mesh: Chart, options: MeshDeliveryOptions = {}): MeshDelivery {
    if (ServiceMesh.isServiceMesh(mesh) && !sameProfile(mesh.cilium, this.profile)) {
      throw new MeshValidationError(
        `mesh '${mesh.node.path}' was rendered for ${describeProfile(mesh.cilium)}, but this install is ` +
          `${describeProfile(this.profile)}; create the mesh with new ServiceMesh(app, id, { cilium: cilium.profile })`,
        this,
      );
    }
    return new MeshDelivery(this, `Mesh-${mesh.node.id}`, {
      ...options,
      cluster: this.cluster,
      charts: [mesh],
      dependsOn: [this.release, ...(options.dependsOn ?? [])],
    });
  }

  private kubeProxyReplacement(props: CiliumProps): boolean {
    const mode = (props.cluster as unknown as { kubeProxyMode?: unknown }).kubeProxyMode;
    if (mode === undefined) {
      return props.kubeProxyReplacement ?? false;
    }
    if (mode !== 'keep' && mode !== 'replace') {
      throw new MeshValidationError(`cluster.kubeProxyMode must be 'keep' or 'replace', got ${JSON.stringify(mode)}; ` +
        'fix the cluster construct', this);
    }
    const derived = mode === 'replace';
    if (props.kubeProxyReplacement !== undefined && props.kubeProxyReplacement !== derived) {
      throw new MeshValidationError(`kubeProxyReplacement: ${props.kubeProxyReplacement} contradicts the cluster's ` +
        `kubeProxyMode '${mode}'; remove the kubeProxyReplacement prop (it follows the cluster) or change kubeProxyMode`, this);
    }
    return derived;
  }

  private serviceHost(props: CiliumProps): string {
    if (props.k8sServiceHost !== undefined) {
      return props.k8sServiceHost;
    }
    let endpoint: string | undefined;
    try {
      endpoint = props.cluster.clusterEndpoint;
    } catch {
      endpoint = undefined;
    }
    if (endpoint === undefined) {
      throw new MeshValidationError('KPR without a reachable endpoint: kube-proxy replacement needs the API server host ' +
        `(k8sServiceHost), but the imported cluster '${props.cluster.node.path}' has no clusterEndpoint; pass ` +
        'clusterEndpoint to eks.Cluster.fromClusterAttributes or set k8sServiceHost', this);
    }
    // https://ABC.gr7.region.eks.amazonaws.com -> ['https:', '', 'ABC.gr7...']
    return Token.isUnresolved(endpoint) ? Fn.select(2, Fn.split('/', endpoint)) : stripScheme(endpoint);
  }
}

function stripScheme(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//, '').split('/')[0];
}

const PROFILE_KEYS = ['datapath', 'kubeProxyReplacement', 'l7Proxy', 'mutualAuthentication', 'gatewayApi', 'ingressController'] as const;

/** The compared facts of a profile; the Gateway API channel and the Envoy config switches with their defaults filled in. */
function profileFacts(p: CiliumProfile): [string, unknown][] {
  return [
    ...PROFILE_KEYS.map((k): [string, unknown] => [k, p[k]]),
    ['envoyConfig', envoyConfigOf(p)], ['l7LoadBalancing', p.l7LoadBalancing ?? false],
    ['gatewayApiChannel', gatewayApiChannelOf(p)],
  ];
}

function sameProfile(a: CiliumProfile, b: CiliumProfile): boolean {
  const fb = profileFacts(b);
  return a.version.version === b.version.version && profileFacts(a).every(([k, v], i) => fb[i][0] === k && fb[i][1] === v);
}

function describeProfile(p: CiliumProfile): string {
  return `Cilium ${p.version.version} (${profileFacts(p).map(([k, v]) => `${k}=${v}`).join(', ')})`;
}
