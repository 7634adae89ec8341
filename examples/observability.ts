/**
 * Observability on aws-cni chaining, with what this datapath delivers: every flow outside kube-system exported to
 * the agents' stdout as JSON (for Fluent Bit → CloudWatch Logs, or Promtail → Loki), dropped flows kept in a file
 * on each node by a dynamic exporter that can be changed without restarting the agents, policy verdict and drop
 * metrics labelled by source and destination namespace and workload, and metrics that a scraper finds through
 * `prometheus.io/*` annotations (no Prometheus Operator, no ServiceMonitor CRDs). Relay and UI stay ClusterIP:
 * `cilium hubble ui` or `kubectl -n kube-system port-forward svc/hubble-ui 12000:80`.
 */
import { App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';
import { FlowEventType, FlowExportTarget, FlowVerdict, HubbleMetric, MeshCluster, type Cilium } from '../lib';

export class ObservabilityStack extends Stack {
  public readonly cilium: Cilium;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const cluster = new MeshCluster(this, 'Cluster', { version: eks.KubernetesVersion.V1_35 });
    this.cilium = cluster.addCilium({
      hubble: {
        relay: true,
        ui: true,
        metrics: [HubbleMetric.flow(), HubbleMetric.tcp(), HubbleMetric.portDistribution()],
        policyVerdictMetrics: true,
        export: {
          static: {
            target: FlowExportTarget.stdout(),
            denyList: [{ sourceNamespaces: ['kube-system'] }, { destinationNamespaces: ['kube-system'] }],
            fieldMask: [
              'time',
              'verdict',
              'drop_reason_desc',
              'source.namespace',
              'source.pod_name',
              'destination.namespace',
              'destination.pod_name',
              'l4',
              'traffic_direction',
              'event_type',
            ],
          },
          dynamic: [
            {
              name: 'drops',
              target: FlowExportTarget.file('/var/run/cilium/hubble/drops.log'),
              allowList: [
                { verdicts: [FlowVerdict.DROPPED], eventTypes: [FlowEventType.DROP, FlowEventType.POLICY_VERDICT] },
              ],
            },
          ],
        },
      },
      // Scrape annotations on the agent and operator pods and the hubble-metrics Service (serviceMonitor stays off).
      prometheus: { agent: true, operator: true },
    });
    // An example: the API endpoint stays open so that kubectl works from your machine. Restrict it on real clusters
    // with endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('<your CIDR>') (README, "Defaults").
    Validations.of(cluster).acknowledge(
      { id: 'cdk-cilium-mesh:publicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
      { id: 'CdkCiliumMesh-EKSPublicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
    );
  }
}

if (require.main === module) {
  new ObservabilityStack(new App(), 'CiliumMeshObservability');
}
