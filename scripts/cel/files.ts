/**
 * File discovery and parsing shared by CRD loading and object collection. Mirrors how
 * ../shared/tools/validate-manifests.mjs reads its inputs, so that the CEL check sees the same documents:
 * `.yaml`/`.yml`/`.json` files, directories walked in sorted order (hidden folders, node_modules and CDK asset
 * staging folders `asset.<hash>` skipped; asset files `asset.<hash>.json` are read), YAML read with YAML 1.1 rules as
 * kubectl does, JSON arrays and `kind: *List` expanded into their items.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/** A parsed document of a file (YAML files can hold several). */
export interface LoadedDocument {
  readonly doc: unknown;
  /** Position of the document in a multi-document YAML file (0 for JSON). */
  readonly index: number;
}

const DATA_EXT = /\.(ya?ml|json)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git']);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Data files under `p` (sorted), or `p` itself when it is a file. */
export function listFiles(p: string): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) {
    return [p];
  }
  const found: string[] = [];
  for (const name of fs.readdirSync(p).sort()) {
    const full = path.join(p, name);
    const s = fs.statSync(full, { throwIfNoEntry: false });
    if (!s) {
      continue;
    }
    if (s.isDirectory()) {
      if (!SKIP_DIRS.has(name) && !name.startsWith('.') && !name.startsWith('asset.')) {
        found.push(...listFiles(full));
      }
    } else if (DATA_EXT.test(name)) {
      found.push(full);
    }
  }
  return found;
}

/** Parses a JSON or (multi-document) YAML file; throws with a readable message on syntax errors. */
export function loadDocuments(file: string): LoadedDocument[] {
  const text = fs.readFileSync(file, 'utf8');
  if (/\.json$/i.test(file)) {
    try {
      return [{ doc: JSON.parse(text), index: 0 }];
    } catch (e) {
      throw new Error(`JSON parse error in ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  const docs: LoadedDocument[] = [];
  YAML.parseAllDocuments(text, { version: '1.1', merge: true }).forEach((d, index) => {
    if ('errors' in d && d.errors.length > 0) {
      throw new Error(`YAML parse error in ${file} document ${index}: ${d.errors[0].message.split('\n')[0]}`);
    }
    const v: unknown = d.toJS({ maxAliasCount: -1 });
    if (v !== null && v !== undefined) {
      docs.push({ doc: v, index });
    }
  });
  return docs;
}

/** JSON arrays and `kind: List` (any `*List` kind with `items`) expanded into their items, recursively. */
export function expandItems(doc: unknown): unknown[] {
  if (Array.isArray(doc)) {
    return doc.flatMap(expandItems);
  }
  if (isObject(doc) && typeof doc.kind === 'string' && /List$/.test(doc.kind) && Array.isArray(doc.items)) {
    return doc.items.flatMap(expandItems);
  }
  return [doc];
}
