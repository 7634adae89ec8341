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

/** Facts about one synthesized template. */
export interface TemplateFacts {
  readonly templateBytes: number;
  readonly resources: number;
  readonly customResources: number;
  /** Largest update request to a custom resource: old + new properties + ~1 KB of envelope. */
  readonly largestRequestBytes: number;
}

export function templateFacts(template: any): TemplateFacts {
  const resources = Object.values<any>(template.Resources ?? {});
  const custom = resources.filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource');
  const largestProps = custom.reduce((m, r) => Math.max(m, runtimeSize(r.Properties ?? {})), 0);
  return {
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: resources.length,
    customResources: custom.length,
    largestRequestBytes: custom.length ? 2 * largestProps + 1024 : 0,
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
  return out;
}
