"""The Python twin of examples/quickstart.ts: an EKS cluster with the Amazon VPC CNI and Cilium chained on top
of it (aws-cni chaining), with Hubble's L3/L4 metrics, policy verdicts and Prometheus metrics.

Synthesized in CI by scripts/ci/60-python.sh with the package jsii-pacmak builds, and compared with the TypeScript
quickstart's output.
"""

from aws_cdk import App, Stack
from aws_cdk import aws_eks_v2 as eks
from cdk_cilium_mesh import CiliumVersion, HubbleMetric, HubbleOptions, MeshCluster, PrometheusOptions
from constructs import Construct


class QuickstartStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.cluster = MeshCluster(self, "Cluster", version=eks.KubernetesVersion.V1_35)
        self.cluster.add_cilium(
            version=CiliumVersion.V1_20,
            # L3/L4 metrics only: httpV2 and dns come from L7 flows, which aws-cni chaining does not produce.
            hubble=HubbleOptions(
                relay=True, metrics=[HubbleMetric.flow(), HubbleMetric.tcp()], policy_verdict_metrics=True
            ),
            prometheus=PrometheusOptions(agent=True, operator=True),
        )


if __name__ == "__main__":
    app = App()
    QuickstartStack(app, "CiliumMeshQuickstart")
    app.synth()
