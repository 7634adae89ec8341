import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/** How long the library keeps the logs of the Lambda functions and flow logs it creates, unless told otherwise. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * Sends a Lambda function that a construct of aws-cdk-lib created (so without a `logGroup` prop of ours) to a log
 * group with `retention`, instead of the `/aws/lambda/<name>` group Lambda would create on first use, which never
 * expires. Sets the function's `LoggingConfig.LogGroup`; its execution role already may write to any group
 * (AWSLambdaBasicExecutionRole). The group is retained with the stack's deletion, like Lambda's own.
 */
export function retainFunctionLogs(fn: lambda.IFunction, retention: logs.RetentionDays): logs.LogGroup {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const group = new logs.LogGroup(fn, 'LogGroup', { retention });
  cfn.loggingConfig = { ...(cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined), logGroup: group.logGroupName };
  return group;
}
