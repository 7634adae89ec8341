/**
 * The subset of the Cilium Helm chart values that `renderCiliumValues` emits, typed. Key names are the chart's
 * (`install/kubernetes/cilium/values.yaml`); anything else can be set through `valuesOverrides`.
 * @see https://docs.cilium.io/en/stable/helm-reference/
 */
export interface CiliumHelmValues {
  /** aws-cni chaining only. */
  readonly cni?: {
    readonly chainingMode: 'aws-cni';
    /** false: the VPC CNI keeps its own CNI configuration file. */
    readonly exclusive: false;
  };
  /** aws-cni chaining only. false: the VPC CNI SNATs pod traffic leaving the VPC. */
  readonly enableIPv4Masquerade?: false;
  /** Set for chaining (every line) and ENI on 1.16-1.18; ENI on 1.19+ defaults to native itself. */
  readonly routingMode?: 'native';
  /** aws-cni chaining only (the chart sets `enable-endpoint-routes` itself with ENI). */
  readonly endpointRoutes?: { readonly enabled: true };
  /** The ENI datapath. */
  readonly eni?: EniHelmValues;
  /** `ipam.mode: eni` (ENI on 1.16-1.18) or the cluster-pool CIDR (chaining). */
  readonly ipam?: {
    readonly mode?: 'eni';
    readonly operator?: { readonly clusterPoolIPv4PodCIDRList: string[] };
  };
  /** ENI on 1.16-1.17: space-separated interface patterns, e.g. `ens+`. */
  readonly egressMasqueradeInterfaces?: string;
  /** Boolean only (the string modes `partial`/`strict` were removed in 1.16, cilium/cilium#31286). */
  readonly kubeProxyReplacement?: boolean;
  readonly k8sServiceHost?: string;
  readonly k8sServicePort?: number;
  /** Only on 1.16-1.18 (removed in 1.19, cilium/cilium#41380). */
  readonly nodePort?: { readonly enabled: boolean };
  readonly l7Proxy: boolean;
  readonly extraConfig?: { readonly [key: string]: string };
  readonly hubble?: HubbleHelmValues;
  readonly prometheus?: ComponentPrometheusValues;
  readonly dashboards?: DashboardHelmValues;
  readonly operator?: {
    readonly replicas?: number;
    readonly prometheus?: ComponentPrometheusValues;
    readonly dashboards?: DashboardHelmValues;
  };
  readonly envoy?: { readonly prometheus?: ComponentPrometheusValues };
  readonly encryption?: {
    readonly enabled: boolean;
    readonly type: 'wireguard' | 'ipsec';
  };
  readonly authentication?: {
    readonly enabled: boolean;
    readonly mutual?: {
      readonly spire: {
        readonly enabled: boolean;
        readonly trustDomain?: string;
        readonly install?: { readonly enabled: boolean };
      };
    };
  };
  readonly gatewayAPI?: {
    readonly enabled: boolean;
    /** The chart takes a string (1.16) or boolean/string (1.20): `"true"` is valid on every line. */
    readonly gatewayClass?: { readonly create: 'true' | 'false' | 'auto' };
  };
  readonly ingressController?: {
    readonly enabled: boolean;
    readonly loadbalancerMode?: 'shared' | 'dedicated';
    readonly default?: boolean;
  };
}

/** `eni.*`. */
export interface EniHelmValues {
  readonly enabled: true;
  readonly awsEnablePrefixDelegation?: boolean;
  readonly awsReleaseExcessIPs?: boolean;
  readonly eniTags?: { readonly [key: string]: string };
  readonly subnetIDsFilter?: string[];
  /** `key=value` entries. */
  readonly subnetTagsFilter?: string[];
  /** IRSA: the role ARN the chart annotates the operator's ServiceAccount with. */
  readonly iamRole?: string;
}

/** `hubble.*`. */
export interface HubbleHelmValues {
  readonly enabled: boolean;
  readonly relay?: { readonly enabled: boolean };
  readonly ui?: {
    readonly enabled: boolean;
    /** Only with `HubbleUiExposure`; otherwise the chart's ClusterIP Service. */
    readonly service?: { readonly type: 'LoadBalancer'; readonly annotations: { readonly [key: string]: string } };
  };
  /** Flow export, as `renderFlowExport` renders it for the line. */
  readonly export?: { readonly [key: string]: unknown };
  readonly metrics?: {
    readonly enabled: string[];
    readonly enableOpenMetrics?: boolean;
    readonly serviceMonitor?: ServiceMonitorHelmValues;
    readonly dashboards?: DashboardHelmValues;
  };
}

/** `<component>.prometheus`. */
export interface ComponentPrometheusValues {
  readonly enabled: boolean;
  readonly serviceMonitor?: ServiceMonitorHelmValues;
}

/** `<component>.prometheus.serviceMonitor` (needs the Prometheus Operator CRDs in the cluster). */
export interface ServiceMonitorHelmValues {
  readonly enabled: boolean;
  readonly labels?: { readonly [key: string]: string };
}

/** `<component>.dashboards`: Grafana dashboards as ConfigMaps picked up by the Grafana sidecar. */
export interface DashboardHelmValues {
  readonly enabled: boolean;
  readonly namespace?: string;
  readonly label?: string;
  readonly labelValue?: string;
}
