import { Token } from 'aws-cdk-lib';
import { Feature, Support, capabilityMessage, capabilityOf } from './capabilities';
import { EncryptionType } from './encryption';
import { Datapath, type CiliumProfile } from './profile';
import type { CiliumHelmValues, ComponentPrometheusValues, DashboardHelmValues, HubbleHelmValues } from './values-types';
import type { CiliumValuesOptions } from './values-options';
import type { CiliumVersion } from './version';
import { deepMerge, type JsonMap } from '../private/deep-merge';
import { MeshValidationError } from '../private/errors';

/** The values `renderCiliumValues` returns: the typed part plus whatever `valuesOverrides` added. */
export type RenderedCiliumValues = CiliumHelmValues & { readonly [key: string]: unknown };

/** The first line without `nodePort.enabled` (the `--enable-nodeport` flag was removed, cilium/cilium#41380). */
const NODEPORT_REMOVED_MINOR = 19;
/** The first line whose chart declares `kubeProxyReplacement` in values.yaml/schema (cilium/cilium#41535). */
const KPR_DECLARED_MINOR = 19;

/**
 * Renders the Helm values of an aws-cni chaining install of Cilium `version` (pure; errors are path-less
 * `MeshValidationError`s, re-raised with a construct path by `Cilium`).
 *
 * Always: `cni.chainingMode: aws-cni`, `cni.exclusive: false`, `enableIPv4Masquerade: false`,
 * `routingMode: native`, `endpointRoutes.enabled: true`, `l7Proxy`; `kubeProxyReplacement` as a boolean (on
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
export function renderCiliumValues(options: CiliumValuesOptions, version: CiliumVersion): RenderedCiliumValues {
  version.validate();
  const kpr = options.kubeProxyReplacement ?? false;
  const l7Proxy = options.l7Proxy ?? true;
  const envoyFrontend = (options.gatewayApi ?? false) || options.ingressController !== undefined ||
    (options.envoyConfig ?? false) || (options.l7LoadBalancing ?? false);
  const values: JsonMap = {
    cni: { chainingMode: 'aws-cni', exclusive: false },
    enableIPv4Masquerade: false,
    routingMode: 'native',
    endpointRoutes: { enabled: true },
  };
  if (kpr || version.isAtLeast(KPR_DECLARED_MINOR)) {
    values.kubeProxyReplacement = kpr;
  }
  if (kpr) {
    values.k8sServiceHost = serviceHost(options.k8sServiceHost);
    values.k8sServicePort = servicePort(options.k8sServicePort ?? 443);
  } else if (options.k8sServiceHost !== undefined || options.k8sServicePort !== undefined) {
    throw new MeshValidationError('k8sServiceHost/k8sServicePort are only used with kube-proxy replacement; ' +
      'set kubeProxyReplacement: true or remove them');
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
  Object.assign(values, observability(options));
  if (options.operatorReplicas !== undefined) {
    if (!Number.isInteger(options.operatorReplicas) || options.operatorReplicas < 1 || options.operatorReplicas > 10) {
      throw new MeshValidationError(`operatorReplicas must be an integer from 1 to 10, got ${options.operatorReplicas}; ` +
        'use 2 (the chart default) for high availability');
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
          install: (m.installSpire ?? true)
            ? {
              enabled: true,
              server: {
                dataStorage: m.serverStorageClass !== undefined ? { enabled: true, storageClass: m.serverStorageClass } : { enabled: false },
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
  checkRenderedValues(merged, version);
  return merged as unknown as RenderedCiliumValues;
}

/** The facts about the install that `values` describe (read after overrides, so the profile cannot lie). */
export function ciliumProfileFromValues(values: RenderedCiliumValues | JsonMap, version: CiliumVersion): CiliumProfile {
  const v = values as JsonMap;
  return {
    version,
    datapath: Datapath.AWS_CNI_CHAINING,
    kubeProxyReplacement: isTrue(v.kubeProxyReplacement),
    l7Proxy: v.l7Proxy === undefined ? true : isTrue(v.l7Proxy),
    mutualAuthentication: isTrue(get(v, 'authentication.mutual.spire.enabled')),
    gatewayApi: isTrue(get(v, 'gatewayAPI.enabled')),
    ingressController: isTrue(get(v, 'ingressController.enabled')),
    envoyConfig: isTrue(get(v, 'envoyConfig.enabled')),
    l7LoadBalancing: get(v, 'loadBalancer.l7.backend') === 'envoy',
  };
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
  if (isTrue(get(v, 'envoyConfig.enabled')) || get(v, 'loadBalancer.l7.backend') === 'envoy') features.push(Feature.ENVOY_CONFIG);
  return features;
}

function checkRenderedValues(v: JsonMap, version: CiliumVersion): void {
  const fail = (msg: string) => { throw new MeshValidationError(msg); };
  if ('tunnel' in v) {
    fail(`'tunnel' was removed in Cilium 1.15 (cilium/cilium#29053), got tunnel=${JSON.stringify(v.tunnel)}; ` +
      'aws-cni chaining uses routingMode: native, remove tunnel from valuesOverrides');
  }
  const kpr = v.kubeProxyReplacement;
  if (kpr !== undefined && kpr !== true && kpr !== false && kpr !== 'true' && kpr !== 'false') {
    fail(`kubeProxyReplacement must be true or false, got ${JSON.stringify(kpr)}; the modes partial/strict/probe/disabled ` +
      'were removed in Cilium 1.16 (cilium/cilium#31286): use the kubeProxyReplacement prop');
  }
  const nodePortEnabled = get(v, 'nodePort.enabled');
  if (version.isAtLeast(NODEPORT_REMOVED_MINOR) && nodePortEnabled !== undefined) {
    fail(`nodePort.enabled does not exist on Cilium ${version.line} (removed in 1.19, cilium/cilium#41380), got ` +
      `${JSON.stringify(nodePortEnabled)}; NodePort is part of kube-proxy replacement: set kubeProxyReplacement: true`);
  }
  const profile = ciliumProfileFromValues(v, version);
  if ((profile.envoyConfig || profile.l7LoadBalancing) && !profile.l7Proxy) {
    fail('CiliumEnvoyConfig (envoyConfig.enabled, loadBalancer.l7.backend: envoy) requires l7Proxy: true (the agent ' +
      'ignores CiliumEnvoyConfig when L7 proxies are disabled), got l7Proxy: false; remove l7Proxy: false');
  }
  for (const [on, what] of [[profile.gatewayApi, 'Gateway API'], [profile.ingressController, 'the Ingress controller']] as const) {
    if (!on) continue;
    if (!profile.l7Proxy) {
      fail(`${what} requires l7Proxy: true (Cilium's Envoy serves it; a documented prerequisite on every line), got ` +
        'l7Proxy: false; remove l7Proxy: false');
    }
    if (version.isAtLeast(NODEPORT_REMOVED_MINOR) && !profile.kubeProxyReplacement) {
      fail(`${what} on Cilium ${version.line} requires kubeProxyReplacement: true (NodePort support comes only from ` +
        'kube-proxy replacement since 1.19, cilium/cilium#41380), got kubeProxyReplacement: false; set ' +
        'kubeProxyReplacement: true (and keep the cluster reachable through k8sServiceHost)');
    }
    if (!version.isAtLeast(NODEPORT_REMOVED_MINOR) && !profile.kubeProxyReplacement && nodePortEnabled !== true) {
      fail(`${what} on Cilium ${version.line} requires nodePort.enabled: true or kubeProxyReplacement: true, got ` +
        `nodePort.enabled=${JSON.stringify(nodePortEnabled)}; do not override nodePort.enabled`);
    }
  }
  const spire = isTrue(get(v, 'authentication.mutual.spire.enabled'));
  if (spire && !isTrue(get(v, 'authentication.enabled'))) {
    fail('authentication.mutual.spire.enabled needs authentication.enabled: true (the agent only performs mutual ' +
      `authentication when the auth subsystem is on), got authentication.enabled=${JSON.stringify(get(v, 'authentication.enabled'))}; ` +
      'use the mutualAuthentication option instead of overriding authentication.*');
  }
  for (const feature of enabledFeatures(v)) {
    const capability = capabilityOf(feature, Datapath.AWS_CNI_CHAINING, version);
    if (capability.support === Support.INCOMPATIBLE) {
      fail(capabilityMessage(feature, profile, capability));
    }
  }
}

function observability(o: CiliumValuesOptions): JsonMap {
  const out: JsonMap = {};
  const p = o.prometheus ?? {};
  const sm = p.serviceMonitor ?? false;
  const serviceMonitor = sm
    ? { enabled: true, ...(p.serviceMonitorLabels ? { labels: sortedLabels(p.serviceMonitorLabels) } : {}) }
    : undefined;
  const dashboards = dashboardValues(o);
  const hubble = o.hubble ?? {};
  const metrics = (hubble.metrics ?? []).map((m) => m.render());
  if ((hubble.relay || hubble.ui || metrics.length > 0) && hubble.enabled === false) {
    throw new MeshValidationError('hubble.relay, hubble.ui and hubble.metrics need Hubble, got hubble.enabled: false; ' +
      'remove enabled: false or the Hubble features');
  }
  if (hubble.ui && !hubble.relay) {
    throw new MeshValidationError('hubble.ui needs hubble.relay (the UI reads flows from the relay), got relay: false; set relay: true');
  }
  const h: { -readonly [K in keyof HubbleHelmValues]: HubbleHelmValues[K] } = { enabled: hubble.enabled ?? true };
  if (hubble.relay !== undefined) h.relay = { enabled: hubble.relay };
  if (hubble.ui !== undefined) h.ui = { enabled: hubble.ui };
  if (metrics.length > 0) {
    h.metrics = {
      enabled: metrics,
      ...((hubble.metrics ?? []).some((m) => m.exemplars) ? { enableOpenMetrics: true } : {}),
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
    throw new MeshValidationError('kubeProxyReplacement needs k8sServiceHost (the API server host name), got none; ' +
      'pass k8sServiceHost or install with the Cilium construct, which derives it from the cluster endpoint');
  }
  if (!Token.isUnresolved(host) && (host.includes('://') || host.includes('/') || host.trim() === '')) {
    throw new MeshValidationError(`k8sServiceHost must be a bare host name without scheme or path, got '${host}'; ` +
      `pass e.g. '${host.replace(/^[a-z]+:\/\//, '').split('/')[0] || 'ABC123.gr7.eu-west-1.eks.amazonaws.com'}'`);
  }
  return host;
}

function servicePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MeshValidationError(`k8sServicePort must be an integer from 1 to 65535, got ${port}; EKS serves the API on 443`);
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
