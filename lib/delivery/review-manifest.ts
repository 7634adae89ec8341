/**
 * The review manifest: a chart's objects as sorted, readable YAML with a comment header. Knows no mesh: what a chart
 * adds to the header comes from the chart (`ReviewedChart`).
 */
import { sortKeysDeep } from '../private/json';

/** Orders strings by UTF-16 code units: the same everywhere, unlike `localeCompare`, which follows the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** YAML 1.1 words a plain scalar must not be (kubectl reads YAML 1.1: `on`, `yes`, `no` are booleans). */
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~|)$/i;
/** A plain scalar that every YAML reader reads back as the same string. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*( [A-Za-z0-9_./-]+)*$/;

/** Strings written so far (a mesh repeats the same keys and values thousands of times) and how they are written. */
const SCALARS = new Map<string, string>();
/** Strings kept at most; the cache starts over beyond it (a pure function, so only time is lost). */
const SCALARS_KEPT = 100_000;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  const known = SCALARS.get(s);
  if (known !== undefined) return known;
  const written = PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
  if (SCALARS.size >= SCALARS_KEPT) SCALARS.clear();
  SCALARS.set(s, written);
  return written;
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (v === null || typeof v !== 'object') return false;
  // the first own key answers (no array of all keys, as Object.keys would make, for every value written)
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return false;
  return true;
}

/**
 * `s`, with V8 made to copy it into one flat string now (reading a character of a string built by `+=` does), so that
 * the pieces it was built from are garbage while still young. Measured on the review YAML of 20,000 objects: objects
 * kept as built until the whole file was joined cost 6 to 9 µs per object of main-thread GC (~800,000 pieces moved
 * out of the young generation), against 1.5 when flattened here; without this the new writer would be slower than the
 * line arrays it replaces.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** `INDENTS[d]`: the indent of depth `d` (two spaces per level), made once. */
const INDENTS: string[] = [''];
/** `DASHES[d]`: the indent of depth `d` and the dash of a sequence item. */
const DASHES: string[] = ['- '];

function indentOf(depth: number): string {
  while (INDENTS.length <= depth) {
    INDENTS.push(`${INDENTS[INDENTS.length - 1]}  `);
    DASHES.push(`${INDENTS[INDENTS.length - 1]}- `);
  }
  return INDENTS[depth];
}

/** A value written inline: a scalar, or `[]` / `{}` for an empty sequence or mapping. */
function inline(v: unknown): string {
  return isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v);
}

/** Scalars (strings, numbers, booleans) written inline and ended with a newline, as `tail` made them. */
const TAILS = new Map<unknown, string>();

/** `inline(v)` and a newline: the end of a line. Made once per scalar, so a line is two strings joined, not four. */
function tail(v: unknown): string {
  if (v === null || v === undefined) return 'null\n';
  if (typeof v === 'object') return Array.isArray(v) ? '[]\n' : '{}\n'; // empty (the caller writes the others)
  let known = TAILS.get(v);
  if (known === undefined) {
    known = `${scalar(v)}\n`;
    if (TAILS.size >= SCALARS_KEPT) TAILS.clear();
    TAILS.set(v, known);
  }
  return known;
}

/**
 * `out` and the lines of a non-empty sequence or mapping at `depth`, each ending in a newline; the first line starts
 * with `lead` in place of the indent (an item of a sequence: `- key: value` in place of `  key: value`).
 *
 * Why appended to a string: writing each line into an array and joining the lines per object allocated 148 MB for
 * the review YAML of 20,000 objects (line strings, arrays, the per-object joins, an `Object.keys` array per mapping)
 * and took ~13 µs per object; appending (`flat` once per object) allocated 120 MB and took ~11, and with each line
 * made of two cached strings (`keyAt`, `tail`) 98 MB, more than half of it the text (per object, then joined), and
 * ~10. The keys come from `for...in`, which for a plain object (prototype `Object.prototype`, which has no enumerable
 * members, or null) visits its own keys in `Object.keys` order without making an array.
 */
function emit(v: object, depth: number, lead: string, out: string): string {
  const indent = indentOf(depth);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      const dash = i === 0 && lead !== indent ? `${lead}- ` : DASHES[depth];
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        out = emit(item, depth + 1, dash, out);
      } else {
        out += `${dash}${tail(item)}`;
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  const plain = proto === Object.prototype || proto === null;
  const record = v as Record<string, unknown>;
  let first = lead !== indent;
  for (const k in record) {
    if (!plain && !Object.prototype.hasOwnProperty.call(record, k)) continue;
    const x = record[k];
    const key = first ? { nested: `${lead}${scalar(k)}:\n`, leaf: `${lead}${scalar(k)}: ` } : keyAt(depth, k);
    first = false;
    if (x !== null && typeof x === 'object' && !isEmpty(x)) {
      out = emit(x, depth + 1, indentOf(depth + 1), `${out}${key.nested}`);
    } else {
      out += `${key.leaf}${tail(x)}`;
    }
  }
  return out;
}

/** How a line of a mapping starts: before a nested value (`key:` and a newline), and before an inline one (`key: `). */
interface KeyLine {
  readonly nested: string;
  readonly leaf: string;
}

/**
 * `KEYS[d]`: key → how a line of a mapping at depth `d` starts with it. A mesh repeats a few hundred keys at every
 * depth: one lookup in a small map in place of a lookup in `SCALARS` (which holds every value too) and two
 * concatenations (~1 µs per object at 20,000 objects).
 */
const KEYS: Map<string, KeyLine>[] = [];

function keyAt(depth: number, k: string): KeyLine {
  let byKey = KEYS[depth];
  if (byKey === undefined) {
    byKey = new Map();
    KEYS[depth] = byKey;
  }
  let known = byKey.get(k);
  if (known === undefined) {
    const start = `${indentOf(depth)}${scalar(k)}:`;
    known = { nested: `${start}\n`, leaf: `${start} ` };
    if (byKey.size >= SCALARS_KEPT) byKey.clear();
    byKey.set(k, known);
  }
  return known;
}

/**
 * A JSON value as a YAML document (`---` and block YAML): keys in the given order, sequences indented under their key
 * (as kubectl prints them), strings plain when every YAML 1.1 and 1.2 reader reads them back unchanged, else
 * double-quoted. Linear and fast (the mesh of 5,000 objects is written at every synth).
 */
function yamlDocument(value: unknown): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) {
    return `---\n${inline(value)}\n`;
  }
  return flat(emit(value, 0, '---\n', ''));
}

/** The sort key of an object: API group, kind, namespace, name (the identity Kubernetes knows it by). */
export function objectSortKey(o: unknown): string {
  const obj = (o ?? {}) as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } };
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  return `${group}\u0000${obj.kind ?? ''}\u0000${obj.metadata?.namespace ?? ''}\u0000${obj.metadata?.name ?? ''}`;
}

/**
 * The objects with keys sorted (`sortKeysDeep`), ordered by `objectSortKey` and then by their JSON: the order of the
 * review manifest and of the mesh diagram, the same for the same objects in any order. Sorting what this returns
 * again returns it as it is, so the review files sort once and pass the result to both.
 */
export function sortForReview(objects: readonly unknown[]): readonly unknown[] {
  if (inReviewOrder(objects)) {
    return objects;
  }
  const sorted = objects
    .map((o) => {
      const sortedKeys = sortKeysDeep(o);
      return { o: sortedKeys, key: objectSortKey(sortedKeys) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : compareText(JSON.stringify(a.o), JSON.stringify(b.o))))
    .map((x) => x.o);
  REVIEW_ORDERED.add(sorted);
  return sorted;
}

/**
 * Arrays `sortForReview` returned (read, never changed): asked to sort one again, it returns it as it is. The review
 * files sort a chart's objects once and pass them to the YAML and to the chart's diagram; a second sort of 20,000
 * objects, even in order, made a key per object again (~1 µs per object per reader).
 */
const REVIEW_ORDERED = new WeakSet<readonly unknown[]>();

/** True for an array `sortForReview` returned: its objects have sorted keys and are in review order. */
export function inReviewOrder(objects: readonly unknown[]): boolean {
  return REVIEW_ORDERED.has(objects);
}

/** One header line of a review manifest after the stack and the mesh, e.g. `cilium` and the install it names. */
export interface ReviewHeaderLine {
  /** The word before the colon, e.g. `cilium`. */
  readonly key: string;
  /** The text after it. */
  readonly value: string;
}

/** What the header of a review manifest names. */
export interface ReviewManifestHeader {
  /** The CDK stack that delivers the objects (its path), or a description of where the objects go. */
  readonly stack: string;
  /** The chart (its path). */
  readonly mesh: string;
  /**
   * More lines the chart adds (a `ServiceMesh` names the Cilium install it is rendered for).
   * @default - none
   */
  readonly lines?: ReviewHeaderLine[];
}

/**
 * The objects of a chart as one YAML document stream a reviewer can diff: a comment header naming the stack, the
 * chart and what the chart adds (for a mesh, the Cilium install), then every object with keys sorted, objects
 * ordered by group, kind, namespace and name. Pure and byte-stable: the same objects in any order give the same text.
 */
export function renderReviewManifest(objects: readonly unknown[], header: ReviewManifestHeader): string {
  const sorted = sortForReview(objects);
  const lines = [
    '# Generated by cdk-cilium-mesh at synth for review; not applied from here. Do not edit.',
    `# stack:  ${header.stack}`,
    `# mesh:   ${header.mesh} (${sorted.length} object${sorted.length === 1 ? '' : 's'})`,
    ...(header.lines ?? []).map((l) => `# ${`${l.key}:`.padEnd(7)} ${l.value}`),
  ];
  const parts = [`${lines.join('\n')}\n`];
  // Joined in chunks of CHUNK objects, then the chunks: each object's YAML kept until the whole file was joined (~15
  // MB at 20,000 objects) survived the young generation and was copied by the scavenges; joined per chunk, an object's
  // string is garbage while still young, and a chunk above V8's largest regular object (128 KiB) is made in the
  // large-object space, which scavenges do not copy.
  let chunk: string[] = [];
  for (const o of sorted) {
    chunk.push(yamlDocument(o));
    if (chunk.length === CHUNK) {
      parts.push(chunk.join(''));
      chunk = [];
    }
  }
  parts.push(chunk.join(''));
  return parts.join('');
}

/** Objects per chunk of the review YAML: ~190 KB of YAML in the mesh of 20,000 objects of `bench/realistic.ts`. */
const CHUNK = 256;
