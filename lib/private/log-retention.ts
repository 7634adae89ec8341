import { CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/** How long the library keeps the logs of the Lambda functions and flow logs it creates, unless told otherwise. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * Sends a Lambda function that a construct of aws-cdk-lib created (so without a `logGroup` prop of ours) to a log
 * group with `retention`, instead of the `/aws/lambda/<name>` group Lambda would create on first use, which never
 * expires. Sets the function's `LoggingConfig.LogGroup`; its execution role already may write to any group
 * (AWSLambdaBasicExecutionRole). The group is retained with the stack's deletion, like Lambda's own. Once per
 * function (shared singletons are visited by every cluster of a stack); anything but a Lambda function is left alone.
 */
export function retainFunctionLogs(fn: IConstruct, retention: logs.RetentionDays): void {
  const cfn = fn.node.defaultChild;
  const isFunction = cfn instanceof CfnResource && cfn.cfnResourceType === 'AWS::Lambda::Function';
  if (!isFunction || fn.node.tryFindChild('LogGroup')) return;
  const group = new logs.LogGroup(fn, 'LogGroup', { retention });
  if (cfn instanceof lambda.CfnFunction) {
    cfn.loggingConfig = {
      ...(cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined),
      logGroup: group.logGroupName,
    };
  } else {
    cfn.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
}
