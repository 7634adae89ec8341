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

/** Lines of a value at `indent` (for objects and arrays; the caller writes scalars inline). */
function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        // the item's first line carries the dash: `- key: value` in place of `  key: value`
        const first = out.length;
        emit(item, `${indent}  `, out);
        out[first] = `${indent}- ${out[first].slice(indent.length + 2)}`;
      } else {
        out.push(`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      }
    }
    return;
  }
  const record = v as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const x = record[k];
    if (x !== null && typeof x === 'object' && !isEmpty(x)) {
      out.push(`${indent}${scalar(k)}:`);
      emit(x, `${indent}  `, out);
    } else {
      out.push(`${indent}${scalar(k)}: ${isEmpty(x) ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}`);
    }
  }
}

/**
 * A JSON value as block YAML: keys in the given order, sequences indented under their key (as kubectl prints them),
 * strings plain when every YAML 1.1 and 1.2 reader reads them back unchanged, else double-quoted. Linear and fast
 * (the mesh of 5,000 objects is written at every synth).
 */
export function toYaml(value: unknown): string {
  if (value === null || typeof value !== 'object' || isEmpty(value)) {
    return `${isEmpty(value) ? (Array.isArray(value) ? '[]' : '{}') : scalar(value)}\n`;
  }
  const out: string[] = [];
  emit(value, '', out);
  return `${out.join('\n')}\n`;
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
  const body = sorted.map((o) => `---\n${toYaml(o)}`).join('');
  return `${lines.join('\n')}\n${body}`;
}
