import { Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { retainFunctionLogs } from '../private/log-retention';
import { acknowledgeNag, managedPolicyFinding, nagFlatten } from '../private/nag';

/**
 * The secure defaults of an aws-eks-v2 kubectl provider, for the one `MeshCluster` creates and the one an imported
 * cluster gets (`MeshCluster.fromClusterAttributes`): its handler and provider-framework functions log to groups kept
 * for `retention`, and the cdk-nag (AwsSolutions) findings on what aws-eks-v2 creates for it, each by design, are
 * acknowledged next to the constructs. `handlerRole` is the role the handler runs as when it is ours (the imported
 * cluster's), so that the findings on it are acknowledged where cdk-nag reports them.
 */
export function applyKubectlProviderDefaults(
  scope: IConstruct,
  provider: eks.IKubectlProvider | undefined,
  retention: logs.RetentionDays,
  handlerRole?: IConstruct,
): void {
  const handler = provider?.node.tryFindChild('Handler') as lambda.Function | undefined;
  if (!provider || !handler) return;
  const onEvent = provider.node.tryFindChild('Provider')?.node.tryFindChild('framework-onEvent');
  for (const fn of [handler, onEvent]) {
    if (fn) retainFunctionLogs(fn, retention);
  }
  const lambdaRoles = {
    [managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole')]:
      'CloudWatch Logs for the function (aws-eks-v2 / the provider framework attach it; not configurable)',
    [managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')]:
      'ENIs of a function in the VPC, which reaches the private endpoint (aws-eks-v2 attaches it; not configurable)',
  };
  // aws-eks-v2 adds the ECR Public policy under a condition (partitions without ECR Public), created next to the role
  // it attaches it to: under the handler when it makes the role, beside our role when we pass one.
  const ecrPublic = [handler, handler.node.scope, provider.node.scope, handlerRole?.node.scope]
    .map((c) => c?.node.tryFindChild('HasEcrPublic'))
    .find((c) => c !== undefined);
  const handlerFindings = {
    ...lambdaRoles,
    [managedPolicyFinding('AmazonEC2ContainerRegistryReadOnly')]:
      "aws-eks-v2's kubectl handler pulls OCI Helm charts from ECR with it (read-only; not configurable)",
    ...(ecrPublic
      ? {
          [`AwsSolutions-IAM4[Policy::${nagFlatten(scope, {
            'Fn::If': [
              (ecrPublic as unknown as { logicalId: string }).logicalId,
              `arn:${Stack.of(scope).partition}:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly`,
              { Ref: 'AWS::NoValue' },
            ],
          })}]`]:
            "aws-eks-v2's kubectl handler pulls OCI Helm charts from ECR Public with it (read-only; not configurable)",
        }
      : {}),
    'AwsSolutions-L1':
      "aws-eks-v2 picks the kubectl handler's Python runtime (Runtime.determineLatestPythonRuntime); not configurable",
  };
  acknowledgeNag(handler, handlerFindings);
  if (handlerRole) acknowledgeNag(handlerRole, handlerFindings);
  if (onEvent) {
    acknowledgeNag(onEvent, {
      ...lambdaRoles,
      [`AwsSolutions-IAM5[Resource::${nagFlatten(scope, handler.functionArn)}:*]`]:
        'the provider framework invokes the kubectl handler, any of its versions (lambda:InvokeFunction on <arn>:*)',
    });
  }
}
