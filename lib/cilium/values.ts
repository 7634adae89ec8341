import { Token } from 'aws-cdk-lib';
import { Feature, Support, capabilityMessage, capabilityOf } from './capabilities';
import { EGRESS_MASQUERADE_INTERFACES_LAST_MINOR, validateEniOptions, type EniOptions } from './eni';
import { EncryptionType } from './encryption';
import { renderFlowExport } from './flow-export';
import { checkHubbleExposure, HubbleMetric, POLICY_VERDICT_LABELS } from './hubble';
import { Datapath, type CiliumProfile } from './profile';
import type {
  CiliumHelmValues,
  ComponentPrometheusValues,
  DashboardHelmValues,
  HubbleHelmValues,
} from './values-types';
import type { CiliumValuesOptions } from './values-options';
import { checkValuesKeys } from './values-keys';
import type { CiliumVersion } from './version';
import { deepMerge, type JsonMap } from '../private/deep-merge';
import { MeshValidationError } from '../private/errors';

/** The values `renderCiliumValues` returns: the typed part plus whatever `valuesOverrides` added. */
export type RenderedCiliumValues = CiliumHelmValues & { readonly [key: string]: unknown };

/** The first line without `nodePort.enabled` (the `--enable-nodeport` flag was removed, cilium/cilium#41380). */
const NODEPORT_REMOVED_MINOR = 19;
/** The first line whose chart declares `kubeProxyReplacement` in values.yaml/schema (cilium/cilium#41535). */
const KPR_DECLARED_MINOR = 19;
/** The first line where `eni.enabled` alone selects ENI IPAM and native routing (cilium/cilium 99bdf9a9d1). */
const ENI_IMPLIES_IPAM_MINOR = 19;
/** The first line whose ENI install drops `egressMasqueradeInterfaces` (masquerading is off with ENI). */
const ENI_NO_MASQUERADE_MINOR = EGRESS_MASQUERADE_INTERFACES_LAST_MINOR + 1;

/**
 * The cluster-pool CIDR an aws-cni chaining install uses when Envoy serves Gateway API or Ingress traffic: the
 * RFC 2544 benchmarking block, which no VPC subnet of a usual EKS setup uses, so that Cilium's `cilium_host` and
 * Ingress addresses cannot shadow a VPC address as the chart's `10.0.0.0/8` does in a 10.x VPC.
 */
export const CHAINING_ENVOY_CLUSTER_POOL_CIDR = '198.18.0.0/16';

/** What the `Cilium` construct knows about the install beyond the options (resources it created). */
export interface CiliumInstallFacts {
  /** IRSA: the operator's role ARN, rendered as `eni.iamRole`. */
  readonly eniOperatorRoleArn?: string;
}

/**
 * Renders the Helm values of Cilium `version` on the chosen datapath (pure; errors are path-less
 * `MeshValidationError`s, re-raised with a construct path by `Cilium`).
 *
 * The datapath keys come first: for aws-cni chaining `cni.chainingMode: aws-cni`, `cni.exclusive: false`,
 * `enableIPv4Masquerade: false`, `routingMode: native`, `endpointRoutes.enabled: true`; for ENI the keys of the
 * line (see `eniValues`). Then, on both, `l7Proxy` when stated; `kubeProxyReplacement` as a boolean (on
 * 1.16-1.18, whose chart does not declare the key, only when true: the chart's default is false). With kube-proxy
 * replacement `k8sServiceHost` and `k8sServicePort`. `valuesOverrides` is deep-merged last and the result is
 * checked again: keys a line rejects (`tunnel`, removed in 1.15 by cilium/cilium#29053; string
 * `kubeProxyReplacement` modes, removed in 1.16 by cilium/cilium#31286; `nodePort.enabled` on 1.19+,
 * cilium/cilium#41380) and broken prerequisites fail here.
 *
 * Policy audit mode is rendered as `extraConfig['policy-audit-mode']`: the chart reads a top-level
 * `policyAuditMode` into the same ConfigMap key, but that key is only a comment in values.yaml and absent from
 * values.schema.json on every line, so strict values validation would reject it; `extraConfig` is the declared
 * way to set an agent option and yields the identical `cilium-config` entry.
 */
export function renderCiliumValues(
  options: CiliumValuesOptions,
  version: CiliumVersion,
  facts: CiliumInstallFacts = {},
): RenderedCiliumValues {
  version.validate();
  const datapath = options.datapath ?? Datapath.AWS_CNI_CHAINING;
  if (!Object.values(Datapath).includes(datapath)) {
    throw new MeshValidationError(
      `datapath must be Datapath.AWS_CNI_CHAINING or Datapath.ENI, got '${String(datapath)}'; pass one of them`,
    );
  }
  const kpr = options.kubeProxyReplacement ?? false;
  const l7Proxy = options.l7Proxy ?? true;
  const envoyFrontend =
    (options.gatewayApi ?? false) ||
    options.ingressController !== undefined ||
    (options.envoyConfig ?? false) ||
    (options.l7LoadBalancing ?? false);
  const values: JsonMap = datapath === Datapath.ENI ? eniValues(options, version, facts) : chainingValues(options);
  if (kpr || version.isAtLeast(KPR_DECLARED_MINOR)) {
    values.kubeProxyReplacement = kpr;
  }
  if (kpr) {
    values.k8sServiceHost = serviceHost(options.k8sServiceHost);
    values.k8sServicePort = servicePort(options.k8sServicePort ?? 443);
  } else if (options.k8sServiceHost !== undefined || options.k8sServicePort !== undefined) {
    throw new MeshValidationError(
      'k8sServiceHost/k8sServicePort are only used with kube-proxy replacement; ' +
        'set kubeProxyReplacement: true or remove them',
    );
  }
  if (envoyFrontend && !kpr && !version.isAtLeast(NODEPORT_REMOVED_MINOR)) {
    // 1.16-1.18: Gateway API and Ingress need NodePort support, from kube-proxy replacement or nodePort.enabled.
    values.nodePort = { enabled: true };
  }
  if (options.l7Proxy !== undefined) {
    // The chart default is true; only a stated choice is rendered, so the default values are exactly the
    // chaining values.
    values.l7Proxy = l7Proxy;
  }
  if (options.policyAuditMode) {
    values.extraConfig = { 'policy-audit-mode': 'true' };
  }
  Object.assign(values, observability(options, version));
  if (options.operatorReplicas !== undefined) {
    if (!Number.isInteger(options.operatorReplicas) || options.operatorReplicas < 1 || options.operatorReplicas > 10) {
      throw new MeshValidationError(
        `operatorReplicas must be an integer from 1 to 10, got ${options.operatorReplicas}; ` +
          'use 2 (the chart default) for high availability',
      );
    }
    values.operator = deepMerge((values.operator ?? {}) as JsonMap, { replicas: options.operatorReplicas });
  }
  if (options.encryption) {
    options.encryption.validate();
    values.encryption = { enabled: true, type: options.encryption.type };
  }
  if (options.mutualAuthentication) {
    const m = options.mutualAuthentication;
    values.authentication = {
      enabled: true,
      mutual: {
        spire: {
          enabled: true,
          ...(m.trustDomain !== undefined ? { trustDomain: m.trustDomain } : {}),
          install:
            (m.installSpire ?? true)
              ? {
                  enabled: true,
                  server: {
                    dataStorage:
                      m.serverStorageClass !== undefined
                        ? { enabled: true, storageClass: m.serverStorageClass }
                        : { enabled: false },
                  },
                }
              : { enabled: false },
        },
      },
    };
  }
  if (options.gatewayApi) {
    values.gatewayAPI = { enabled: true, gatewayClass: { create: 'true' } };
  }
  if (options.ingressController) {
    values.ingressController = {
      enabled: true,
      loadbalancerMode: options.ingressController.loadBalancerMode ?? 'dedicated',
      ...(options.ingressController.default !== undefined ? { default: options.ingressController.default } : {}),
    };
  }
  if (options.envoyConfig) {
    values.envoyConfig = { enabled: true };
  }
  if (options.l7LoadBalancing) {
    values.loadBalancer = { l7: { backend: 'envoy' } };
  }
  const merged = deepMerge(values, options.valuesOverrides);
  if (
    datapath === Datapath.AWS_CNI_CHAINING &&
    envoyConfigOn(merged) &&
    get(merged, 'ipam.operator.clusterPoolIPv4PodCIDRList') === undefined
  ) {
    // Decided on the merged values, so that Envoy switched on by any option or override gets it too.
    merged.ipam = deepMerge((merged.ipam ?? {}) as JsonMap, {
      operator: { clusterPoolIPv4PodCIDRList: [CHAINING_ENVOY_CLUSTER_POOL_CIDR] },
    });
  }
  checkRenderedValues(merged, version, datapath);
  // after the specific checks, which name the upstream change behind a key a line dropped
  checkValuesKeys(options.valuesOverrides, version);
  checkServiceMonitors(merged, options.prometheus?.operatorCrdsInstalled ?? false);
  checkHubbleExposure(merged, options.hubble ?? {});
  return merged as unknown as RenderedCiliumValues;
}

/**
 * The chart's own condition for `enable-envoy-config` (templates/cilium-configmap.yaml, 1.16-1.20), under which the
 * agent allocates the node's Ingress address from its IPAM (`allocateIngressIPs`).
 */
function envoyConfigOn(v: JsonMap): boolean {
  return (
    isTrue(get(v, 'envoyConfig.enabled')) ||
    isTrue(get(v, 'ingressController.enabled')) ||
    isTrue(get(v, 'gatewayAPI.enabled')) ||
    get(v, 'loadBalancer.l7.backend') === 'envoy'
  );
}

/**
 * aws-cni chaining: `cni.chainingMode: aws-cni`, `cni.exclusive: false`, `enableIPv4Masquerade: false`,
 * `routingMode: native`, `endpointRoutes.enabled: true`; the cluster-pool CIDR when stated (and, after the
 * overrides, `CHAINING_ENVOY_CLUSTER_POOL_CIDR` whenever the values turn Envoy config on: see
 * `CiliumValuesOptions.clusterPoolIPv4PodCIDR`).
 */
function chainingValues(options: CiliumValuesOptions): JsonMap {
  if (options.eni !== undefined) {
    throw new MeshValidationError(
      'eni options are set, but the datapath is aws-cni chaining (the VPC CNI assigns pod ' +
        'addresses there); pass datapath: Datapath.ENI or remove eni',
    );
  }
  const values: JsonMap = {
    cni: { chainingMode: 'aws-cni', exclusive: false },
    enableIPv4Masquerade: false,
    routingMode: 'native',
    endpointRoutes: { enabled: true },
  };
  if (options.clusterPoolIPv4PodCIDR !== undefined) {
    values.ipam = { operator: { clusterPoolIPv4PodCIDRList: [clusterPoolCidr(options.clusterPoolIPv4PodCIDR)] } };
  }
  return values;
}

/**
 * The ENI datapath, per line as the upstream install documents it: 1.16-1.17 `eni.enabled`, `ipam.mode: eni`,
 * `routingMode: native` and `egressMasqueradeInterfaces`; 1.18 the same without the interfaces (masquerading is
 * off with ENI); 1.19+ `eni.enabled` only (it selects ENI IPAM and native routing itself). Then the `eni.*`
 * options, set-like lists sorted.
 */
function eniValues(options: CiliumValuesOptions, version: CiliumVersion, facts: CiliumInstallFacts): JsonMap {
  if (options.clusterPoolIPv4PodCIDR !== undefined) {
    throw new MeshValidationError(
      `clusterPoolIPv4PodCIDR is set (${options.clusterPoolIPv4PodCIDR}), but the ENI datapath ` +
        'takes every address (pods, router, Ingress) from the VPC subnets; remove clusterPoolIPv4PodCIDR, or select ' +
        'subnets with eni.subnetIds / eni.subnetTags',
    );
  }
  const o: EniOptions = options.eni ?? {};
  validateEniOptions(o, version);
  const eni: JsonMap = { enabled: true };
  if (o.prefixDelegation) eni.awsEnablePrefixDelegation = true;
  if (o.releaseExcessIps) eni.awsReleaseExcessIPs = true;
  if (o.eniTags && Object.keys(o.eniTags).length > 0) eni.eniTags = sortedLabels(o.eniTags);
  if (o.subnetIds && o.subnetIds.length > 0) eni.subnetIDsFilter = [...new Set(o.subnetIds)].sort();
  if (o.subnetTags && o.subnetTags.length > 0) {
    eni.subnetTagsFilter = [...new Set(o.subnetTags.map((t) => `${t.key}=${t.value}`))].sort();
  }
  if (facts.eniOperatorRoleArn !== undefined) eni.iamRole = facts.eniOperatorRoleArn;
  const values: JsonMap = { eni };
  if (!version.isAtLeast(ENI_IMPLIES_IPAM_MINOR)) {
    values.ipam = { mode: 'eni' };
    values.routingMode = 'native';
  }
  if (!version.isAtLeast(ENI_NO_MASQUERADE_MINOR)) {
    values.egressMasqueradeInterfaces = (o.egressMasqueradeInterfaces ?? ['ens+']).join(' ');
  }
  return values;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function clusterPoolCidr(cidr: string): string {
  const m = IPV4_CIDR.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  const fix = `pass a range such as '${CHAINING_ENVOY_CLUSTER_POOL_CIDR}' that overlaps neither the VPC nor the Service CIDR`;
  if (!m || octets.some((o) => o > 255) || prefix < 8 || prefix > 24) {
    throw new MeshValidationError(
      `clusterPoolIPv4PodCIDR must be an IPv4 CIDR from /8 to /24 (Cilium gives each node a /24), ` +
        `got '${cidr}'; ${fix}`,
    );
  }
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) {
    throw new MeshValidationError(`clusterPoolIPv4PodCIDR '${cidr}' has host bits set; ${fix}`);
  }
  return cidr;
}

/** The facts about the install that `values` describe (read after overrides, so the profile cannot lie). */
export function ciliumProfileFromValues(values: RenderedCiliumValues | JsonMap, version: CiliumVersion): CiliumProfile {
  const v = values as JsonMap;
  return {
    version,
    datapath: datapathOf(v),
    kubeProxyReplacement: isTrue(v.kubeProxyReplacement),
    l7Proxy: v.l7Proxy === undefined ? true : isTrue(v.l7Proxy),
    mutualAuthentication: isTrue(get(v, 'authentication.mutual.spire.enabled')),
    gatewayApi: isTrue(get(v, 'gatewayAPI.enabled')),
    ingressController: isTrue(get(v, 'ingressController.enabled')),
    envoyConfig: isTrue(get(v, 'envoyConfig.enabled')),
    l7LoadBalancing: get(v, 'loadBalancer.l7.backend') === 'envoy',
  };
}

/** The datapath that `values` install: ENI when `eni.enabled`, else aws-cni chaining. */
export function datapathOf(values: RenderedCiliumValues | JsonMap): Datapath {
  return isTrue(get(values as JsonMap, 'eni.enabled')) ? Datapath.ENI : Datapath.AWS_CNI_CHAINING;
}

/** The features that `values` switch on, in a fixed order, for the capability check. */
export function enabledFeatures(values: RenderedCiliumValues | JsonMap): Feature[] {
  const v = values as JsonMap;
  const features: Feature[] = [];
  if (isTrue(get(v, 'encryption.enabled'))) {
    features.push(get(v, 'encryption.type') === EncryptionType.WIREGUARD ? Feature.WIREGUARD : Feature.IPSEC);
  }
  if (isTrue(get(v, 'authentication.mutual.spire.enabled'))) features.push(Feature.MUTUAL_AUTH);
  if (isTrue(get(v, 'gatewayAPI.enabled'))) features.push(Feature.GATEWAY_API);
  if (isTrue(get(v, 'ingressController.enabled'))) features.push(Feature.INGRESS);
  if (isTrue(get(v, 'envoyConfig.enabled')) || get(v, 'loadBalancer.l7.backend') === 'envoy')
    features.push(Feature.ENVOY_CONFIG);
  return features;
}

function checkRenderedValues(v: JsonMap, version: CiliumVersion, datapath: Datapath): void {
  const fail = (msg: string) => {
    throw new MeshValidationError(msg);
  };
  checkDatapathValues(v, version, datapath);
  if ('tunnel' in v) {
    fail(
      `'tunnel' was removed in Cilium 1.15 (cilium/cilium#29053), got tunnel=${JSON.stringify(v.tunnel)}; ` +
        'aws-cni chaining uses routingMode: native, remove tunnel from valuesOverrides',
    );
  }
  const kpr = v.kubeProxyReplacement;
  if (kpr !== undefined && kpr !== true && kpr !== false && kpr !== 'true' && kpr !== 'false') {
    fail(
      `kubeProxyReplacement must be true or false, got ${JSON.stringify(kpr)}; the modes partial/strict/probe/disabled ` +
        'were removed in Cilium 1.16 (cilium/cilium#31286): use the kubeProxyReplacement prop',
    );
  }
  const nodePortEnabled = get(v, 'nodePort.enabled');
  if (version.isAtLeast(NODEPORT_REMOVED_MINOR) && nodePortEnabled !== undefined) {
    fail(
      `nodePort.enabled does not exist on Cilium ${version.line} (removed in 1.19, cilium/cilium#41380), got ` +
        `${JSON.stringify(nodePortEnabled)}; NodePort is part of kube-proxy replacement: set kubeProxyReplacement: true`,
    );
  }
  const profile = ciliumProfileFromValues(v, version);
  if ((profile.envoyConfig || profile.l7LoadBalancing) && !profile.l7Proxy) {
    fail(
      'CiliumEnvoyConfig (envoyConfig.enabled, loadBalancer.l7.backend: envoy) requires l7Proxy: true (the agent ' +
        'ignores CiliumEnvoyConfig when L7 proxies are disabled), got l7Proxy: false; remove l7Proxy: false',
    );
  }
  for (const [on, what] of [
    [profile.gatewayApi, 'Gateway API'],
    [profile.ingressController, 'the Ingress controller'],
  ] as const) {
    if (!on) continue;
    if (!profile.l7Proxy) {
      fail(
        `${what} requires l7Proxy: true (Cilium's Envoy serves it; a documented prerequisite on every line), got ` +
          'l7Proxy: false; remove l7Proxy: false',
      );
    }
    if (version.isAtLeast(NODEPORT_REMOVED_MINOR) && !profile.kubeProxyReplacement) {
      fail(
        `${what} on Cilium ${version.line} requires kubeProxyReplacement: true (NodePort support comes only from ` +
          'kube-proxy replacement since 1.19, cilium/cilium#41380), got kubeProxyReplacement: false; set ' +
          'kubeProxyReplacement: true (and keep the cluster reachable through k8sServiceHost)',
      );
    }
    if (!version.isAtLeast(NODEPORT_REMOVED_MINOR) && !profile.kubeProxyReplacement && nodePortEnabled !== true) {
      fail(
        `${what} on Cilium ${version.line} requires nodePort.enabled: true or kubeProxyReplacement: true, got ` +
          `nodePort.enabled=${JSON.stringify(nodePortEnabled)}; do not override nodePort.enabled`,
      );
    }
  }
  const spire = isTrue(get(v, 'authentication.mutual.spire.enabled'));
  if (spire && !isTrue(get(v, 'authentication.enabled'))) {
    fail(
      'authentication.mutual.spire.enabled needs authentication.enabled: true (the agent only performs mutual ' +
        `authentication when the auth subsystem is on), got authentication.enabled=${JSON.stringify(get(v, 'authentication.enabled'))}; ` +
        'use the mutualAuthentication option instead of overriding authentication.*',
    );
  }
  for (const feature of enabledFeatures(v)) {
    const capability = capabilityOf(feature, datapath, version);
    if (capability.support === Support.INCOMPATIBLE) {
      fail(capabilityMessage(feature, profile, capability));
    }
  }
}

/** Values (after overrides) that contradict the datapath: VPC CNI settings on ENI, ENI settings on chaining. */
function checkDatapathValues(v: JsonMap, version: CiliumVersion, datapath: Datapath): void {
  const fail = (msg: string) => {
    throw new MeshValidationError(msg);
  };
  const chainingMode = get(v, 'cni.chainingMode');
  const ipamMode = get(v, 'ipam.mode');
  if (datapath === Datapath.ENI) {
    if (chainingMode !== undefined && chainingMode !== 'none') {
      fail(
        `cni.chainingMode is ${JSON.stringify(chainingMode)}, but the ENI datapath runs Cilium as the only CNI ` +
          '(no VPC CNI to chain after); remove cni.chainingMode from valuesOverrides, or use datapath: Datapath.AWS_CNI_CHAINING',
      );
    }
    if (get(v, 'cni.exclusive') === false) {
      fail(
        'cni.exclusive is false, but the ENI datapath needs Cilium to own the CNI configuration (a leftover VPC CNI ' +
          'configuration would assign pod addresses too); remove cni.exclusive from valuesOverrides',
      );
    }
    if (isTrue(get(v, 'endpointRoutes.enabled')) || v.enableIPv4Masquerade === false) {
      fail(
        'endpointRoutes.enabled / enableIPv4Masquerade: false are aws-cni chaining settings; with ENI the chart sets ' +
          'endpoint routes itself and masquerading follows the line (on until 1.17, off from 1.18); remove them from valuesOverrides',
      );
    }
    if (ipamMode !== undefined && ipamMode !== 'eni') {
      fail(
        `ipam.mode is ${JSON.stringify(ipamMode)}, but the ENI datapath needs ipam.mode: eni; remove ipam.mode from valuesOverrides`,
      );
    }
    if (get(v, 'ipam.operator.clusterPoolIPv4PodCIDRList') !== undefined) {
      fail(
        'ipam.operator.clusterPoolIPv4PodCIDRList is a cluster-pool setting, but the ENI datapath takes addresses from ' +
          'the VPC subnets; remove it from valuesOverrides',
      );
    }
    if (v.egressMasqueradeInterfaces !== undefined && version.isAtLeast(ENI_NO_MASQUERADE_MINOR)) {
      fail(
        `egressMasqueradeInterfaces is set, but Cilium ${version.line} does not masquerade in ENI mode; remove it from valuesOverrides`,
      );
    }
    if (get(v, 'eni.updateEC2AdapterLimitViaAPI') !== undefined && version.isAtLeast(18)) {
      fail(
        `eni.updateEC2AdapterLimitViaAPI was removed in Cilium 1.18 (limits always come from EC2), got it on ${version.line}; ` +
          'remove it from valuesOverrides',
      );
    }
  } else {
    if (isTrue(get(v, 'eni.enabled')) || ipamMode === 'eni') {
      fail(
        'eni.enabled / ipam.mode: eni select the ENI datapath, but the install is aws-cni chaining; pass ' +
          'datapath: Datapath.ENI (it renders the ENI values of the line and the operator IAM) instead of overriding them',
      );
    }
    if (chainingMode !== 'aws-cni') {
      fail(
        `cni.chainingMode is ${JSON.stringify(chainingMode)}, but the aws-cni chaining datapath needs 'aws-cni'; ` +
          'remove cni.chainingMode from valuesOverrides',
      );
    }
  }
}

/** The paths of every `serviceMonitor.enabled: true` in `v` (the chart has one per component). */
function serviceMonitorPaths(v: unknown, at: string[] = []): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v as JsonMap).flatMap(([k, child]) =>
    k === 'serviceMonitor' && isTrue(get(child as JsonMap, 'enabled'))
      ? [[...at, k].join('.')]
      : serviceMonitorPaths(child, [...at, k]),
  );
}

/**
 * ServiceMonitors need the Prometheus Operator CRDs, which no fresh EKS cluster has; the chart refuses the install
 * without them (checked on a live API server by test/live/charts.ts), so the user must say they exist.
 */
function checkServiceMonitors(v: JsonMap, crdsInstalled: boolean): void {
  const paths = serviceMonitorPaths(v);
  if (paths.length > 0 && !crdsInstalled) {
    throw new MeshValidationError(
      `ServiceMonitors need the Prometheus Operator CRDs (monitoring.coreos.com/v1), got ` +
        `${paths.map((p) => `${p}.enabled: true`).join(', ')} without prometheus.operatorCrdsInstalled; a fresh cluster has ` +
        'no such CRDs and the Cilium chart then fails the install. Install them first (kube-prometheus-stack or the ' +
        'prometheus-operator-crds chart, with the Cilium release depending on it) and set prometheus: { operatorCrdsInstalled: ' +
        'true }, or scrape without the operator: the chart annotates the agent, operator, Envoy and Hubble metrics targets ' +
        'for annotation-based scrapers when ServiceMonitors are off',
    );
  }
}

function observability(o: CiliumValuesOptions, version: CiliumVersion): JsonMap {
  const out: JsonMap = {};
  const p = o.prometheus ?? {};
  const sm = p.serviceMonitor ?? false;
  const serviceMonitor = sm
    ? { enabled: true, ...(p.serviceMonitorLabels ? { labels: sortedLabels(p.serviceMonitorLabels) } : {}) }
    : undefined;
  const dashboards = dashboardValues(o);
  const hubble = o.hubble ?? {};
  const metricObjects = [
    ...(hubble.metrics ?? []),
    ...(hubble.policyVerdictMetrics
      ? [
          HubbleMetric.policy({ labelsContext: [...POLICY_VERDICT_LABELS] }),
          HubbleMetric.drop({ labelsContext: [...POLICY_VERDICT_LABELS] }),
        ]
      : []),
  ];
  const seen = new Set<string>();
  for (const m of metricObjects) {
    if (seen.has(m.name)) {
      throw new MeshValidationError(
        `hubble.metrics lists '${m.name}' twice` +
          (hubble.policyVerdictMetrics && (m.name === 'policy' || m.name === 'drop')
            ? ' (policyVerdictMetrics adds policy and drop)'
            : '') +
          '; Hubble registers each metric once, keep one',
      );
    }
    seen.add(m.name);
  }
  const metrics = metricObjects.map((m) => m.render());
  if ((hubble.relay || hubble.ui || metrics.length > 0 || hubble.export) && hubble.enabled === false) {
    throw new MeshValidationError(
      'hubble.relay, hubble.ui, hubble.metrics and hubble.export need Hubble, got hubble.enabled: false; ' +
        'remove enabled: false or the Hubble features',
    );
  }
  if (hubble.uiExposure && !hubble.ui) {
    throw new MeshValidationError(
      'hubble.uiExposure is set, but hubble.ui is off; set ui: true (and relay: true) or remove uiExposure',
    );
  }
  if (hubble.ui && !hubble.relay) {
    throw new MeshValidationError(
      'hubble.ui needs hubble.relay (the UI reads flows from the relay), got relay: false; set relay: true',
    );
  }
  const h: { -readonly [K in keyof HubbleHelmValues]: HubbleHelmValues[K] } = { enabled: hubble.enabled ?? true };
  if (hubble.relay !== undefined) h.relay = { enabled: hubble.relay };
  if (hubble.ui !== undefined)
    h.ui = { enabled: hubble.ui, ...(hubble.uiExposure ? { service: hubble.uiExposure._render() } : {}) };
  if (hubble.export) h.export = renderFlowExport(hubble.export, version);
  if (metrics.length > 0) {
    h.metrics = {
      enabled: metrics,
      ...(metricObjects.some((m) => m.exemplars) ? { enableOpenMetrics: true } : {}),
      ...(serviceMonitor ? { serviceMonitor } : {}),
      ...(dashboards ? { dashboards } : {}),
    };
  }
  if (o.hubble !== undefined) {
    out.hubble = h;
  }
  const component = (enabled: boolean | undefined): ComponentPrometheusValues | undefined => {
    if (enabled === undefined && !serviceMonitor) return undefined;
    const on = enabled ?? true;
    return { enabled: on, ...(serviceMonitor && on ? { serviceMonitor } : {}) };
  };
  const agent = component(p.agent ?? (sm ? true : undefined));
  if (p.agent !== undefined || sm) out.prometheus = agent;
  const operator = component(p.operator);
  if (operator || dashboards || o.operatorReplicas !== undefined) {
    out.operator = { ...(operator ? { prometheus: operator } : {}), ...(dashboards ? { dashboards } : {}) };
  }
  const envoy = component(p.envoy);
  if (envoy) out.envoy = { prometheus: envoy };
  if (dashboards) out.dashboards = dashboards;
  return out;
}

function dashboardValues(o: CiliumValuesOptions): DashboardHelmValues | undefined {
  const d = o.grafanaDashboards;
  if (!d) return undefined;
  return {
    enabled: true,
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    ...(d.label !== undefined ? { label: d.label } : {}),
    ...(d.labelValue !== undefined ? { labelValue: d.labelValue } : {}),
  };
}

function serviceHost(host: string | undefined): string {
  if (host === undefined) {
    throw new MeshValidationError(
      'kubeProxyReplacement needs k8sServiceHost (the API server host name), got none; ' +
        'pass k8sServiceHost or install with the Cilium construct, which derives it from the cluster endpoint',
    );
  }
  if (!Token.isUnresolved(host) && (host.includes('://') || host.includes('/') || host.trim() === '')) {
    throw new MeshValidationError(
      `k8sServiceHost must be a bare host name without scheme or path, got '${host}'; ` +
        `pass e.g. '${host.replace(/^[a-z]+:\/\//, '').split('/')[0] || 'ABC123.gr7.eu-west-1.eks.amazonaws.com'}'`,
    );
  }
  return host;
}

function servicePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MeshValidationError(
      `k8sServicePort must be an integer from 1 to 65535, got ${port}; EKS serves the API on 443`,
    );
  }
  return port;
}

function sortedLabels(labels: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function get(v: JsonMap, path: string): unknown {
  let cur: unknown = v;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as JsonMap)[part];
  }
  return cur;
}
