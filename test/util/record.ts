/**
 * Tests record what they generate here; `.ci/run` then validates every recorded object against the upstream
 * CRDs and every recorded Helm values object against the upstream chart (../shared/tools/validate-manifests.mjs).
 * Recording is how "everything the tests produce validates" is enforced without a validator inside jest.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * The upstream reference set a recording is validated against: the Cilium release's CRDs and chart plus the
 * Gateway API CRDs its line needs (`cilium-1.20-experimental`: the v1.6.1 experimental channel instead of standard).
 */
export type ValidationTarget = 'cilium-1.20' | 'cilium-1.16' | 'cilium-1.20-experimental';

const ROOT = path.resolve(__dirname, '..', '..', '.validate');

function write(kind: 'manifests' | 'helm', target: ValidationTarget, name: string, data: unknown): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`recording name must be kebab-case, got '${name}'`);
  }
  const dir = path.join(ROOT, kind, target);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
}

/** Records Kubernetes objects (validated against the target's Cilium and Gateway API CRDs). */
export function recordManifests(
  name: string,
  objects: readonly unknown[],
  target: ValidationTarget = 'cilium-1.20',
): void {
  write('manifests', target, name, objects);
}

/** Records Cilium Helm values (validated against the target's chart values.yaml and values.schema.json). */
export function recordHelmValues(name: string, values: unknown, target: ValidationTarget = 'cilium-1.20'): void {
  write('helm', target, name, values);
}
