/**
 * CloudFormation / Lambda limits that decide how Kubernetes objects can be delivered, and how to measure a
 * synthesized template against them.
 */

/** Max template body size when uploaded from S3 (cdk deploy does), bytes. */
export const MAX_TEMPLATE_BYTES = 1_000_000;
/** Max resources per stack. */
export const MAX_RESOURCES = 500;
/**
 * Max size of the request CloudFormation sends to a custom resource's Lambda service token (old and new
 * properties on update). CloudFormation invokes the function asynchronously, so the asynchronous invocation
 * payload limit applies: 256 KB for years (Lambda quotas; still documented on the deprecated InvokeAsync API),
 * raised to 1 MB for Invoke in 2025 ("For larger payloads, for up to 1MB, use Invoke",
 * https://docs.aws.amazon.com/lambda/latest/dg/API_InvokeAsync.html). 256 KB is the conservative bound used
 * here; requests above 1 MB are reported separately. The provider framework then calls the handler
 * synchronously (6 MB). The 4,096-byte limit in the custom resource reference applies to the *response* body.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref.html
 */
export const MAX_CUSTOM_RESOURCE_REQUEST_BYTES = 256 * 1024;
/** The asynchronous invocation payload limit of Lambda's Invoke API since 2025. */
export const MAX_ASYNC_INVOKE_BYTES_2025 = 1024 * 1024;

/** Stand-in length of a resolved intrinsic (ARN, bucket name, endpoint) in a request. */
const INTRINSIC_BYTES = 120;

/** Size of a value as it reaches Lambda: intrinsics counted as `INTRINSIC_BYTES` strings. */
function runtimeSize(value: unknown): number {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return INTRINSIC_BYTES;
    }
    return 2 + keys.reduce((n, k) => n + JSON.stringify(k).length + 1 + runtimeSize((value as any)[k]) + 1, 0);
  }
  if (Array.isArray(value)) {
    return 2 + value.reduce((n: number, v) => n + runtimeSize(v) + 1, 0);
  }
  return JSON.stringify(value).length;
}

/** Managed policies attached to one role: the default quota (IAM quotas page), raisable to 20. */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
/** Aggregate size of a role's inline policies, characters without whitespace. */
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
/** Size of one managed policy document, characters without whitespace. */
export const MAX_MANAGED_POLICY_CHARS = 6_144;
/** Largest response body a custom resource may send back to CloudFormation. */
export const MAX_CUSTOM_RESOURCE_RESPONSE_BYTES = 4_096;
/** Lambda's longest run. */
export const MAX_LAMBDA_SECONDS = 15 * 60;
/** @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const IAM_QUOTAS_REFERENCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html';

/** Facts about one synthesized template. */
export interface TemplateFacts {
  readonly templateBytes: number;
  readonly resources: number;
  readonly customResources: number;
  /** Largest update request to a custom resource: old + new properties + ~1 KB of envelope. */
  readonly largestRequestBytes: number;
  /** Most managed policies on one role (its ManagedPolicyArns and the AWS::IAM::ManagedPolicy resources naming it). */
  readonly maxManagedPoliciesPerRole: number;
  /** Largest aggregate inline policy size of one role (characters, whitespace excluded, intrinsics as 120). */
  readonly maxRoleInlinePolicyChars: number;
  /** Largest managed policy document (same measure). */
  readonly maxManagedPolicyChars: number;
}

/** `{ Ref: id }` or `{ Fn::GetAtt: [id, ...] }` → id. */
function refOf(v: any): string | undefined {
  return v?.Ref ?? (Array.isArray(v?.['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined);
}

/** Policy characters as IAM counts them: no whitespace outside strings (intrinsics as `INTRINSIC_BYTES`). */
function policyChars(doc: unknown): number {
  return runtimeSize(doc);
}

/** IAM facts: managed policies per role and policy sizes. */
function iamFacts(
  template: any,
): Pick<TemplateFacts, 'maxManagedPoliciesPerRole' | 'maxRoleInlinePolicyChars' | 'maxManagedPolicyChars'> {
  const entries = Object.entries<any>(template.Resources ?? {});
  const managed = new Map<string, number>();
  const inline = new Map<string, number>();
  let maxManagedPolicyChars = 0;
  for (const [id, r] of entries) {
    if (r.Type === 'AWS::IAM::Role') {
      managed.set(id, (managed.get(id) ?? 0) + (r.Properties?.ManagedPolicyArns ?? []).length);
      inline.set(
        id,
        (inline.get(id) ?? 0) +
          (r.Properties?.Policies ?? []).reduce((n: number, p: any) => n + policyChars(p.PolicyDocument), 0),
      );
    }
  }
  for (const [, r] of entries) {
    const roles = ((r.Properties?.Roles ?? []) as unknown[]).map(refOf).filter((x): x is string => x !== undefined);
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      maxManagedPolicyChars = Math.max(maxManagedPolicyChars, policyChars(r.Properties.PolicyDocument));
      roles.forEach((role) => managed.set(role, (managed.get(role) ?? 0) + 1));
    } else if (r.Type === 'AWS::IAM::Policy') {
      roles.forEach((role) => inline.set(role, (inline.get(role) ?? 0) + policyChars(r.Properties.PolicyDocument)));
    }
  }
  return {
    maxManagedPoliciesPerRole: Math.max(0, ...managed.values()),
    maxRoleInlinePolicyChars: Math.max(0, ...inline.values()),
    maxManagedPolicyChars,
  };
}

export function templateFacts(template: any): TemplateFacts {
  const resources = Object.values<any>(template.Resources ?? {});
  const custom = resources.filter(
    (r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource',
  );
  const largestProps = custom.reduce((m, r) => Math.max(m, runtimeSize(r.Properties ?? {})), 0);
  return {
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: resources.length,
    customResources: custom.length,
    largestRequestBytes: custom.length ? 2 * largestProps + 1024 : 0,
    ...iamFacts(template),
  };
}

/** Which limits `f` breaks (empty: none). */
export function brokenLimits(f: TemplateFacts): string[] {
  const out: string[] = [];
  if (f.templateBytes >= MAX_TEMPLATE_BYTES) out.push('template > 1 MB');
  if (f.resources >= MAX_RESOURCES) out.push('> 500 resources');
  if (f.largestRequestBytes >= MAX_ASYNC_INVOKE_BYTES_2025) {
    out.push('custom-resource request > 1 MiB');
  } else if (f.largestRequestBytes >= MAX_CUSTOM_RESOURCE_REQUEST_BYTES) {
    out.push('custom-resource request > 256 KiB');
  }
  if (f.maxManagedPoliciesPerRole > MAX_MANAGED_POLICIES_PER_ROLE)
    out.push(`${f.maxManagedPoliciesPerRole} managed policies on a role > 10`);
  if (f.maxRoleInlinePolicyChars > MAX_ROLE_INLINE_POLICY_CHARS) out.push('role inline policies > 10,240 characters');
  if (f.maxManagedPolicyChars > MAX_MANAGED_POLICY_CHARS) out.push('managed policy > 6,144 characters');
  return out;
}

/** Deploy-time facts of a delivery of N objects, extrapolated from `npm run bench:deploy` per-object costs. */
export interface LambdaFacts {
  /** Predicted seconds of the slowest step (create, or delete) for N objects. */
  readonly predictedSeconds: number;
  /** Predicted peak memory of the handler's kubectl for N objects, MiB. */
  readonly predictedMiB: number;
  /** The handler's configured memory, MiB. */
  readonly memoryMiB: number;
}

/** Which Lambda limits a delivery breaks (time: 15 minutes; memory: the handler's configured size). */
export function brokenLambdaLimits(f: LambdaFacts): string[] {
  const out: string[] = [];
  if (f.predictedSeconds >= MAX_LAMBDA_SECONDS) out.push('Lambda time > 15 min');
  if (f.predictedMiB >= f.memoryMiB) out.push(`Lambda memory > ${f.memoryMiB} MiB`);
  return out;
}
