import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records why cdk-nag findings on `scope` (and on everything under it) are by design, as `{ ruleId: reason }`. A
 * granular finding is named as cdk-nag reports it, e.g. `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`.
 *
 * Written with aws-cdk-lib's `Validations.of(scope).acknowledge`, which stores the `aws:cdk:acknowledged-rules`
 * metadata that cdk-nag v3 reads (NagPack.isAcknowledged walks it up the construct tree), so the library needs no
 * cdk-nag at runtime. cdk-nag v3 no longer reads the v2 `cdk_nag.rules_to_suppress` CloudFormation metadata (it only
 * writes it, with `writeSuppressionsToCloudFormation`); test/private/nag.test.ts checks both facts.
 */
export function acknowledgeNag(scope: IConstruct, rules: { readonly [ruleId: string]: string }): void {
  for (const id of Object.keys(rules).sort()) {
    Validations.of(scope).acknowledge({ id, reason: rules[id] });
  }
}

/** The IAM4 finding id of an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(name: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
}

/**
 * A CloudFormation value as cdk-nag flattens it into a finding id (its `flattenCfnReference`): `Ref` becomes
 * `<Name>`, `Fn::GetAtt` `<Logical.Attribute>`, `Fn::Join` is joined, `${X}` of `Fn::Sub` becomes `<X>`, anything
 * else its JSON.
 */
export function nagFlatten(scope: IConstruct, value: unknown): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (o['Fn::Sub']) return visit(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return visit(o['Fn::ImportValue']);
    if (o.Ref) return `<${visit(o.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
