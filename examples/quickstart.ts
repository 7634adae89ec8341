/**
 * The main job: an EKS cluster with the Amazon VPC CNI and Cilium chained on top of it (aws-cni chaining),
 * with the Hubble and Prometheus metrics this datapath delivers (L3/L4 flows, policy verdicts and drops).
 * This is the app `npx cdk synth` synthesizes (see bin/app.ts).
 */
import { App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type { Construct } from 'constructs';
import { CiliumVersion, HubbleMetric, MeshCluster } from '../lib';

export class QuickstartStack extends Stack {
  public readonly cluster: MeshCluster;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.cluster = new MeshCluster(this, 'Cluster', { version: eks.KubernetesVersion.V1_35 });
    this.cluster.addCilium({
      version: CiliumVersion.V1_20,
      // L3/L4 metrics only: httpV2 and dns come from L7 flows, which aws-cni chaining does not produce.
      hubble: { relay: true, metrics: [HubbleMetric.flow(), HubbleMetric.tcp()], policyVerdictMetrics: true },
      prometheus: { agent: true, operator: true },
    });
    // An example: the API endpoint stays open so that kubectl works from your machine. Restrict it on real clusters
    // with endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom('<your CIDR>') (README, "Defaults").
    Validations.of(this.cluster).acknowledge(
      { id: 'cdk-cilium-mesh:publicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
      { id: 'CdkCiliumMesh-EKSPublicEndpoint', reason: 'example cluster, reached with kubectl from anywhere' },
    );
  }
}

if (require.main === module) {
  new QuickstartStack(new App(), 'CiliumMeshQuickstart');
}
