import { type CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { endpointOpenToWorld } from '../../../lib/cluster/endpoint';

/** The resource's CloudFormation properties as they will be written (PascalCase, tokens resolved). */
export function templateProperties(node: CfnResource): Record<string, unknown> {
  const rendered = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}

/**
 * The public API endpoint of an EKS cluster is not open to 0.0.0.0/0. cdk-nag's AwsSolutions-EKS1 checks
 * `instanceof aws_eks.CfnCluster` (and aws-eks v1's `Custom::AWSCDK-EKS-Cluster`), so it never sees the
 * `AWS::EKS::Cluster` of aws-eks-v2, whose `CfnCluster` is a class of its own (eks.generated.js of aws-eks-v2);
 * this rule matches the resource type instead. A token that hides the answer is a finding (cdk-nag counts a rule
 * that throws as one).
 */
export function eksPublicEndpoint(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::EKS::Cluster') return NagRuleCompliance.NOT_APPLICABLE;
  const cfg = (templateProperties(node).ResourcesVpcConfig ?? {}) as Record<string, unknown>;
  const open = endpointOpenToWorld({
    endpointPublicAccess: cfg.EndpointPublicAccess,
    publicAccessCidrs: cfg.PublicAccessCidrs,
  });
  if (open === undefined) throw new Error('EndpointPublicAccess or PublicAccessCidrs is a token');
  return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
