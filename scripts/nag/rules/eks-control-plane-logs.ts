import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { templateProperties } from './eks-public-endpoint';

const REQUIRED = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * An EKS cluster sends all five control-plane log types to CloudWatch Logs: AwsSolutions-EKS2 for aws-eks-v2's
 * `AWS::EKS::Cluster`, which cdk-nag's own rule does not recognise (see eks-public-endpoint.ts). One finding per
 * missing type, `LogExport::<type>`, as AwsSolutions-EKS2 reports them.
 */
export function eksControlPlaneLogs(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const logging = templateProperties(node).Logging as
    { ClusterLogging?: { EnabledTypes?: Array<{ Type?: unknown }> } } | undefined;
  const enabled = new Set((logging?.ClusterLogging?.EnabledTypes ?? []).map((t) => t.Type));
  const missing = REQUIRED.filter((t) => !enabled.has(t));
  return missing.length === 0 ? NagRuleCompliance.COMPLIANT : missing.map((t) => `LogExport::${t}`);
}
