import {
  CiliumVersion,
  HubbleContextLabel,
  HubbleMetric,
  IngressLoadBalancerMode,
  TransparentEncryption,
  maxWireGuardPodMtu,
  renderCiliumValues,
} from '../../lib';
import { deepMerge } from '../../lib/private/deep-merge';
import { recordHelmValues } from '../util/record';

const HOST = 'ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com';
const KPR = { kubeProxyReplacement: true, k8sServiceHost: HOST };

describe('ServiceMonitors need the Prometheus Operator CRDs', () => {
  test('refused unless the CRDs are declared installed, also through valuesOverrides', () => {
    expect(() =>
      renderCiliumValues({ prometheus: { agent: true, serviceMonitor: true } }, CiliumVersion.V1_20),
    ).toThrow(
      /^ServiceMonitors need the Prometheus Operator CRDs \(monitoring.coreos.com\/v1\), got prometheus.serviceMonitor.enabled: true, operator.prometheus.serviceMonitor.enabled: true, envoy.prometheus.serviceMonitor.enabled: true without prometheus.operatorCrdsInstalled; .*set prometheus: \{ operatorCrdsInstalled: true \}/,
    );
    expect(() =>
      renderCiliumValues(
        { valuesOverrides: { hubble: { relay: { prometheus: { serviceMonitor: { enabled: true } } } } } },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/got hubble.relay.prometheus.serviceMonitor.enabled: true without prometheus.operatorCrdsInstalled/);
    const values = renderCiliumValues(
      { prometheus: { agent: true, serviceMonitor: true, operatorCrdsInstalled: true } },
      CiliumVersion.V1_20,
    );
    expect(values.prometheus).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
  });
});

describe('renderCiliumValues: aws-cni chaining per line', () => {
  test('1.20 default (snapshot)', () => {
    const values = renderCiliumValues({}, CiliumVersion.V1_20);
    recordHelmValues('values-default-1-20', values, 'cilium-1.20');
    expect(values).toMatchSnapshot();
  });

  test('default values are exactly the chaining keys, kubeProxyReplacement a boolean on 1.19+', () => {
    for (const version of [CiliumVersion.V1_19, CiliumVersion.V1_20]) {
      const values = renderCiliumValues({}, version);
      // Exactly these keys: nothing the user did not ask for (chart defaults stay chart defaults).
      expect(values).toEqual({
        cni: { chainingMode: 'aws-cni', exclusive: false },
        enableIPv4Masquerade: false,
        routingMode: 'native',
        endpointRoutes: { enabled: true },
        kubeProxyReplacement: false,
      });
    }
  });

  test('1.16 default omits kubeProxyReplacement (not declared by the 1.16 chart; its default is false)', () => {
    const values = renderCiliumValues({}, CiliumVersion.V1_16);
    recordHelmValues('values-default-1-16', values, 'cilium-1.16');
    expect(values).not.toHaveProperty('kubeProxyReplacement');
    expect(values.cni).toEqual({ chainingMode: 'aws-cni', exclusive: false });
  });

  test('1.16 with kube-proxy replacement emits the boolean the 1.16 templates read', () => {
    // Not recorded: the 1.16 chart declares kubeProxyReplacement only as a comment in values.yaml (no schema
    // entry), so the strict validator reports it as unknown although the chart's templates read it.
    const values = renderCiliumValues(KPR, CiliumVersion.V1_16);
    expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: HOST, k8sServicePort: 443 });
  });

  test('kube-proxy replacement on 1.20 sets the API server host and port 443', () => {
    const values = renderCiliumValues(KPR, CiliumVersion.V1_20);
    recordHelmValues('values-kpr-1-20', values, 'cilium-1.20');
    expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: HOST, k8sServicePort: 443 });
  });

  test('kube-proxy replacement needs a bare host', () => {
    expect(() => renderCiliumValues({ kubeProxyReplacement: true }, CiliumVersion.V1_20)).toThrow(
      /needs k8sServiceHost/,
    );
    expect(() =>
      renderCiliumValues({ kubeProxyReplacement: true, k8sServiceHost: `https://${HOST}` }, CiliumVersion.V1_20),
    ).toThrow(new RegExp(`without scheme or path, got 'https://${HOST}'; pass e.g. '${HOST}'`));
    expect(() => renderCiliumValues({ ...KPR, k8sServicePort: 0 }, CiliumVersion.V1_20)).toThrow(
      /k8sServicePort must be an integer from 1 to 65535, got 0/,
    );
    expect(() => renderCiliumValues({ k8sServiceHost: HOST }, CiliumVersion.V1_20)).toThrow(
      /only used with kube-proxy replacement/,
    );
  });

  test('bad versions fail with the fix', () => {
    expect(() => renderCiliumValues({}, CiliumVersion.of('1.x'))).toThrow(/must be MAJOR.MINOR.PATCH .* got '1.x'/);
    expect(() => renderCiliumValues({}, CiliumVersion.of('1.15.7'))).toThrow(
      /'1.15.7' is not on a supported line \(1.16 to 1.20\)/,
    );
  });

  test('confirmed patch versions', () => {
    expect(
      [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19, CiliumVersion.V1_20].map(
        (v) => v.chartVersion,
      ),
    ).toEqual(['1.16.19', '1.17.18', '1.18.14', '1.19.8', '1.20.2']);
  });
});

describe('removed keys are never emitted nor accepted', () => {
  test('tunnel (removed in 1.15)', () => {
    expect(() => renderCiliumValues({ valuesOverrides: { tunnel: 'disabled' } }, CiliumVersion.V1_16)).toThrow(
      /'tunnel' was removed in Cilium 1.15 \(cilium\/cilium#29053\), got tunnel="disabled"/,
    );
  });
  test('kubeProxyReplacement: partial (removed in 1.16)', () => {
    expect(() =>
      renderCiliumValues({ valuesOverrides: { kubeProxyReplacement: 'partial' } }, CiliumVersion.V1_16),
    ).toThrow(/kubeProxyReplacement must be true or false, got "partial".*cilium\/cilium#31286/);
  });
  test('nodePort.enabled on 1.19+ (removed, cilium/cilium#41380)', () => {
    expect(() => renderCiliumValues({ valuesOverrides: { nodePort: { enabled: true } } }, CiliumVersion.V1_19)).toThrow(
      /nodePort.enabled does not exist on Cilium 1.19 \(removed in 1.19, cilium\/cilium#41380\), got true/,
    );
  });
});

describe('Gateway API and Ingress prerequisites', () => {
  test('1.20 with kube-proxy replacement: gatewayAPI.enabled and gatewayClass.create "true"', () => {
    const values = renderCiliumValues({ ...KPR, gatewayApi: true }, CiliumVersion.V1_20);
    recordHelmValues('values-gateway-api-1-20', values, 'cilium-1.20');
    expect(values.gatewayAPI).toEqual({ enabled: true, gatewayClass: { create: 'true' } });
    expect(values).not.toHaveProperty('nodePort');
  });
  test('1.20 without kube-proxy replacement is an error', () => {
    expect(() => renderCiliumValues({ gatewayApi: true }, CiliumVersion.V1_20)).toThrow(
      /Gateway API on Cilium 1.20 requires kubeProxyReplacement: true .*got kubeProxyReplacement: false; set kubeProxyReplacement: true/,
    );
  });
  test('1.19 without kube-proxy replacement is an error (no nodePort.enabled any more)', () => {
    expect(() => renderCiliumValues({ gatewayApi: true }, CiliumVersion.V1_19)).toThrow(
      /requires kubeProxyReplacement: true/,
    );
  });
  test('without l7Proxy is an error', () => {
    expect(() => renderCiliumValues({ ...KPR, gatewayApi: true, l7Proxy: false }, CiliumVersion.V1_20)).toThrow(
      /Gateway API requires l7Proxy: true .*got l7Proxy: false/,
    );
  });
  test('1.16 and 1.18 without kube-proxy replacement: nodePort.enabled', () => {
    const v16 = renderCiliumValues({ gatewayApi: true }, CiliumVersion.V1_16);
    recordHelmValues('values-gateway-api-nodeport-1-16', v16, 'cilium-1.16');
    expect(v16).toMatchObject({
      nodePort: { enabled: true },
      gatewayAPI: { enabled: true, gatewayClass: { create: 'true' } },
    });
    expect(renderCiliumValues({ gatewayApi: true }, CiliumVersion.V1_18).nodePort).toEqual({ enabled: true });
    expect(renderCiliumValues({ ...KPR, gatewayApi: true }, CiliumVersion.V1_18)).not.toHaveProperty('nodePort');
    expect(() =>
      renderCiliumValues({ gatewayApi: true, valuesOverrides: { nodePort: { enabled: false } } }, CiliumVersion.V1_17),
    ).toThrow(
      /Gateway API on Cilium 1.17 requires nodePort.enabled: true or kubeProxyReplacement: true, got nodePort.enabled=false/,
    );
  });
  test('Ingress controller in shared mode', () => {
    const options = { ...KPR, ingressController: { loadBalancerMode: IngressLoadBalancerMode.SHARED, default: true } };
    const values = renderCiliumValues(options, CiliumVersion.V1_20);
    recordHelmValues('values-ingress-shared-1-20', values, 'cilium-1.20');
    expect(values.ingressController).toEqual({ enabled: true, loadbalancerMode: 'shared', default: true });
    const v16 = renderCiliumValues({ ingressController: {} }, CiliumVersion.V1_16);
    recordHelmValues('values-ingress-dedicated-1-16', v16, 'cilium-1.16');
    expect(v16).toMatchObject({
      nodePort: { enabled: true },
      ingressController: { enabled: true, loadbalancerMode: 'dedicated' },
    });
    expect(() => renderCiliumValues({ ingressController: {} }, CiliumVersion.V1_20)).toThrow(
      /the Ingress controller on Cilium 1.20 requires kubeProxyReplacement/,
    );
  });
});

describe('encryption', () => {
  test('WireGuard with a pod MTU that leaves room for the header', () => {
    expect(maxWireGuardPodMtu()).toBe(8906);
    expect(maxWireGuardPodMtu(1500)).toBe(1405);
    const values = renderCiliumValues(
      { encryption: TransparentEncryption.wireGuard({ podMtu: 8906 }) },
      CiliumVersion.V1_20,
    );
    recordHelmValues('values-wireguard-1-20', values, 'cilium-1.20');
    expect(values.encryption).toEqual({ enabled: true, type: 'wireguard' });
    const v16 = renderCiliumValues(
      { encryption: TransparentEncryption.wireGuard({ podMtu: 1405, eniMtu: 1500 }) },
      CiliumVersion.V1_16,
    );
    recordHelmValues('values-wireguard-1-16', v16, 'cilium-1.16');
  });
  test('WireGuard with the full ENI MTU is an error naming the VPC CNI setting', () => {
    expect(() =>
      renderCiliumValues({ encryption: TransparentEncryption.wireGuard({ podMtu: 9001 }) }, CiliumVersion.V1_20),
    ).toThrow(/wireGuard.podMtu must be an integer from 576 to 8906 .*got 9001; set POD_MTU=8906 on the VPC CNI/);
    expect(() =>
      renderCiliumValues(
        { encryption: TransparentEncryption.wireGuard({ podMtu: 1406, eniMtu: 1500 }) },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/from 576 to 1405 .*got 1406/);
    expect(() =>
      renderCiliumValues(
        { encryption: TransparentEncryption.wireGuard({ podMtu: 1000, eniMtu: 100 }) },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/eniMtu must be an integer from 1280 to 9001, got 100/);
  });
  test('IPsec in chaining is incompatible', () => {
    expect(() => renderCiliumValues({ encryption: TransparentEncryption.ipsec() }, CiliumVersion.V1_20)).toThrow(
      /ipsec on aws-cni-chaining \(Cilium 1.20\) is incompatible: .*\(cilium\/cilium#15596, cilium\/cilium#12955\); use TransparentEncryption.wireGuard\(\)/,
    );
  });
});

describe('mutual authentication (SPIRE)', () => {
  test('authentication.enabled plus authentication.mutual.spire', () => {
    const values = renderCiliumValues({ mutualAuthentication: { trustDomain: 'mesh.example' } }, CiliumVersion.V1_20);
    recordHelmValues('values-spire-1-20', values, 'cilium-1.20');
    recordHelmValues(
      'values-spire-1-16',
      renderCiliumValues({ mutualAuthentication: { installSpire: false } }, CiliumVersion.V1_16),
      'cilium-1.16',
    );
    expect(values.authentication).toEqual({
      enabled: true,
      mutual: {
        spire: {
          enabled: true,
          trustDomain: 'mesh.example',
          install: { enabled: true, server: { dataStorage: { enabled: false } } },
        },
      },
    });
  });
  test('SPIRE server storage: no PVC unless a StorageClass is named (EKS has no default class)', () => {
    const persisted = renderCiliumValues({ mutualAuthentication: { serverStorageClass: 'gp3' } }, CiliumVersion.V1_20);
    recordHelmValues('values-spire-storage-1-20', persisted, 'cilium-1.20');
    recordHelmValues(
      'values-spire-storage-1-16',
      renderCiliumValues({ mutualAuthentication: { serverStorageClass: 'gp3' } }, CiliumVersion.V1_16),
      'cilium-1.16',
    );
    expect(persisted.authentication).toMatchObject({
      mutual: {
        spire: { install: { enabled: true, server: { dataStorage: { enabled: true, storageClass: 'gp3' } } } },
      },
    });
    const external = renderCiliumValues({ mutualAuthentication: { installSpire: false } }, CiliumVersion.V1_20);
    expect(external.authentication).toMatchObject({ mutual: { spire: { install: { enabled: false } } } });
  });
  test('SPIRE without authentication.enabled is an error', () => {
    expect(() =>
      renderCiliumValues(
        { mutualAuthentication: {}, valuesOverrides: { authentication: { enabled: false } } },
        CiliumVersion.V1_20,
      ),
    ).toThrow(
      /authentication.mutual.spire.enabled needs authentication.enabled: true .*got authentication.enabled=false/,
    );
  });
});

describe('observability', () => {
  const httpV2 = HubbleMetric.httpV2({
    exemplars: true,
    labelsContext: [
      HubbleContextLabel.SOURCE_IP,
      HubbleContextLabel.SOURCE_NAMESPACE,
      HubbleContextLabel.SOURCE_WORKLOAD,
      HubbleContextLabel.DESTINATION_IP,
      HubbleContextLabel.DESTINATION_NAMESPACE,
      HubbleContextLabel.DESTINATION_WORKLOAD,
      HubbleContextLabel.TRAFFIC_DIRECTION,
    ],
  });

  test('Hubble metric value class renders the chart syntax', () => {
    expect(httpV2.render()).toBe(
      'httpV2:exemplars=true;labelsContext=source_ip,source_namespace,source_workload,' +
        'destination_ip,destination_namespace,destination_workload,traffic_direction',
    );
    expect(HubbleMetric.dns().render()).toBe('dns');
    expect(
      HubbleMetric.flow({
        sourceContext: ['workload-name', 'reserved-identity'],
        destinationContext: ['workload-name'],
      }).render(),
    ).toBe('flow:sourceContext=workload-name|reserved-identity;destinationContext=workload-name');
    expect(() => HubbleMetric.drop({ labelsContext: [HubbleContextLabel.of('Source IP')] }).render()).toThrow(
      /labelsContext entry 'Source IP' is malformed/,
    );
  });

  test('Hubble relay, UI, metrics, ServiceMonitors and dashboards for every component', () => {
    const options = {
      hubble: { relay: true, ui: true, metrics: [HubbleMetric.dns(), HubbleMetric.drop(), HubbleMetric.tcp(), httpV2] },
      prometheus: {
        agent: true,
        serviceMonitor: true,
        serviceMonitorLabels: { release: 'kube-prometheus-stack', app: 'cilium' },
        operatorCrdsInstalled: true,
      },
      grafanaDashboards: { namespace: 'monitoring' },
      operatorReplicas: 3,
    };
    for (const [version, target] of [
      [CiliumVersion.V1_20, 'cilium-1.20'],
      [CiliumVersion.V1_16, 'cilium-1.16'],
    ] as const) {
      const values = renderCiliumValues(options, version);
      recordHelmValues(`values-observability-${version.line.replace('.', '-')}`, values, target);
      const sm = { enabled: true, labels: { app: 'cilium', release: 'kube-prometheus-stack' } };
      const dashboards = { enabled: true, namespace: 'monitoring' };
      expect(values.hubble).toEqual({
        enabled: true,
        relay: { enabled: true },
        ui: { enabled: true },
        metrics: {
          enabled: ['dns', 'drop', 'tcp', httpV2.render()],
          enableOpenMetrics: true,
          serviceMonitor: sm,
          dashboards,
        },
      });
      expect(values.prometheus).toEqual({ enabled: true, serviceMonitor: sm });
      expect(values.operator).toEqual({ replicas: 3, prometheus: { enabled: true, serviceMonitor: sm }, dashboards });
      expect(values.envoy).toEqual({ prometheus: { enabled: true, serviceMonitor: sm } });
      expect(values.dashboards).toEqual(dashboards);
      expect(Object.keys(values.hubble!.metrics!.serviceMonitor!.labels!)).toEqual(['app', 'release']);
    }
  });

  test('components can be switched off; Hubble prerequisites are checked', () => {
    const values = renderCiliumValues({ prometheus: { operator: false, envoy: false } }, CiliumVersion.V1_20);
    recordHelmValues('values-metrics-off-1-20', values, 'cilium-1.20');
    expect(values.operator).toEqual({ prometheus: { enabled: false } });
    expect(values.envoy).toEqual({ prometheus: { enabled: false } });
    expect(values).not.toHaveProperty('prometheus');
    expect(() => renderCiliumValues({ hubble: { ui: true } }, CiliumVersion.V1_20)).toThrow(
      /hubble.ui needs hubble.relay/,
    );
    expect(() => renderCiliumValues({ hubble: { enabled: false, relay: true } }, CiliumVersion.V1_20)).toThrow(
      /need Hubble, got hubble.enabled: false/,
    );
    expect(() => renderCiliumValues({ operatorReplicas: 0 }, CiliumVersion.V1_20)).toThrow(
      /operatorReplicas must be an integer from 1 to 10, got 0/,
    );
  });
});

describe('policy audit mode, L7 proxy and overrides', () => {
  test('policy audit mode is the agent option policy-audit-mode', () => {
    const values = renderCiliumValues({ policyAuditMode: true, l7Proxy: false }, CiliumVersion.V1_20);
    recordHelmValues('values-audit-1-20', values, 'cilium-1.20');
    recordHelmValues(
      'values-audit-1-16',
      renderCiliumValues({ policyAuditMode: true }, CiliumVersion.V1_16),
      'cilium-1.16',
    );
    expect(values.extraConfig).toEqual({ 'policy-audit-mode': 'true' });
    expect(values.l7Proxy).toBe(false);
    expect(renderCiliumValues({}, CiliumVersion.V1_20)).not.toHaveProperty('extraConfig');
  });

  test('valuesOverrides are deep-merged last; arrays replace', () => {
    const values = renderCiliumValues(
      {
        hubble: { metrics: [HubbleMetric.dns(), HubbleMetric.drop()] },
        valuesOverrides: {
          hubble: { metrics: { enabled: ['flow'] } },
          cni: { chainingMode: 'aws-cni', exclusive: false },
          bpf: { preallocateMaps: true },
        },
      },
      CiliumVersion.V1_20,
    );
    recordHelmValues('values-overrides-1-20', values, 'cilium-1.20');
    expect(values.hubble?.metrics?.enabled).toEqual(['flow']);
    expect(values.hubble?.enabled).toBe(true);
    expect(values.bpf).toEqual({ preallocateMaps: true });
  });

  test('deepMerge does not mutate and keeps null', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 1 };
    expect(deepMerge(base, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] }, d: null });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 1 });
  });
});
