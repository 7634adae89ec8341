/**
 * What the API server does to an object before it evaluates CEL rules, and how values look inside CEL:
 *
 * - null-valued fields that are not `nullable` are dropped (or replaced by their default);
 * - structural defaults are applied: every property with a `default` that is absent gets a deep copy of it,
 *   recursively, including inside array items, map values and defaulted values themselves;
 * - in CEL, `type: integer` (and integer `x-kubernetes-int-or-string`) values are `int`, `type: number` values
 *   `double`; property names that are CEL keywords or hold `_ . - /` are escaped (`namespace` → `__namespace__`,
 *   `-` → `__dash__`, ...); map keys (`additionalProperties`) are not; at the root only `metadata.name` and
 *   `metadata.generateName` are visible.
 */
import type { K8sSchema } from './crds';
import { isObject } from './files';

/** Deep copy of JSON data. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function childSchema(schema: K8sSchema | undefined, key: string): K8sSchema | undefined {
  if (!schema) {
    return undefined;
  }
  const prop = schema.properties?.[key];
  if (prop) {
    return prop;
  }
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** Drops non-nullable nulls and applies defaults, in place (as the API server's structural defaulting). */
export function applyDefaults(value: unknown, schema: K8sSchema | undefined): void {
  if (!schema) {
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item) => applyDefaults(item, schema.items));
    return;
  }
  if (!isObject(value)) {
    return;
  }
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default !== undefined && (!(key in value) || (value[key] === null && !prop.nullable))) {
      value[key] = cloneJson(prop.default);
    }
  }
  for (const [key, v] of Object.entries(value)) {
    const s = childSchema(schema, key);
    if (v === null && !s?.nullable) {
      delete value[key];
    } else {
      applyDefaults(v, s);
    }
  }
}

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** The name under which CEL sees a schema property (Kubernetes' property name escaping). */
export function escapePropertyName(name: string): string {
  if (CEL_RESERVED.has(name)) {
    return `__${name}__`;
  }
  return name.replace(/[_.\-/]/g, (c) => ({ _: '__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[c] as string);
}

function toInt(n: number): bigint | number {
  return Number.isSafeInteger(n) ? BigInt(n) : n;
}

/**
 * Converts a (defaulted) JSON value into the CEL input for `self`: ints as bigint, escaped property names.
 * `root` hides metadata fields other than name and generateName, as for rules on the root of a custom resource.
 */
export function toCelValue(value: unknown, schema: K8sSchema | undefined, root = false): unknown {
  if (typeof value === 'number') {
    // `type: number` is double; integer, int-or-string and untyped values (JSON integers decode as int64) are int
    return schema?.type !== 'number' && Number.isInteger(value) ? toInt(value) : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => toCelValue(item, schema?.items));
  }
  if (!isObject(value)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  const props = schema?.properties ?? {};
  const hasProps = Object.keys(props).length > 0;
  for (const [key, v] of Object.entries(value)) {
    if (props[key]) {
      out[escapePropertyName(key)] = toCelValue(v, props[key]);
    } else if (typeof schema?.additionalProperties === 'object') {
      out[key] = toCelValue(v, schema.additionalProperties);
    } else if (
      !hasProps ||
      schema?.['x-kubernetes-preserve-unknown-fields'] ||
      schema?.['x-kubernetes-embedded-resource']
    ) {
      out[key] = toCelValue(v, undefined);
    }
    // else: an unknown field, pruned by the API server before validation (the OpenAPI validator reports it)
  }
  if (root && isObject(value.metadata)) {
    const md = value.metadata;
    out.metadata = Object.fromEntries(
      ['name', 'generateName'].filter((k) => typeof md[k] === 'string').map((k) => [k, md[k]]),
    );
  }
  return out;
}
