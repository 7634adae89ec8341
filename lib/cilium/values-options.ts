import type { EniOptions } from './eni';
import type { TransparentEncryption } from './encryption';
import type { Datapath } from './profile';
import type { FlowExportOptions } from './flow-export';
import type { HubbleMetric, HubbleUiExposure } from './hubble';

/** Hubble (flow observability). @see https://docs.cilium.io/en/stable/observability/hubble/ */
export interface HubbleOptions {
  /** `hubble.enabled`. @default true */
  readonly enabled?: boolean;
  /** `hubble.relay.enabled`: the cluster-wide flow API. @default false */
  readonly relay?: boolean;
  /** `hubble.ui.enabled` (needs the relay). @default false */
  readonly ui?: boolean;
  /**
   * `hubble.metrics.enabled`: the metrics to export, in the given order. `httpV2` and `dns` need L7 visibility,
   * which aws-cni chaining does not have (a capability warning, once per install).
   * @default - no Hubble metrics
   */
  readonly metrics?: HubbleMetric[];
  /**
   * The `policy` and `drop` metrics with source and destination namespace and workload labels
   * (`POLICY_VERDICT_LABELS`), appended to `metrics`: what alerts on denied traffic need. L3/L4, so they work on
   * both datapaths.
   * @default false
   */
  readonly policyVerdictMetrics?: boolean;
  /**
   * Flow export (`hubble.export`): keep or ship flows instead of only watching them live.
   * @default - no export
   */
  readonly export?: FlowExportOptions;
  /**
   * Expose the Hubble UI beyond `kubectl port-forward` / `cilium hubble ui`.
   * @default - ClusterIP only
   */
  readonly uiExposure?: HubbleUiExposure;
  /**
   * Allow `valuesOverrides` to expose Hubble Relay or UI outside the cluster (a NodePort or LoadBalancer Service,
   * the UI's Ingress). Neither has authentication of its own, so such overrides are refused without it.
   * @default false
   */
  readonly allowExternalExposure?: boolean;
}

/**
 * Prometheus metrics of the Cilium components and their ServiceMonitors (the latter need the Prometheus Operator
 * CRDs in the cluster). @see https://docs.cilium.io/en/stable/observability/metrics/
 */
export interface PrometheusOptions {
  /** `prometheus.enabled`: agent metrics. @default false */
  readonly agent?: boolean;
  /** `operator.prometheus.enabled`. @default true (chart default) */
  readonly operator?: boolean;
  /** `envoy.prometheus.enabled`. @default true (chart default) */
  readonly envoy?: boolean;
  /**
   * `serviceMonitor.enabled` for every component whose metrics are enabled (agent, operator, Envoy, and Hubble
   * when Hubble metrics are set).
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * Labels of the ServiceMonitors (e.g. the `release` label your Prometheus selects on).
   * @default - none
   */
  readonly serviceMonitorLabels?: { [key: string]: string };
  /**
   * The cluster has the Prometheus Operator CRDs (`monitoring.coreos.com/v1`: ServiceMonitor, PrometheusRule), from
   * kube-prometheus-stack or the `prometheus-community/prometheus-operator-crds` chart, installed before Cilium.
   * ServiceMonitors (here or through `valuesOverrides`) and the `Cilium` construct's `alertRules` are refused without
   * it: on a cluster without those CRDs the Cilium chart fails the install ("Service Monitor requires
   * monitoring.coreos.com/v1 CRDs") and a PrometheusRule cannot be created.
   * @default false
   */
  readonly operatorCrdsInstalled?: boolean;
}

/**
 * Grafana dashboards shipped by the chart as ConfigMaps (agent, operator, and Hubble when Hubble metrics are set),
 * found by the Grafana sidecar through a label. @see https://docs.cilium.io/en/stable/observability/grafana/
 */
export interface GrafanaDashboardOptions {
  /** Namespace of the ConfigMaps. @default - the release namespace */
  readonly namespace?: string;
  /** The label the Grafana sidecar selects on. @default 'grafana_dashboard' */
  readonly label?: string;
  /** Its value. @default '1' */
  readonly labelValue?: string;
}

/**
 * Mutual authentication with SPIRE (beta upstream): `authentication.enabled` + `authentication.mutual.spire.*`.
 * @see https://docs.cilium.io/en/stable/network/servicemesh/mutual-authentication/mutual-authentication/
 */
export interface MutualAuthenticationOptions {
  /** `authentication.mutual.spire.install.enabled`: let the chart install a SPIRE server and agents. @default true */
  readonly installSpire?: boolean;
  /** `authentication.mutual.spire.trustDomain`. @default 'spiffe.cilium' (chart default) */
  readonly trustDomain?: string;
  /**
   * StorageClass for the SPIRE server's data (`install.server.dataStorage`). The chart's default is a 1 GiB
   * PersistentVolumeClaim without a class, which stays Pending on EKS clusters that have no default StorageClass
   * (1.30+) or no EBS CSI driver, and Helm's wait then never completes. Name a class that exists (e.g. one backed
   * by the `aws-ebs-csi-driver` add-on) to persist the data; without one the server's data is not persisted and
   * is rebuilt when the server restarts.
   * @default - no persistent storage (`dataStorage.enabled: false`)
   */
  readonly serverStorageClass?: string;
}

/** How the Ingress controller exposes Ingresses (`ingressController.loadbalancerMode`). */
export enum IngressLoadBalancerMode {
  /** One LoadBalancer Service shared by all Ingresses. */
  SHARED = 'shared',
  /** One LoadBalancer Service per Ingress (chart default). */
  DEDICATED = 'dedicated',
}

/** The Cilium Ingress controller. @see https://docs.cilium.io/en/stable/network/servicemesh/ingress/ */
export interface IngressControllerOptions {
  /** @default IngressLoadBalancerMode.DEDICATED */
  readonly loadBalancerMode?: IngressLoadBalancerMode;
  /** `ingressController.default`: make `cilium` the default IngressClass. @default false */
  readonly default?: boolean;
}

/** Everything `renderCiliumValues` needs; the `Cilium` construct takes the same options. */
export interface CiliumValuesOptions {
  /**
   * How pods get their addresses and which CNI owns the node: aws-cni chaining (the VPC CNI assigns addresses,
   * Cilium is chained after it) or Cilium's own ENI IPAM (no VPC CNI on the nodes). Only ENI runs L7 and FQDN
   * policy and the Envoy features with upstream CI behind them. Switching an existing cluster replaces its CNI and
   * nodes: see the README's migration steps.
   * @default Datapath.AWS_CNI_CHAINING
   * @see https://docs.cilium.io/en/stable/network/concepts/ipam/eni/
   */
  readonly datapath?: Datapath;
  /**
   * Options of the ENI datapath; only with `datapath: Datapath.ENI`.
   * @default - no prefix delegation, no release of excess IPs, no tags or subnet filters, operator credentials
   * from EKS Pod Identity
   */
  readonly eni?: EniOptions;
  /**
   * aws-cni chaining only: the CIDR Cilium's cluster-pool IPAM hands out per-node blocks from
   * (`ipam.operator.clusterPoolIPv4PodCIDRList`). Pods never get these addresses (the VPC CNI assigns theirs), but
   * the node's `cilium_host` router address and, with Gateway API, Ingress or CiliumEnvoyConfig, the Envoy
   * Ingress address (the source of Envoy's upstream connections) come from it. The chart's default `10.0.0.0/8`
   * overlaps most VPCs (the default CDK VPC is 10.0.0.0/16), and Cilium then treats a VPC address as its own.
   * Pass a range that overlaps neither the VPC nor the Service CIDR; a /16 gives 256 nodes (/24 per node).
   * @default - the chart's `10.0.0.0/8`; `198.18.0.0/16` when the values turn on Envoy config (Gateway API, the
   * Ingress controller, `envoyConfig.enabled` or `loadBalancer.l7.backend: envoy`, the chart's own condition)
   * @see https://docs.cilium.io/en/stable/network/concepts/ipam/cluster-pool/
   */
  readonly clusterPoolIPv4PodCIDR?: string;
  /**
   * `kubeProxyReplacement`. Needs `k8sServiceHost`.
   * @default false
   * @see https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/
   */
  readonly kubeProxyReplacement?: boolean;
  /**
   * `k8sServiceHost`: the API server host name, without `https://` (required with kube-proxy replacement, which
   * has no kube-proxy to reach the `kubernetes` Service through).
   * @default - none; the `Cilium` construct derives it from the cluster endpoint
   */
  readonly k8sServiceHost?: string;
  /** `k8sServicePort`. @default 443 */
  readonly k8sServicePort?: number;
  /** Hubble. @default - Hubble on, no relay, no UI, no metrics */
  readonly hubble?: HubbleOptions;
  /** Prometheus metrics and ServiceMonitors. @default - chart defaults (operator and Envoy metrics on, no ServiceMonitors) */
  readonly prometheus?: PrometheusOptions;
  /** Grafana dashboard ConfigMaps. @default - none */
  readonly grafanaDashboards?: GrafanaDashboardOptions;
  /** `operator.replicas`. @default 2 (chart default) */
  readonly operatorReplicas?: number;
  /** Transparent encryption. @default - none */
  readonly encryption?: TransparentEncryption;
  /** Mutual authentication with SPIRE (beta). @default - off */
  readonly mutualAuthentication?: MutualAuthenticationOptions;
  /**
   * `gatewayAPI.enabled` and `gatewayAPI.gatewayClass.create: "true"`. The Gateway API CRDs must be installed
   * before Cilium. Needs `l7Proxy`, and kube-proxy replacement on 1.19+ (on 1.16-1.18 `nodePort.enabled` is set
   * instead when kube-proxy replacement is off).
   * @default false
   * @see https://docs.cilium.io/en/stable/network/servicemesh/gateway-api/gateway-api/
   */
  readonly gatewayApi?: boolean;
  /** The Ingress controller; same prerequisites as `gatewayApi`. @default - off */
  readonly ingressController?: IngressControllerOptions;
  /**
   * Policy audit mode: policy verdicts are logged, nothing is dropped. Rendered as the agent option
   * `policy-audit-mode` through `extraConfig` (see `renderCiliumValues`). @default false
   * @see https://docs.cilium.io/en/stable/security/policy-creation/
   */
  readonly policyAuditMode?: boolean;
  /**
   * `envoyConfig.enabled`: the agent handles CiliumEnvoyConfig objects (needed by `ResiliencePolicy`). Needs
   * `l7Proxy`. The docs also list kube-proxy replacement as a prerequisite on 1.19+ (on 1.16-1.18 `nodePort.enabled`,
   * which is set when kube-proxy replacement is off); the agent does not enforce it, so `ResiliencePolicy` warns.
   * @default false
   * @see https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/
   */
  readonly envoyConfig?: boolean;
  /**
   * `loadBalancer.l7.backend: envoy`: Services annotated `service.cilium.io/lb-l7: enabled` are load-balanced by
   * Envoy (beta upstream); implies `envoyConfig`. Same prerequisites as `envoyConfig`.
   * @default false
   * @see https://docs.cilium.io/en/stable/network/servicemesh/envoy-load-balancing/
   */
  readonly l7LoadBalancing?: boolean;
  /** `l7Proxy`: Cilium's Envoy-based L7 proxy. @default true */
  readonly l7Proxy?: boolean;
  /**
   * Escape hatch: raw Helm values deep-merged over the rendered ones, last (maps merge, arrays and scalars replace,
   * `null` deletes a chart default). The merged result is checked again (removed keys, prerequisites), so an
   * override cannot produce values that a line rejects.
   * @default - none
   */
  readonly valuesOverrides?: { [key: string]: unknown };
}
