import { Token } from 'aws-cdk-lib';
import { RE2JS } from 're2js';
import { MeshValidationError } from './errors';
import type { DerivedCelRule } from '../imports/crd-limits';

const compiled = new Map<string, RE2JS>();
/**
 * RE2 patterns of the CRD limits, compiled once. Asked with `test` (RE2JS's unanchored search without a `Matcher`
 * object), the same answer as `matcher(v).find()`.
 */
function re2(pattern: string): RE2JS {
  let r = compiled.get(pattern);
  if (!r) {
    r = RE2JS.compile(pattern);
    compiled.set(pattern, r);
  }
  return r;
}

/** Kubernetes naming and labelling rules, as the API server applies them (k8s.io/apimachinery validation). */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A DNS-1123 label (namespaces, Service names, port names): at most 63 lower-case alphanumerics or '-'. */
export function validateDnsLabel(what: string, value: string): string {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new MeshValidationError(
      `${what} must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with an ` +
        `alphanumeric), got '${value}'; use a name such as '${suggestDnsName(value, 63)}'`,
    );
  }
  return value;
}

/** A DNS-1123 subdomain (most object names): at most 253 characters, dot-separated labels. */
export function validateDnsSubdomain(what: string, value: string): string {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new MeshValidationError(
      `${what} must be a DNS-1123 subdomain (at most 253 characters of a-z, 0-9, '-' and '.', starting and ending ` +
        `with an alphanumeric), got '${value}'; use a name such as '${suggestDnsName(value, 253)}'`,
    );
  }
  return value;
}

/** A label key: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function validateLabelKey(value: string): string {
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new MeshValidationError(
      `label key must be an optional DNS-1123 prefix and '/' followed by a name of at most 63 characters ` +
        `([A-Za-z0-9], '-', '_', '.', alphanumeric at both ends), got '${value}'; fix the key, e.g. 'app.kubernetes.io/name'`,
    );
  }
  return value;
}

/** A label value: empty, or at most 63 characters of [A-Za-z0-9-_.] with alphanumerics at both ends. */
export function validateLabelValue(key: string, value: string): string {
  if (value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
    throw new MeshValidationError(
      `label value for '${key}' must be at most 63 characters of [A-Za-z0-9], '-', '_', '.' with an alphanumeric ` +
        `at both ends, got '${value}'; shorten or simplify the value`,
    );
  }
  return value;
}

/** Validates every key and value of a label map and returns a copy with sorted keys (deterministic output). */
export function validateLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    validateLabelKey(key);
    out[key] = validateLabelValue(key, labels[key]);
  }
  return out;
}

/** A TCP/UDP/SCTP port number. */
export function validatePort(what: string, port: number): number {
  rejectNumberToken(what, port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MeshValidationError(`${what} must be an integer from 1 to 65535, got ${port}; pass a valid port number`);
  }
  return port;
}

function suggestDnsName(value: string, max: number): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return s || 'my-name';
}

/**
 * CDK tokens in a numeric prop: aws-cdk-lib encodes an unresolved number as a huge negative double (e.g.
 * -1.888e+289), which range checks would report as a confusing value. The values checked here are written into
 * Kubernetes manifests at synth, so a token cannot be resolved in time: say so.
 */
export function rejectNumberToken(what: string, value: number): number {
  if (mayBeNumberToken(value) && Token.isUnresolved(value)) {
    throw new MeshValidationError(
      `${what} is an unresolved CDK token; it is checked and written into a Kubernetes manifest at synth, before ` +
        'CloudFormation resolves tokens, so pass a literal number',
    );
  }
  return value;
}

/** A whole number from `min` to `max` (tokens get their own message). */
export function validateWholeNumber(what: string, value: number, min: number, max: number, fix: string): number {
  rejectNumberToken(what, value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MeshValidationError(`${what} must be a whole number from ${min} to ${max}, got ${value}; ${fix}`);
  }
  return value;
}

/**
 * One of the values of a TypeScript enum (or a closed set). TypeScript callers cannot pass anything else, but
 * JavaScript callers can pass any string (e.g. `'get'` for `HttpMethod.GET`), which the API server would refuse.
 */
export function validateEnum<T extends string | number>(what: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new MeshValidationError(
      `${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${String(value)}'; use the enum's constants`,
    );
  }
  return value;
}

/** Limits of a list field of a CRD schema (generated: lib/imports/crd-limits.ts). */
export interface ItemLimits {
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly maxProperties?: number;
}

/** A list (or map) field's length against its CRD limits. */
export function validateCount(what: string, count: number, limits: ItemLimits, fix: string): void {
  const max = limits.maxItems ?? limits.maxProperties;
  const min = limits.minItems ?? 0;
  if ((max !== undefined && count > max) || count < min) {
    const range = max === undefined ? `at least ${min}` : min > 0 ? `${min} to ${max}` : `at most ${max}`;
    throw new MeshValidationError(`${what}: the CRD allows ${range}, got ${count}; ${fix}`);
  }
}

/** Limits of a string field of a CRD schema (generated: lib/imports/crd-limits.ts). */
export interface StringLimits {
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly patterns?: readonly string[];
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * False for a number that cannot be an aws-cdk-lib number token. aws-cdk-lib encodes a number token as a double whose
 * top 16 bits are 0xFBFF (`DOUBLE_TOKEN_MARKER_BITS`), a magnitude of at least 2^960; anything smaller (every safe
 * integer, every realistic duration) is a plain number, and `Token.isUnresolved` (which decodes the double through a
 * new ArrayBuffer, ~1.5 µs per object at 20,000 objects) need not be asked.
 */
export function mayBeNumberToken(value: number): boolean {
  return !(Math.abs(value) < TOKEN_MAGNITUDE);
}

const TOKEN_MAGNITUDE = 2 ** 960;

/** A string field against its CRD limits: length (in characters, as the API server counts) and patterns. */
export function validateString(what: string, value: string, limits: StringLimits, fix: string): string {
  if (typeof value !== 'string') {
    throw new MeshValidationError(`${what} must be a string, got ${typeof value}; ${fix}`);
  }
  // characters as the API server counts them (code points): the UTF-16 length unless there are surrogates (no array
  // of characters for every string validated)
  const length = SURROGATE.test(value) ? [...value].length : value.length;
  const min = limits.minLength ?? 0;
  const max = limits.maxLength;
  if (length < min || (max !== undefined && length > max)) {
    const range = max === undefined ? `at least ${min}` : `${min} to ${max}`;
    throw new MeshValidationError(
      `${what} must be ${range} characters long, got ${length}${length > 64 ? '' : ` ('${value}')`}; ${fix}`,
    );
  }
  for (const p of limits.patterns ?? []) {
    if (!re2(p).test(value)) {
      throw new MeshValidationError(`${what} must match ${p} (CRD schema), got '${value}'; ${fix}`);
    }
  }
  return value;
}

/** A CRD validation rule in a form that is checked without a CEL engine (generated: lib/imports/crd-limits.ts). */
export type CelRule = DerivedCelRule;

/**
 * Applies the derived CEL rules of a schema object to `object` (its fields by name; `type` selects the rules with a
 * `self.type in [...]` guard). CEL's `matches` is RE2, so it is evaluated with RE2.
 */
export function validateCelRules(
  what: string,
  object: Readonly<Record<string, unknown>>,
  rules: readonly CelRule[],
  fix: string,
): void {
  for (const r of rules) {
    if (r.whenType && !r.whenType.includes(String(object.type))) continue;
    const v = r.field ? object[r.field] : object;
    if (typeof v !== 'string') continue;
    const ok =
      r.check === 'matches'
        ? re2(r.value).test(v)
        : r.check === 'startsWith'
          ? v.startsWith(r.value)
          : r.check === 'notContains'
            ? !v.includes(r.value)
            : !v.endsWith(r.value);
    if (!ok) {
      throw new MeshValidationError(`${what} '${v}': ${r.message} (CRD validation rule); ${fix}`);
    }
  }
}

/**
 * A regular expression that Envoy or Cilium compiles: both use RE2 (Envoy `safe_regex`, Go `regexp` in the agent),
 * so it is compiled with RE2 here. RE2 accepts `(?i)`; it has no lookaround or back-references.
 */
export function validateRe2(what: string, pattern: string, fix: string): string {
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    throw new MeshValidationError(`${what} '${pattern}' is not an RE2 regular expression (${reason}); ${fix}`);
  }
  return pattern;
}
