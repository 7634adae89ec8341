import { MeshValidationError } from '../private/errors';
import { validateLabels } from '../private/validate';

/** Options of `renderHubbleAlertRules`. */
export interface HubbleAlertRulesOptions {
  /** Namespace of the PrometheusRule. @default 'kube-system' */
  readonly namespace?: string;
  /** Labels your Prometheus selects rules by (`ruleSelector`, e.g. `release: kube-prometheus-stack`). @default - none */
  readonly labels?: { [key: string]: string };
  /**
   * Policy drops per second into one namespace above which, once they are also twice the rate of the hour before,
   * `CiliumPolicyDropsRising` fires.
   * @default 0.1
   */
  readonly policyDropsPerSecond?: number;
}

/** The name of the PrometheusRule. */
export const HUBBLE_ALERT_RULES_NAME = 'cilium-mesh-alerts';

/**
 * A `PrometheusRule` (Prometheus Operator CRD `monitoring.coreos.com/v1`) with two alerts (pure):
 * `CiliumPolicyDropsRising` per destination namespace, from `hubble_drop_total{reason="POLICY_DENIED"}` with the
 * labels of `policyVerdictMetrics`; `HubbleRelayDown` from kube-state-metrics'
 * `kube_deployment_status_replicas_available` of `kube-system/hubble-relay`. Apply it only where the operator's CRDs
 * exist (the same condition as ServiceMonitors).
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export function renderHubbleAlertRules(options: HubbleAlertRulesOptions = {}): { [key: string]: unknown } {
  const threshold = options.policyDropsPerSecond ?? 0.1;
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new MeshValidationError(
      `alertRules.policyDropsPerSecond must be a positive number, got ${threshold}; use e.g. 0.1`,
    );
  }
  const drops = (window: string) =>
    `sum by (destination_namespace) (rate(hubble_drop_total{reason="POLICY_DENIED"}[${window}]))`;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: HUBBLE_ALERT_RULES_NAME,
      namespace: options.namespace ?? 'kube-system',
      ...(options.labels ? { labels: validateLabels(options.labels) } : {}),
    },
    spec: {
      groups: [
        {
          name: 'cilium-mesh.policy',
          rules: [
            {
              alert: 'CiliumPolicyDropsRising',
              expr: `${drops('10m')} > ${threshold}\nand\n${drops('10m')} > 2 * (${drops('1h')} offset 1h or ${drops('10m')} * 0)`,
              for: '10m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'Network policy drops into namespace {{ $labels.destination_namespace }} are rising',
                description:
                  '{{ $value | humanize }} packets/s dropped by policy into {{ $labels.destination_namespace }}, more ' +
                  'than twice the rate of the hour before. See which sources: hubble observe --namespace ' +
                  '{{ $labels.destination_namespace }} --verdict DROPPED',
              },
            },
          ],
        },
        {
          name: 'cilium-mesh.hubble',
          rules: [
            {
              alert: 'HubbleRelayDown',
              expr: 'kube_deployment_status_replicas_available{namespace="kube-system", deployment="hubble-relay"} < 1',
              for: '5m',
              labels: { severity: 'warning' },
              annotations: {
                summary: 'Hubble Relay has no available replica',
                description:
                  'hubble observe and the Hubble UI have no cluster-wide flows while kube-system/hubble-relay is down ' +
                  '(from kube-state-metrics).',
              },
            },
          ],
        },
      ],
    },
  };
}
