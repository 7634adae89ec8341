import { App, Size, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  CiliumVersion,
  Datapath,
  FlowEventType,
  MeshCluster,
  FlowExportTarget,
  FlowVerdict,
  HubbleMetric,
  HubbleUiExposure,
  renderCiliumValues,
  renderFlowExport,
  renderHubbleAlertRules,
  type FlowFilter,
} from '../../lib';
import { recordHelmValues } from '../util/record';
import { install } from './install';

const hubbleOf = (values: { hubble?: unknown }) => values.hubble as { [key: string]: any };

describe('honest L7 metrics', () => {
  test('httpV2 and dns warn once per install on chaining, citing upstream and naming the ENI datapath', () => {
    const { stack } = install({ hubble: { metrics: [HubbleMetric.dns(), HubbleMetric.httpV2({ exemplars: true })] } });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('l7Metrics'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(
      /l7Metrics on aws-cni-chaining \(Cilium 1.20\) is unsupported: Hubble computes httpV2 and dns metrics from L7 flows.*stay empty.*cilium\/cilium#42578.*datapath: Datapath.ENI/,
    );
  });

  test('no warning on ENI, nor for L3/L4 metrics on chaining', () => {
    const eniStack = new Stack(new App(), 'E');
    new MeshCluster(eniStack, 'Mesh', { version: eks.KubernetesVersion.V1_35, datapath: Datapath.ENI }).addCilium({
      hubble: { metrics: [HubbleMetric.httpV2({ exemplars: true })] },
    });
    expect(Annotations.fromStack(eniStack).findWarning('*', Match.stringLikeRegexp('l7Metrics'))).toEqual([]);
    const l4 = install({ hubble: { metrics: [HubbleMetric.flow(), HubbleMetric.tcp()], policyVerdictMetrics: true } });
    expect(Annotations.fromStack(l4.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('policy verdict metrics', () => {
  test('policy and drop with source and destination namespace and workload labels, after the listed metrics', () => {
    const values = renderCiliumValues(
      { hubble: { metrics: [HubbleMetric.flow()], policyVerdictMetrics: true } },
      CiliumVersion.V1_20,
    );
    expect(hubbleOf(values).metrics.enabled).toEqual([
      'flow',
      'policy:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload',
      'drop:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload',
    ]);
  });

  test('a metric listed twice is refused', () => {
    expect(() =>
      renderCiliumValues(
        { hubble: { metrics: [HubbleMetric.drop()], policyVerdictMetrics: true } },
        CiliumVersion.V1_20,
      ),
    ).toThrow(
      /hubble.metrics lists 'drop' twice \(policyVerdictMetrics adds policy and drop\); Hubble registers each metric once, keep one/,
    );
  });
});

describe('flow export', () => {
  const all: FlowFilter = {
    sourceNamespaces: ['shop'],
    verdicts: [FlowVerdict.DROPPED, FlowVerdict.AUDIT],
    eventTypes: [FlowEventType.POLICY_VERDICT, FlowEventType.DROP],
  };

  test('static exporter to stdout: JSON filters with Hubble field names, field mask', () => {
    const out = renderFlowExport(
      {
        static: {
          target: FlowExportTarget.stdout(),
          allowList: [all],
          denyList: [{ destinationPods: ['kube-system/coredns-'] }],
          fieldMask: ['time', 'source.namespace'],
        },
      },
      CiliumVersion.V1_20,
    );
    expect(out).toEqual({
      static: {
        enabled: true,
        filePath: 'stdout',
        fieldMask: ['time', 'source.namespace'],
        allowList: ['{"source_pod":["shop/"],"verdict":["AUDIT","DROPPED"],"event_type":[{"type":1},{"type":5}]}'],
        denyList: ['{"destination_pod":["kube-system/coredns-"]}'],
      },
    });
  });

  test('rotation keys per line: hubble.export.* on 1.16/1.17, hubble.export.static.* from 1.18', () => {
    const file = FlowExportTarget.file('/var/run/cilium/hubble/events.log', {
      maxSize: Size.mebibytes(50),
      maxBackups: 3,
    });
    expect(renderFlowExport({ static: { target: file } }, CiliumVersion.V1_17)).toEqual({
      static: { enabled: true, filePath: '/var/run/cilium/hubble/events.log' },
      fileMaxSizeMb: 50,
      fileMaxBackups: 3,
    });
    const compressed = FlowExportTarget.file('/var/run/cilium/hubble/events.log', {
      maxSize: Size.mebibytes(50),
      compress: true,
    });
    expect(renderFlowExport({ static: { target: compressed } }, CiliumVersion.V1_18)).toEqual({
      static: { enabled: true, filePath: '/var/run/cilium/hubble/events.log', fileMaxSizeMb: 50, fileCompress: true },
    });
  });

  test('dynamic exporters: filter objects, own rotation from 1.18', () => {
    const out = renderFlowExport(
      {
        dynamic: [
          {
            name: 'drops',
            target: FlowExportTarget.file('/var/run/cilium/hubble/drops.log', { maxBackups: 2 }),
            allowList: [{ verdicts: [FlowVerdict.DROPPED] }],
          },
          {
            name: 'shop',
            target: FlowExportTarget.stdout(),
            allowList: [{ destinationNamespaces: ['shop'] }],
            fieldMask: ['verdict'],
          },
        ],
      },
      CiliumVersion.V1_19,
    );
    expect(out).toEqual({
      dynamic: {
        enabled: true,
        config: {
          content: [
            {
              name: 'drops',
              filePath: '/var/run/cilium/hubble/drops.log',
              fieldMask: [],
              includeFilters: [{ verdict: ['DROPPED'] }],
              excludeFilters: [],
              fileMaxBackups: 2,
            },
            {
              name: 'shop',
              filePath: 'stdout',
              fieldMask: ['verdict'],
              includeFilters: [{ destination_pod: ['shop/'] }],
              excludeFilters: [],
            },
          ],
        },
      },
    });
  });

  test('the values install on 1.16 and 1.20 (recorded for the chart validation)', () => {
    for (const [version, target] of [
      [CiliumVersion.V1_16, 'cilium-1.16'],
      [CiliumVersion.V1_20, 'cilium-1.20'],
    ] as const) {
      const values = renderCiliumValues(
        {
          hubble: {
            relay: true,
            ui: true,
            uiExposure: HubbleUiExposure.internalLoadBalancer({ allowedCidrs: ['10.20.0.0/16'] }),
            policyVerdictMetrics: true,
            export: {
              static: {
                target: FlowExportTarget.file('/var/run/cilium/hubble/events.log', { maxSize: Size.mebibytes(20) }),
                allowList: [all],
              },
              dynamic: [
                { name: 'drops', target: FlowExportTarget.stdout(), allowList: [{ verdicts: [FlowVerdict.DROPPED] }] },
              ],
            },
          },
        },
        version,
      );
      recordHelmValues(`values-observability-${version.line.replace('.', '-')}`, values, target);
      expect(hubbleOf(values).ui.service.type).toBe('LoadBalancer');
    }
  });

  describe('bad input: the value and the fix', () => {
    test('unknown filter fields', () => {
      const filter = { sourceNamespace: ['shop'] } as unknown as FlowFilter;
      expect(() =>
        renderFlowExport({ static: { target: FlowExportTarget.stdout(), allowList: [filter] } }, CiliumVersion.V1_20),
      ).toThrow(
        /hubble.export.static.allowList\[0\]: unknown filter field\(s\) 'sourceNamespace'; use sourceNamespaces, destinationNamespaces, sourcePods, destinationPods, verdicts, eventTypes/,
      );
      expect(() =>
        renderFlowExport({ static: { target: FlowExportTarget.stdout(), denyList: [{}] } }, CiliumVersion.V1_20),
      ).toThrow(/a filter without fields matches every flow/);
      expect(() =>
        renderFlowExport({ static: { target: FlowExportTarget.stdout(), allow: [] } as never }, CiliumVersion.V1_20),
      ).toThrow(/hubble.export.static: unknown field\(s\) 'allow'; use target, allowList, denyList, fieldMask/);
      expect(() =>
        renderFlowExport(
          { static: { target: FlowExportTarget.stdout(), allowList: [{ verdicts: ['DENIED' as FlowVerdict] }] } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/verdict 'DENIED' is unknown; use FlowVerdict.FORWARDED/);
      expect(() =>
        renderFlowExport(
          { static: { target: FlowExportTarget.stdout(), allowList: [{ sourcePods: ['api'] }] } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/sourcePods entry 'api' must be 'namespace\/pod-name-prefix'/);
    });

    test('export keys a line does not have', () => {
      const compressed = FlowExportTarget.file('/var/run/cilium/hubble/events.log', { compress: true });
      expect(() => renderFlowExport({ static: { target: compressed } }, CiliumVersion.V1_17)).toThrow(
        /hubble.export.static: compress needs Cilium 1.18 \(hubble.export.\*.fileCompress\), got 1.17; remove compress or use CiliumVersion.V1_18 or later/,
      );
      const rotated = FlowExportTarget.file('/var/run/cilium/hubble/a.log', { maxBackups: 2 });
      expect(() => renderFlowExport({ dynamic: [{ name: 'a', target: rotated }] }, CiliumVersion.V1_16)).toThrow(
        /hubble.export.dynamic\[0\]: per-exporter rotation needs Cilium 1.18 .* got 1.16; remove rotation from dynamic exporters/,
      );
      expect(() =>
        renderFlowExport(
          { static: { target: FlowExportTarget.stdout(), fieldMask: ['aggregate'] } },
          CiliumVersion.V1_18,
        ),
      ).toThrow(/fieldMask entry 'aggregate' is not a field of flow.Flow on Cilium 1.18 \(added in 1.19\)/);
      expect(() =>
        renderFlowExport(
          { static: { target: FlowExportTarget.stdout(), fieldMask: ['source.pod'] } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(
        /fieldMask entry 'source.pod': 'pod' is not a field of flow.Endpoint; use ID, identity, cluster_name, namespace, labels, pod_name, workloads/,
      );
    });

    test('rotation on stdout, duplicate names and paths', () => {
      expect(() =>
        renderFlowExport(
          { static: { target: FlowExportTarget.file('stdout', { maxBackups: 2 }) } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/rotation is set for stdout/);
      const d = (name: string) => ({ name, target: FlowExportTarget.stdout() });
      expect(() => renderFlowExport({ dynamic: [d('a'), d('a')] }, CiliumVersion.V1_20)).toThrow(
        /name 'a' must be a unique lower-case name/,
      );
      expect(() => renderFlowExport({ dynamic: [d('a'), d('b')] }, CiliumVersion.V1_20)).toThrow(
        /hubble.export.dynamic\[1\]: 'stdout' is already the target of another dynamic exporter, which the agent refuses/,
      );
    });

    test('export without Hubble; UI exposure without CIDRs or without the UI', () => {
      expect(() =>
        renderCiliumValues(
          { hubble: { enabled: false, export: { static: { target: FlowExportTarget.stdout() } } } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/need Hubble, got hubble.enabled: false/);
      expect(() =>
        renderCiliumValues(
          {
            hubble: { relay: true, ui: true, uiExposure: HubbleUiExposure.internalLoadBalancer({ allowedCidrs: [] }) },
          },
          CiliumVersion.V1_20,
        ),
      ).toThrow(
        /hubble.uiExposure: allowedCidrs is empty, which would expose the Hubble UI \(no authentication\) to the whole VPC; pass the CIDRs of your operators/,
      );
      expect(() =>
        renderCiliumValues(
          {
            hubble: {
              relay: true,
              ui: true,
              uiExposure: HubbleUiExposure.internalLoadBalancer({ allowedCidrs: ['0.0.0.0/0'] }),
            },
          },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/allowedCidrs entry '0.0.0.0\/0' is not a restricting IPv4 CIDR/);
      expect(() =>
        renderCiliumValues(
          { hubble: { uiExposure: HubbleUiExposure.internalLoadBalancer({ allowedCidrs: ['10.0.0.0/8'] }) } },
          CiliumVersion.V1_20,
        ),
      ).toThrow(/hubble.uiExposure is set, but hubble.ui is off; set ui: true/);
    });

    test('the construct names its path', () => {
      expect(() =>
        install({
          hubble: {
            export: { static: { target: FlowExportTarget.stdout(), allowList: [{ verdict: ['DROPPED'] } as never] } },
          },
        }),
      ).toThrow(/unknown filter field\(s\) 'verdict'.*\[at S\/Cilium\]$/);
    });
  });
});

describe('relay and UI stay ClusterIP by default', () => {
  test('no service type is rendered without an exposure', () => {
    const values = renderCiliumValues({ hubble: { relay: true, ui: true } }, CiliumVersion.V1_20);
    expect(hubbleOf(values).relay).toEqual({ enabled: true });
    expect(hubbleOf(values).ui).toEqual({ enabled: true });
  });
});

describe('alert rules', () => {
  test('a PrometheusRule with rising policy drops per namespace and Hubble Relay down', () => {
    const rule = renderHubbleAlertRules({ labels: { release: 'kube-prometheus-stack' } }) as any;
    expect(rule).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'cilium-mesh-alerts', namespace: 'kube-system', labels: { release: 'kube-prometheus-stack' } },
    });
    const rules = rule.spec.groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => r.alert)).toEqual(['CiliumPolicyDropsRising', 'HubbleRelayDown']);
    expect(rules[0].expr).toMatch(
      /^sum by \(destination_namespace\) \(rate\(hubble_drop_total\{reason="POLICY_DENIED"\}\[10m\]\)\) > 0.1\nand\n/,
    );
    expect(rules[1].expr).toBe(
      'kube_deployment_status_replicas_available{namespace="kube-system", deployment="hubble-relay"} < 1',
    );
    expect(() => renderHubbleAlertRules({ policyDropsPerSecond: 0 })).toThrow(
      /policyDropsPerSecond must be a positive number, got 0/,
    );
  });

  test('opt-in on the construct, after the release; refused without the metrics it reads or the operator CRDs', () => {
    const withCrds = { operatorCrdsInstalled: true };
    const { stack, cilium } = install({
      hubble: { relay: true, policyVerdictMetrics: true },
      prometheus: withCrds,
      alertRules: {},
    });
    const template = Template.fromStack(stack);
    const [manifest] = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(JSON.stringify(manifest.Properties.Manifest)).toContain('PrometheusRule');
    expect(manifest.DependsOn).toContain(stack.getLogicalId(cilium.release.node.defaultChild as never));
    expect(() => install({ hubble: { relay: true, policyVerdictMetrics: true }, alertRules: {} })).toThrow(
      /alertRules render a PrometheusRule \(monitoring.coreos.com\/v1\), got alertRules without prometheus.operatorCrdsInstalled; .*set prometheus: \{ operatorCrdsInstalled: true \}, or leave alertRules out \[at S\/Cilium\]$/,
    );
    expect(() => install({ hubble: { relay: true }, prometheus: withCrds, alertRules: {} })).toThrow(
      /alertRules need the policy drop metrics with namespace labels and Hubble Relay, got policyVerdictMetrics: false, relay: true; set hubble: \{ policyVerdictMetrics: true, relay: true \} \[at S\/Cilium\]$/,
    );
  });
});
