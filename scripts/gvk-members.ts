/**
 * The objects every generated class (lib/imports/*.ts) builds from its GVK, with `apiVersion` and `kind` written as
 * members instead of spread. scripts/import-crds.ts applies it to what `cdk8s import` writes.
 */

/**
 * How cdk8s import starts the object of a class's constructor, `manifest()` and `toJson()`: the class's GVK spread,
 * then the props (or their mapping) spread.
 */
const GVK_SPREAD = /\n( +)\.\.\.(\w+)\.GVK,\n/g;

/**
 * The generated source with `...X.GVK,` written as `apiVersion: X.GVK.apiVersion, kind: X.GVK.kind,` (a GVK has
 * exactly those two members, so the object has the same keys in the same order).
 *
 * Why: on Node 20 (V8 11.3) an object made by a spread gets a hidden class of its own once more keys are added to it
 * (`{ ...a, ...b }`, `{ ...a, k: v }`, or `o.k = v` later): each HTTPRoute and CiliumEnvoyConfig `manifest()`
 * returned, and each body made for one, had its own, so the code reading them (the renderer, the batch plan, the
 * review YAML) saw thousands of shapes. Members first and one spread after them share one hidden class.
 * test/scripts/gvk-members.test.ts checks the objects against the spread form for every generated class. Throws if
 * cdk8s import no longer writes three such spreads per class.
 */
export function gvkMembers(source: string): string {
  const classes = source.split('\n  public static readonly GVK: GroupVersionKind = {\n').length - 1;
  let spreads = 0;
  const out = source.replace(GVK_SPREAD, (_match, indent: string, cls: string) => {
    spreads++;
    return `\n${indent}apiVersion: ${cls}.GVK.apiVersion,\n${indent}kind: ${cls}.GVK.kind,\n`;
  });
  if (spreads !== 3 * classes) {
    throw new Error(
      `cdk8s import wrote ${classes} classes but ${spreads} GVK spreads (3 per class expected); update import-crds.ts`,
    );
  }
  return out;
}
