/**
 * The charts' live tests (declared by charts-1.live.ts and charts-2.live.ts): the real Cilium chart of every
 * supported line (1.16 to 1.20), from the Go module proxy, installed on a live API server with the helm binary of the kubectl layer (no --wait: no pods run here), with the values
 * `renderCiliumValues` gives for each option set below: the first set is a fresh install, each next one an
 * upgrade of the same release (a fresh install per set would need a fresh server, since the chart's namespaces
 * cannot be reused while they terminate). The Gateway API CRDs of the line are applied first, as the library
 * orders them. A values object the chart or the API server rejects fails the test. The examples' own values are
 * installed by the examples' live test (examples.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  CILIUM_GATEWAY_API,
  CiliumVersion,
  Datapath,
  FlowEventType,
  FlowExportTarget,
  FlowVerdict,
  CiliumGatewayApi,
  HubbleMetric,
  IngressLoadBalancerMode,
  renderCiliumValues,
  TransparentEncryption,
  type CiliumValuesOptions,
} from '../../lib';
import { ciliumChart, gatewayApiCrdFiles, HELM, startServer, tally, type LiveServer } from './cluster';

const LINES = [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19, CiliumVersion.V1_20];
/** LINES in two parts, one per test file, so that the live suite's two workers share the installs. */
export const LINE_PARTS: readonly (readonly CiliumVersion[])[] = [LINES.slice(0, 3), LINES.slice(3)];
const HOST = 'ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com';

/** Each option of `CiliumValuesOptions` is on in at least one set. */
const OPTION_SETS: Record<string, CiliumValuesOptions> = {
  defaults: {},
  'kube-proxy replacement, Gateway API, Ingress controller': {
    kubeProxyReplacement: true,
    k8sServiceHost: HOST,
    gatewayApi: true,
    ingressController: { loadBalancerMode: IngressLoadBalancerMode.SHARED, default: true },
  },
  'Hubble relay and UI, metrics, Prometheus, dashboards': {
    hubble: {
      relay: true,
      ui: true,
      metrics: [
        HubbleMetric.dns(),
        HubbleMetric.drop(),
        HubbleMetric.tcp(),
        HubbleMetric.flow(),
        HubbleMetric.policy(),
      ],
    },
    prometheus: { agent: true, operator: true, envoy: true },
    grafanaDashboards: { label: 'grafana_dashboard', labelValue: '1' },
    operatorReplicas: 1,
  },
  'WireGuard, audit mode': { encryption: TransparentEncryption.wireGuard({ podMtu: 8906 }), policyAuditMode: true },
  'SPIRE mutual authentication': { mutualAuthentication: {} },
  'flow export, policy verdict metrics': {
    hubble: {
      relay: true,
      metrics: [HubbleMetric.flow()],
      policyVerdictMetrics: true,
      export: {
        static: {
          target: FlowExportTarget.stdout(),
          denyList: [{ sourceNamespaces: ['kube-system'] }],
          fieldMask: ['time', 'verdict', 'source.namespace'],
        },
        dynamic: [
          {
            name: 'drops',
            target: FlowExportTarget.file('/var/run/cilium/hubble/drops.log'),
            allowList: [{ verdicts: [FlowVerdict.DROPPED], eventTypes: [FlowEventType.DROP] }],
          },
        ],
      },
    },
  },
  'ENI datapath: prefix delegation, release of excess IPs, tags, subnets': {
    datapath: Datapath.ENI,
    eni: {
      prefixDelegation: true,
      releaseExcessIps: true,
      eniTags: { team: 'mesh' },
      subnetIds: ['subnet-0123456789abcdef0'],
    },
  },
  'ENI datapath: kube-proxy replacement, Gateway API, L7': {
    datapath: Datapath.ENI,
    kubeProxyReplacement: true,
    k8sServiceHost: HOST,
    gatewayApi: true,
  },
  'CiliumEnvoyConfig and L7 load balancing': {
    kubeProxyReplacement: true,
    k8sServiceHost: HOST,
    envoyConfig: true,
    l7LoadBalancing: true,
  },
};

/** `helm upgrade --install` of the release with `values`. */
function install(server: LiveServer, chart: string, values: unknown, release: string): { ok: boolean; error: string } {
  const file = path.join(server.state, `${release}.values.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  const r = spawnSync(
    HELM,
    [
      '--kubeconfig',
      server.kubeconfig,
      'upgrade',
      '--install',
      release,
      chart,
      '--namespace',
      'kube-system',
      '-f',
      file,
    ],
    { encoding: 'utf8' },
  );
  return { ok: r.status === 0, error: r.stderr.trim() };
}

/** Declares the test of each line of `LINE_PARTS[part - 1]`. */
export function describeChartLines(part: number): void {
  describe.each(LINE_PARTS[part - 1].map((v) => [v.chartVersion, v] as const))('Cilium %s chart', (_, version) =>
    chartLineTest(version),
  );
}

function chartLineTest(version: CiliumVersion): void {
  test('installs with the values of every option set', () => {
    const chart = ciliumChart(version.chartVersion);
    const server = startServer(`chart-${version.minor}`);
    const outcomes: Record<string, string> = {};
    try {
      const gatewayApi = CILIUM_GATEWAY_API[`1.${version.minor}`];
      const files = gatewayApiCrdFiles(gatewayApi, CiliumGatewayApi.defaultChannel(version));
      const r = server.kubectl(['apply', '--server-side', ...files.flatMap((f) => ['-f', f])]);
      if (r.status !== 0) throw new Error(`Gateway API ${gatewayApi} CRDs: ${r.stderr}`);
      for (const [name, options] of Object.entries(OPTION_SETS)) {
        const values = renderCiliumValues(options, version);
        const r = install(server, chart.chart, values, 'cilium');
        outcomes[name] = r.ok ? 'installed' : r.error;
      }
    } finally {
      server.stop();
    }
    const failed = Object.values(outcomes).filter((o) => o !== 'installed').length;
    tally({ chartInstalls: Object.keys(outcomes).length, failed: failed > 0 ? 1 : 0 });
    if (chart.version !== chart.requested) {
      console.log(
        `Cilium ${chart.requested}: the Go module proxy does not serve it here; chart ${chart.version} of the same line stands in`,
      );
    }
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(OPTION_SETS).map((k) => [k, 'installed'])));
  });
}

/** The ServiceMonitor test (declared by charts-2.live.ts). */
export function describeServiceMonitorRefusal(): void {
  test('ServiceMonitors without the Prometheus Operator CRDs: the real chart refuses the install, the library refuses at synth', () =>
    serviceMonitorRefusal());
}

function serviceMonitorRefusal(): void {
  const version = CiliumVersion.V1_20;
  const chart = ciliumChart(version.chartVersion);
  const options: CiliumValuesOptions = { prometheus: { agent: true, serviceMonitor: true } };
  // What the library renders once told the CRDs exist, installed on a cluster that does not have them.
  const values = renderCiliumValues({ prometheus: { ...options.prometheus, operatorCrdsInstalled: true } }, version);
  const server = startServer('servicemonitor');
  let outcome;
  try {
    outcome = install(server, chart.chart, values, 'cilium');
  } finally {
    server.stop();
  }
  tally({ chartInstalls: 1 });
  expect(outcome.ok).toBe(false);
  expect(outcome.error).toMatch(/Service Monitor requires monitoring.coreos.com\/v1 CRDs/);
  // Not told, the library refuses at synth, before any cluster exists.
  expect(() => renderCiliumValues(options, version)).toThrow(
    /^ServiceMonitors need the Prometheus Operator CRDs \(monitoring.coreos.com\/v1\)/,
  );
}
