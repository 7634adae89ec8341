/**
 * Kubernetes objects inside CloudFormation templates: the `Manifest` of `Custom::AWSCDK-EKS-KubernetesResource`
 * (a JSON string, or an `Fn::Join` of strings and intrinsics) and the batch assets of our own
 * `Custom::CiliumMeshObjects` resources (`Sources[].Key` names a file asset; CDK stages it as `asset.<Key>` next
 * to the template). Unresolvable intrinsics become placeholders `@@CFNTOKEN<n>@@` so that the rest of the object
 * can still be checked; a rule that fails on a value holding a placeholder is reported as not evaluated.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expandItems, isObject, loadDocuments } from './files';

/** Marks values that CloudFormation resolves only at deploy time. */
export const TOKEN_PLACEHOLDER = /@@CFNTOKEN\d+@@/;

/** The custom resource type of this library's mesh object batches (lib/delivery/provider.ts). */
export const MESH_OBJECTS_TYPE = 'Custom::CiliumMeshObjects';
const KUBERNETES_RESOURCE_TYPE = 'Custom::AWSCDK-EKS-KubernetesResource';

/** An object found in an input, with a label that says where. */
export interface FoundObject {
  readonly where: string;
  readonly obj: unknown;
}

/** Objects of a template, the asset files it referenced and problems (unparsable manifests, missing assets). */
export interface TemplateObjects {
  readonly objects: FoundObject[];
  readonly assetFiles: string[];
  readonly problems: string[];
}

export function isCfnTemplate(doc: unknown): doc is { Resources: Record<string, unknown> } {
  return (
    isObject(doc) &&
    isObject(doc.Resources) &&
    Object.values(doc.Resources).some((r) => isObject(r) && typeof r.Type === 'string')
  );
}

/** Resolves a CloudFormation string expression; intrinsics other than `Fn::Join` become placeholders. */
export function resolveCfnString(v: unknown, counter: { n: number } = { n: 0 }): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v);
  }
  if (isObject(v) && Object.keys(v).length === 1 && Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as unknown[];
    if (typeof sep === 'string' && Array.isArray(parts)) {
      return parts.map((p) => resolveCfnString(p, counter)).join(sep);
    }
  }
  return `@@CFNTOKEN${counter.n++}@@`;
}

/** Quotes placeholders that stand outside JSON strings (numeric or boolean tokens) so that the text parses. */
function quoteBarePlaceholders(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[++i] ?? '';
      } else if (ch === '"') {
        inString = false;
      }
      continue;
    }
    const m = /^@@CFNTOKEN\d+@@/.exec(text.slice(i, i + 40));
    if (m) {
      out += `"${m[0]}"`;
      i += m[0].length - 1;
      continue;
    }
    inString = ch === '"';
    out += ch;
  }
  return out;
}

/** Parses a `Manifest` property value into JSON, with placeholders for unresolved intrinsics. */
export function parseManifest(value: unknown): unknown {
  const text = resolveCfnString(value);
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(quoteBarePlaceholders(text));
  }
}

/** The objects a template deploys: inline manifests and the mesh batch assets found in `dir`. */
export function extractFromTemplate(
  template: { Resources: Record<string, unknown> },
  label: string,
  dir: string,
): TemplateObjects {
  const result: TemplateObjects = { objects: [], assetFiles: [], problems: [] };
  for (const [logicalId, res] of Object.entries(template.Resources)) {
    if (!isObject(res) || !isObject(res.Properties)) {
      continue;
    }
    const props = res.Properties;
    const where = `${label}:${logicalId}`;
    if (res.Type === KUBERNETES_RESOURCE_TYPE && props.Manifest !== undefined) {
      let parsed: unknown;
      try {
        parsed = parseManifest(props.Manifest);
      } catch (e) {
        result.problems.push(`${where}: Manifest is not resolvable to JSON: ${(e as Error).message}`);
        continue;
      }
      expandItems(parsed).forEach((obj, i) => result.objects.push({ where: `${where}[${i}]`, obj }));
    } else if (res.Type === MESH_OBJECTS_TYPE && Array.isArray(props.Sources)) {
      for (const source of props.Sources) {
        // Sources with a Url (the Gateway API CRD release) are not ours; only staged assets are read.
        if (!isObject(source) || typeof source.Key !== 'string') {
          continue;
        }
        const file = path.join(dir, `asset.${source.Key}`);
        if (!fs.existsSync(file)) {
          result.problems.push(
            `${where}: asset ${path.basename(file)} of Sources Key ${source.Key} not found next to the template`,
          );
          continue;
        }
        result.assetFiles.push(file);
        const docs = loadDocuments(file);
        const items = docs.flatMap(({ doc }) => expandItems(doc));
        items.forEach((obj, i) => result.objects.push({ where: `${where} ${path.basename(file)}[${i}]`, obj }));
      }
    }
  }
  return result;
}
