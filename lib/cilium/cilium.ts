import { CfnJson, Duration, Fn, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Chart } from 'cdk8s';
import { Construct, type IDependable } from 'constructs';
import { Feature, checkCapability } from './capabilities';
import { CiliumChartSource } from './chart-source';
import { renderHubbleAlertRules, type HubbleAlertRulesOptions } from './alert-rules';
import { KubeProxyMode, _meshClusterFactsOf, type IMeshClusterFacts } from './cluster-facts';
import { EniOperatorCredentials, eniOperatorActions } from './eni';
import { CiliumGatewayApi } from './gateway-api-support';
import { Datapath, envoyConfigOf, gatewayApiChannelOf, type CiliumProfile } from './profile';
import { ciliumProfileFromValues, enabledFeatures, renderCiliumValues, type RenderedCiliumValues } from './values';
import type { CiliumValuesOptions } from './values-options';
import { CiliumVersion } from './version';
import { GatewayApiCrds, type GatewayApiSource } from '../gateway-api/gateway-api-crds';
import { GatewayApiChannel, type GatewayApiVersion } from '../gateway-api/versions';
import { MeshDelivery, type MeshDeliveryOptions } from '../delivery/mesh-delivery';
import { MeshValidationError, atScope } from '../private/errors';
import { acknowledgeNag } from '../private/nag';

/** The Helm release name: constant, so that a version or values change is an in-place `helm upgrade`. */
export const CILIUM_RELEASE_NAME = 'cilium';
/** The namespace Cilium is installed into. */
export const CILIUM_NAMESPACE = 'kube-system';
/** The operator's ServiceAccount (the chart's `serviceAccounts.operator.name`), which gets the ENI IAM role. */
export const CILIUM_OPERATOR_SERVICE_ACCOUNT = 'cilium-operator';

/** How the Gateway API CRDs are installed when `gatewayApi` is on. */
export interface GatewayApiCrdsOptions {
  /**
   * Install the CRDs with this construct. Turn it off only when something else installs them before Cilium.
   * @default true
   */
  readonly install?: boolean;
  /**
   * The Gateway API release.
   * @default - the one the Cilium line supports (`CiliumGatewayApi.versionFor`)
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
   * Whether Helm waits for the agents and the operator (`--wait`). A cluster whose nodes only become Ready once
   * Cilium runs on them (the ENI datapath: no other CNI) installs Cilium before its node groups and cannot wait;
   * `MeshCluster` passes false then.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * Alert rules as a Prometheus Operator `PrometheusRule` (`renderHubbleAlertRules`): rising policy drops per
   * namespace and Hubble Relay down. Opt-in: the deploy fails on a cluster without the operator's CRDs. Needs
   * `hubble.policyVerdictMetrics` and `hubble.relay`.
   * @default - none
   */
  readonly alertRules?: HubbleAlertRulesOptions;
  /**
   * What mesh deliveries (`addMesh`) wait for besides the Helm release: with `wait: false` the release completes
   * before Cilium runs, so pass what makes it run (`MeshCluster` on ENI passes its node groups).
   * @default - the release only
   */
  readonly readyAfter?: IDependable[];
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
   * The cluster to install into: any `eks.ICluster` with a kubectl provider, including imported clusters
   * (`MeshCluster.fromClusterAttributes` gives them one). A cluster that states its facts (`IMeshClusterFacts`:
   * `MeshCluster` does) decides kube-proxy replacement, the datapath (a different one would switch the cluster's CNI
   * in place, which is refused) and the WireGuard MTUs; on any other cluster they are these props.
   */
  readonly cluster: eks.ICluster;
}

/**
 * Cilium installed with Helm (release `cilium` in `kube-system`), in aws-cni chaining mode or with its own ENI
 * IPAM (`datapath`). With ENI, the operator gets an IAM role with the documented EC2 permissions through EKS Pod
 * Identity (default) or IRSA, never the node role. Mesh objects depend on `release`; `profile` states what this
 * install can do.
 * @see https://docs.cilium.io/en/stable/installation/cni-chaining-aws-cni/
 * @see https://docs.cilium.io/en/stable/network/concepts/ipam/eni/
 */
export class Cilium extends Construct {
  /** What this install can do, for the mesh layer. */
  public readonly profile: CiliumProfile;
  /** The Cilium release. */
  public readonly version: CiliumVersion;
  /** The Helm release; make later objects depend on it. */
  public readonly release: eks.HelmChart;
  /**
   * The rendered Helm values (after `valuesOverrides`), as the chart takes them. TypeScript code that wants them
   * typed calls `renderCiliumValues`, which returns `RenderedCiliumValues`.
   */
  public readonly values: { [key: string]: any };
  /** The Gateway API CRD install, when `gatewayApi` is on and the CRDs are installed here. */
  public readonly gatewayApiCrds?: GatewayApiCrds;
  /** ENI datapath: the operator's IAM role. */
  public readonly operatorRole?: iam.IRole;
  /** The PrometheusRule, with `alertRules`. */
  public readonly alertRules?: eks.KubernetesManifest;

  private readonly cluster: eks.ICluster;
  private readonly readyAfter: IDependable[];

  constructor(scope: Construct, id: string, props: CiliumProps) {
    super(scope, id);
    this.version = (props.version ?? CiliumVersion.V1_20).validate(this);
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() >= 15 * 60) {
      throw new MeshValidationError(
        `timeout must be below 15 minutes (the kubectl provider Lambda limit), got ` +
          `${timeout.toHumanString()}; use e.g. Duration.minutes(10)`,
        this,
      );
    }
    if (timeout.toSeconds() < 60) {
      throw new MeshValidationError(
        `timeout must be at least 1 minute for the agents to roll out, got ${timeout.toHumanString()}; ` +
          'use e.g. Duration.minutes(10)',
        this,
      );
    }
    const source = props.chartSource ?? CiliumChartSource.helmRepository();
    const sourceProblem = source.problem();
    if (sourceProblem) {
      throw new MeshValidationError(
        `${sourceProblem}; use CiliumChartSource.helmRepository(), .oci() or .asset()`,
        this,
      );
    }
    const facts = _meshClusterFactsOf(props.cluster);
    const kubeProxyReplacement = this.kubeProxyReplacement(props, facts);
    const k8sServiceHost = kubeProxyReplacement ? this.serviceHost(props) : props.k8sServiceHost;
    const datapath = this.datapath(props, facts);
    // The WireGuard MTUs come from the cluster when it states them (one source), and are checked against its ENI MTU.
    const encryption = props.encryption && atScope(this, () => props.encryption!._forCluster(facts, datapath));
    const operatorIdentity = datapath === Datapath.ENI ? this.eniOperatorIdentity(props) : undefined;
    this.operatorRole = operatorIdentity?.role;
    const values: RenderedCiliumValues = atScope(this, () =>
      renderCiliumValues({ ...props, kubeProxyReplacement, k8sServiceHost, datapath, encryption }, this.version, {
        eniOperatorRoleArn: operatorIdentity?.irsaRoleArn,
      }),
    );
    this.values = values;
    // The channel GatewayApiCrds installs (same default), or that whoever installs the CRDs was told to use.
    const gatewayApiChannel = props.gatewayApiCrds?.channel ?? CiliumGatewayApi.defaultChannel(this.version);
    this.profile = { ...ciliumProfileFromValues(values, this.version), gatewayApiChannel };
    for (const feature of enabledFeatures(values)) {
      checkCapability(this, feature, this.profile);
    }
    // Once per install, whatever the number of L7 metrics.
    if ((props.hubble?.metrics ?? []).some((m) => m.needsL7Visibility)) {
      checkCapability(this, Feature.L7_METRICS, this.profile);
    }
    this.cluster = props.cluster;
    this.readyAfter = [...(props.readyAfter ?? [])];
    this.release = new eks.HelmChart(this, 'Release', {
      cluster: props.cluster,
      chart: source.location.chart,
      repository: source.location.repository,
      chartAsset: source.location.chartAsset,
      version: source.location.pinsVersion ? this.version.chartVersion : undefined,
      release: CILIUM_RELEASE_NAME,
      namespace: CILIUM_NAMESPACE,
      values: this.values,
      wait: props.wait ?? true,
      timeout,
      createNamespace: false,
    });
    if (operatorIdentity?.association) {
      // The Pod Identity webhook injects credentials when the operator pod is created.
      this.release.node.addDependency(operatorIdentity.association);
    }
    if (props.alertRules) {
      if (!props.hubble?.policyVerdictMetrics || !props.hubble.relay) {
        throw new MeshValidationError(
          'alertRules need the policy drop metrics with namespace labels and Hubble Relay, got ' +
            `policyVerdictMetrics: ${props.hubble?.policyVerdictMetrics ?? false}, relay: ${props.hubble?.relay ?? false}; ` +
            'set hubble: { policyVerdictMetrics: true, relay: true }',
          this,
        );
      }
      if (!props.prometheus?.operatorCrdsInstalled) {
        throw new MeshValidationError(
          'alertRules render a PrometheusRule (monitoring.coreos.com/v1), got alertRules without ' +
            'prometheus.operatorCrdsInstalled; a fresh cluster has no such CRD, so the manifest would fail to apply. Install ' +
            'the Prometheus Operator CRDs first and set prometheus: { operatorCrdsInstalled: true }, or leave alertRules out',
          this,
        );
      }
      const rule = atScope(this, () => renderHubbleAlertRules(props.alertRules));
      this.alertRules = new eks.KubernetesManifest(this, 'AlertRules', { cluster: props.cluster, manifest: [rule] });
      this.alertRules.node.addDependency(this.release);
    }
    if (!props.gatewayApi && props.gatewayApiCrds !== undefined) {
      throw new MeshValidationError(
        'gatewayApiCrds is set but gatewayApi is off; set gatewayApi: true or remove gatewayApiCrds',
        this,
      );
    }
    if (props.gatewayApi && (props.gatewayApiCrds?.install ?? true)) {
      const version = props.gatewayApiCrds?.version ?? atScope(this, () => CiliumGatewayApi.versionFor(this.version));
      if (
        gatewayApiChannel === GatewayApiChannel.STANDARD &&
        CiliumGatewayApi.defaultChannel(this.version) === GatewayApiChannel.EXPERIMENTAL
      ) {
        throw new MeshValidationError(
          `Cilium ${this.version.version} needs TLSRoute v1alpha2, which only the experimental channel of Gateway API ` +
            `${version.version} contains, got channel 'standard'; leave gatewayApiCrds.channel unset or use ` +
            'GatewayApiChannel.EXPERIMENTAL',
          this,
        );
      }
      this.gatewayApiCrds = new GatewayApiCrds(this, 'GatewayApiCrds', {
        cluster: props.cluster,
        version,
        channel: gatewayApiChannel,
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
    const renderedFor = renderedProfileOf(mesh);
    if (renderedFor && !sameProfile(renderedFor, this.profile)) {
      throw new MeshValidationError(
        `mesh '${mesh.node.path}' was rendered for ${describeProfile(renderedFor)}, but this install is ` +
          `${describeProfile(this.profile)}; create the mesh with new ServiceMesh(app, id, { cilium: cilium.profile })`,
        this,
      );
    }
    return new MeshDelivery(this, `Mesh-${mesh.node.id}`, {
      ...options,
      cluster: this.cluster,
      charts: [mesh],
      dependsOn: [this.release, ...this.readyAfter, ...(options.dependsOn ?? [])],
    });
  }

  /**
   * The datapath: the prop, which must match the cluster's own `datapath` when it states one. A different datapath
   * on an existing cluster would replace its CNI under running pods; that is a migration, never an in-place change.
   */
  private datapath(props: CiliumProps, facts: IMeshClusterFacts | undefined): Datapath {
    if (facts === undefined) {
      const datapath = props.datapath ?? Datapath.AWS_CNI_CHAINING;
      if (datapath === Datapath.ENI) {
        this.refuseVpcCniCluster(props.cluster);
      }
      return datapath;
    }
    const clusterDatapath = facts.datapath;
    if (clusterDatapath !== Datapath.AWS_CNI_CHAINING && clusterDatapath !== Datapath.ENI) {
      throw new MeshValidationError(
        `cluster.datapath must be '${Datapath.AWS_CNI_CHAINING}' or '${Datapath.ENI}', got ` +
          `${JSON.stringify(clusterDatapath)}; fix the cluster construct`,
        this,
      );
    }
    if (props.datapath !== undefined && props.datapath !== clusterDatapath) {
      throw new MeshValidationError(
        `datapath '${props.datapath}' differs from the datapath '${clusterDatapath}' the cluster ` +
          `'${props.cluster.node.path}' was created for; switching in place would replace the CNI under running pods. ` +
          'Remove the datapath prop (it follows the cluster), or migrate: create a new cluster with the other datapath, ' +
          'move the workloads, delete the old one (README, "Switching datapaths")',
        this,
      );
    }
    return clusterDatapath;
  }

  /**
   * ENI on a cluster defined in this app that runs the VPC CNI (created with EKS's default networking add-ons, or
   * with a `vpc-cni` add-on): Cilium would take over pod networking under running pods while `aws-node` keeps
   * assigning addresses. Imported clusters cannot be checked; their datapath is taken as stated.
   */
  private refuseVpcCniCluster(cluster: eks.ICluster): void {
    const cfn = cluster.node.defaultChild;
    const bootstrap = cfn instanceof eks.CfnCluster ? cfn.bootstrapSelfManagedAddons : false;
    const vpcCni = cluster.node.findAll().find((c) => c instanceof eks.CfnAddon && c.addonName === 'vpc-cni');
    if (bootstrap !== false || vpcCni) {
      const why = vpcCni
        ? `has a vpc-cni add-on (${vpcCni.node.path})`
        : "was created with EKS's default networking add-ons (VPC CNI)";
      throw new MeshValidationError(
        `datapath 'eni' on cluster '${cluster.node.path}', which ${why}: Cilium would take over ` +
          'pod networking under running pods while aws-node keeps assigning addresses. Create the cluster with ' +
          'bootstrapSelfManagedAddons: false and no vpc-cni add-on (MeshCluster with datapath: Datapath.ENI does), or ' +
          'migrate to such a cluster (README, "Switching datapaths")',
        this,
      );
    }
  }

  /** The ENI operator's role, trusted by EKS Pod Identity (with the association) or by the cluster's OIDC provider. */
  private eniOperatorIdentity(props: CiliumProps): {
    role: iam.Role;
    association?: eks.CfnPodIdentityAssociation;
    irsaRoleArn?: string;
  } {
    const credentials = props.eni?.operatorCredentials ?? EniOperatorCredentials.POD_IDENTITY;
    if (!Object.values(EniOperatorCredentials).includes(credentials)) {
      throw new MeshValidationError(
        `eni.operatorCredentials must be EniOperatorCredentials.POD_IDENTITY or IRSA, got ` +
          `'${String(credentials)}'; pass one of them`,
        this,
      );
    }
    const policy = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: eniOperatorActions(this.version, props.eni), resources: ['*'] })],
    });
    const subject = `system:serviceaccount:${CILIUM_NAMESPACE}:${CILIUM_OPERATOR_SERVICE_ACCOUNT}`;
    if (credentials === EniOperatorCredentials.IRSA) {
      let provider: iam.IOpenIdConnectProvider;
      try {
        provider = props.cluster.openIdConnectProvider;
      } catch {
        throw new MeshValidationError(
          `IRSA credentials for the Cilium operator need the cluster's OIDC provider, but the ` +
            `imported cluster '${props.cluster.node.path}' has none; pass openIdConnectProvider to ` +
            'eks.Cluster.fromClusterAttributes or use EniOperatorCredentials.POD_IDENTITY',
          this,
        );
      }
      const conditions = new CfnJson(this, 'OperatorTrustConditions', {
        value: {
          [`${provider.openIdConnectProviderIssuer}:sub`]: subject,
          [`${provider.openIdConnectProviderIssuer}:aud`]: 'sts.amazonaws.com',
        },
      });
      const role = new iam.Role(this, 'OperatorRole', {
        description: `Cilium operator (ENI IPAM) of ${subject}, through IRSA`,
        assumedBy: new iam.OpenIdConnectPrincipal(provider, { StringEquals: conditions }),
        inlinePolicies: { EniIpam: policy },
      });
      acknowledgeEniPolicy(role);
      return { role, irsaRoleArn: role.roleArn };
    }
    const role = new iam.Role(this, 'OperatorRole', {
      description: `Cilium operator (ENI IPAM) of ${subject}, through EKS Pod Identity`,
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      inlinePolicies: { EniIpam: policy },
    });
    acknowledgeEniPolicy(role);
    const association = new eks.CfnPodIdentityAssociation(this, 'OperatorPodIdentity', {
      clusterName: props.cluster.clusterName,
      namespace: CILIUM_NAMESPACE,
      serviceAccount: CILIUM_OPERATOR_SERVICE_ACCOUNT,
      roleArn: role.roleArn,
    });
    if (props.eni?.installPodIdentityAgent ?? true) {
      const agent =
        props.cluster instanceof eks.Cluster
          ? props.cluster.eksPodIdentityAgent
          : new eks.Addon(this, 'PodIdentityAgent', { cluster: props.cluster, addonName: 'eks-pod-identity-agent' });
      if (agent) association.node.addDependency(agent);
    }
    return { role, association };
  }

  private kubeProxyReplacement(props: CiliumProps, facts: IMeshClusterFacts | undefined): boolean {
    if (facts === undefined) {
      return props.kubeProxyReplacement ?? false;
    }
    const mode = facts.kubeProxyMode;
    if (mode !== KubeProxyMode.KEEP && mode !== KubeProxyMode.REPLACE) {
      throw new MeshValidationError(
        `cluster.kubeProxyMode must be 'keep' or 'replace', got ${JSON.stringify(mode)}; ` +
          'fix the cluster construct',
        this,
      );
    }
    const derived = mode === KubeProxyMode.REPLACE;
    if (props.kubeProxyReplacement !== undefined && props.kubeProxyReplacement !== derived) {
      throw new MeshValidationError(
        `kubeProxyReplacement: ${props.kubeProxyReplacement} contradicts the cluster's ` +
          `kubeProxyMode '${mode}'; remove the kubeProxyReplacement prop (it follows the cluster) or change kubeProxyMode`,
        this,
      );
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
      throw new MeshValidationError(
        'KPR without a reachable endpoint: kube-proxy replacement needs the API server host ' +
          `(k8sServiceHost), but the imported cluster '${props.cluster.node.path}' has no clusterEndpoint; pass ` +
          'clusterEndpoint to eks.Cluster.fromClusterAttributes or set k8sServiceHost',
        this,
      );
    }
    // https://ABC.gr7.region.eks.amazonaws.com -> ['https:', '', 'ABC.gr7...']
    return Token.isUnresolved(endpoint) ? Fn.select(2, Fn.split('/', endpoint)) : stripScheme(endpoint);
  }
}

function stripScheme(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//, '').split('/')[0];
}

const PROFILE_KEYS = [
  'datapath',
  'kubeProxyReplacement',
  'l7Proxy',
  'mutualAuthentication',
  'gatewayApi',
  'ingressController',
] as const;

/** The compared facts of a profile; the Gateway API channel and the Envoy config switches with their defaults filled in. */
function profileFacts(p: CiliumProfile): [string, unknown][] {
  return [
    ...PROFILE_KEYS.map((k): [string, unknown] => [k, p[k]]),
    ['envoyConfig', envoyConfigOf(p)],
    ['l7LoadBalancing', p.l7LoadBalancing ?? false],
    ['gatewayApiChannel', gatewayApiChannelOf(p)],
  ];
}

/**
 * The profile a chart states it was rendered for: its `cilium` property when that is a `CiliumProfile`, as on a
 * `ServiceMesh` (this layer knows profiles, not meshes); undefined for a plain cdk8s chart.
 */
function renderedProfileOf(chart: Chart): CiliumProfile | undefined {
  const p = (chart as { cilium?: Partial<CiliumProfile> }).cilium;
  const isProfile =
    typeof p === 'object' &&
    p !== null &&
    typeof p.version?.version === 'string' &&
    typeof p.datapath === 'string' &&
    typeof p.gatewayApi === 'boolean';
  return isProfile ? (p as CiliumProfile) : undefined;
}

function sameProfile(a: CiliumProfile, b: CiliumProfile): boolean {
  const fb = profileFacts(b);
  return (
    a.version.version === b.version.version && profileFacts(a).every(([k, v], i) => fb[i][0] === k && fb[i][1] === v)
  );
}

function describeProfile(p: CiliumProfile): string {
  return `Cilium ${p.version.version} (${profileFacts(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')})`;
}

/** The ENI IPAM statement's `Resource: *`, by design (cdk-nag AwsSolutions-IAM5). */
function acknowledgeEniPolicy(role: iam.Role): void {
  acknowledgeNag(role, {
    'AwsSolutions-IAM5[Resource::*]':
      "Cilium's documented ENI IPAM actions: the ec2:Describe* calls support no " +
      'resource-level permissions, and the ENIs the operator creates, attaches and tags do not exist at deploy time',
  });
}
