import { brokenLambdaLimits, brokenLimits, templateFacts } from '../../bench/limits';

/** A template with one role, `managed` managed policies on it and an inline policy of `statements` statements. */
function template(managed: number, statements: number) {
  const Resources: Record<string, any> = {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B'] },
    },
    Inline: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: Array.from({ length: statements }, (_, i) => ({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::b/${i}`,
          })),
        },
      },
    },
  };
  for (let i = 0; i < managed - 2; i++) {
    Resources[`Overflow${i}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [] } },
    };
  }
  return { Resources };
}

describe('bench limits: IAM and Lambda', () => {
  test("managed policies per role count the role's ARNs and the managed policies naming it", () => {
    expect(templateFacts(template(10, 1)).maxManagedPoliciesPerRole).toBe(10);
    expect(brokenLimits(templateFacts(template(10, 1)))).toEqual([]);
    expect(brokenLimits(templateFacts(template(11, 1)))).toEqual(['11 managed policies on a role > 10']);
  });

  test("a role's inline policies over 10,240 characters break the limit", () => {
    const small = templateFacts(template(2, 10));
    expect(small.maxRoleInlinePolicyChars).toBeGreaterThan(500);
    expect(brokenLimits(small)).toEqual([]);
    expect(brokenLimits(templateFacts(template(2, 200)))).toEqual(['role inline policies > 10,240 characters']);
  });

  test('Lambda time and memory', () => {
    expect(brokenLambdaLimits({ predictedSeconds: 899, predictedMiB: 2047, memoryMiB: 2048 })).toEqual([]);
    expect(brokenLambdaLimits({ predictedSeconds: 900, predictedMiB: 2048, memoryMiB: 2048 })).toEqual([
      'Lambda time > 15 min',
      'Lambda memory > 2048 MiB',
    ]);
  });
});
