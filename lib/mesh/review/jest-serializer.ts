/**
 * A jest snapshot serializer for CDK stacks and CloudFormation templates that keeps snapshots about the mesh:
 * asset hashes and the S3 keys derived from them are masked and the CDK metadata resource (which encodes the
 * library versions) is dropped, so a dependency bump does not churn snapshots; a stack's snapshot also carries
 * the readable YAML of every mesh it delivers, so a policy change does (the template itself only holds hashes of
 * the objects: aws/aws-cdk#13468).
 *
 * ```js
 * // jest.config.js
 * module.exports = { snapshotSerializers: ['cdk-cilium-mesh/jest-serializer'] };
 * // a test
 * expect(new ZeroTrustStack(new App(), 'ZeroTrust')).toMatchSnapshot();
 * ```
 *
 * A separate entry point (`cdk-cilium-mesh/jest-serializer`), so the library's main entry loads nothing for tests.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MeshReviewFiles } from '../../delivery/review-files';

/** What replaces an asset hash. */
export const MASKED_HASH = '[asset hash]';

const HASH = /[0-9a-f]{64}/g;
const produced = new WeakSet<object>();

/** A copy of a template with asset hashes masked and the `CDKMetadata` resource and its condition removed. */
export function maskTemplate(template: unknown): unknown {
  const mask = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(HASH, MASKED_HASH);
    if (Array.isArray(v)) return v.map(mask);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k.replace(HASH, MASKED_HASH)] = mask(x);
      return out;
    }
    return v;
  };
  const out = mask(template) as { Resources?: Record<string, { Type?: string }>; Conditions?: Record<string, unknown> };
  for (const [id, r] of Object.entries(out.Resources ?? {})) {
    if (r?.Type === 'AWS::CDK::Metadata') delete out.Resources![id];
  }
  if (out.Conditions) {
    delete out.Conditions.CDKMetadataAvailable;
    if (Object.keys(out.Conditions).length === 0) delete out.Conditions;
  }
  produced.add(out);
  return out;
}

function isTemplate(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !produced.has(v) &&
    typeof (v as { Resources?: unknown }).Resources === 'object'
  );
}

/** A stack as its snapshot shows it: the masked template and the review YAML of each mesh it delivers. */
export function stackSnapshot(stack: Stack): { template: unknown; meshes: Record<string, string> } {
  // the template first: synthesis runs the deliveries' aspects, which read the charts once for both
  const template = maskTemplate(Template.fromStack(stack).toJSON());
  const meshes: Record<string, string> = {};
  for (const f of MeshReviewFiles.filesOf(stack).filter((x) => x.fileName.endsWith('.yaml'))) {
    meshes[f.fileName] = f.content;
  }
  const out = { template, meshes };
  produced.add(out);
  return out;
}

/** jest's `test`: stacks and CloudFormation templates (objects with `Resources`) not already masked. */
export function test(value: unknown): boolean {
  return Stack.isStack(value) || isTemplate(value);
}

/** jest's `serialize`: prints the masked value with jest's own printer. */
export function serialize<C, R>(
  value: unknown,
  config: C,
  indentation: string,
  depth: number,
  refs: R,
  printer: (v: unknown, c: C, i: string, d: number, r: R) => string,
): string {
  const masked = Stack.isStack(value) ? stackSnapshot(value) : maskTemplate(value);
  return printer(masked, config, indentation, depth, refs);
}

/** The serializer as one object, for `expect.addSnapshotSerializer(meshSnapshotSerializer)`. */
export const meshSnapshotSerializer = { test, serialize };
