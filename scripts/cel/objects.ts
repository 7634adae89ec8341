/**
 * Collects the Kubernetes objects of the inputs `.ci/run` validates: recorded manifests (JSON arrays), YAML
 * (multi-document), v1 `List`s (mesh batch assets), and CloudFormation templates (see cfn.ts). A mesh batch asset
 * referenced by a template is read once, labelled with the template resource that deploys it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { extractFromTemplate, isCfnTemplate, type FoundObject } from './cfn';
import { expandItems, isObject, listFiles, loadDocuments, type LoadedDocument } from './files';

export type { FoundObject } from './cfn';

export interface CollectedObjects {
  /** Objects with `apiVersion` and `kind` (other documents, e.g. cdk.out's manifest.json, are not objects). */
  readonly objects: FoundObject[];
  /** Inputs that could not be read or parsed (named explicitly or found in a directory). */
  readonly problems: string[];
}

function isKubernetesObject(v: unknown): boolean {
  return isObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string';
}

/** Collects the objects of the given files and directories, in input order and sorted file order. */
export function collectObjects(inputs: readonly string[], cwd: string = process.cwd()): CollectedObjects {
  const problems: string[] = [];
  const loaded: { file: string; docs: LoadedDocument[] }[] = [];
  for (const input of inputs) {
    const explicit = !fs.statSync(input).isDirectory();
    for (const file of listFiles(input)) {
      try {
        loaded.push({ file, docs: loadDocuments(file) });
      } catch (e) {
        // A JSON/YAML file that does not parse is a problem wherever it was found: it may hold objects.
        problems.push(explicit ? (e as Error).message : `${path.relative(cwd, file) || file}: ${(e as Error).message}`);
      }
    }
  }
  const rel = (f: string) => path.relative(cwd, f) || f;

  // First the templates, which claim the batch assets they deploy.
  const fromTemplates: FoundObject[] = [];
  const claimed = new Set<string>();
  for (const { file, docs } of loaded) {
    for (const { doc } of docs) {
      if (isCfnTemplate(doc)) {
        const r = extractFromTemplate(doc, rel(file), path.dirname(file));
        fromTemplates.push(...r.objects);
        r.assetFiles.forEach((f) => claimed.add(path.resolve(f)));
        problems.push(...r.problems);
      }
    }
  }
  const objects: FoundObject[] = [];
  for (const { file, docs } of loaded) {
    if (claimed.has(path.resolve(file))) {
      continue;
    }
    for (const { doc, index } of docs) {
      if (isCfnTemplate(doc)) {
        continue;
      }
      const label = docs.length > 1 || index > 0 ? `${rel(file)}#${index}` : rel(file);
      const items = expandItems(doc);
      items.forEach((obj, i) =>
        objects.push({ where: items.length > 1 || Array.isArray(doc) ? `${label}[${i}]` : label, obj }),
      );
    }
  }
  objects.push(...fromTemplates);
  return { objects: objects.filter((o) => isKubernetesObject(o.obj)), problems };
}
