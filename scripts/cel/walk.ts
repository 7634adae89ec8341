/**
 * Walks an object and its schema together and evaluates every `x-kubernetes-validations` rule where the API server
 * would: a rule of a schema node runs with `self` bound to the value at that node, only when the value is present
 * (a rule on an absent optional field is not evaluated); array nodes' own rules get the whole array, `items` rules
 * run per element; `properties` and `additionalProperties` (map values) are descended into.
 */
import { TOKEN_PLACEHOLDER, type FoundObject } from './cfn';
import type { CrdRegistry, K8sSchema, ValidationRule } from './crds';
import type { RuleEvaluator, RuleOutcome } from './evaluate';
import { isObject } from './files';
import { applyDefaults, cloneJson, escapePropertyName, toCelValue } from './schema';

/** An outcome, or `token`: the rule failed on a value holding an unresolved CloudFormation token. */
export type CheckOutcome = RuleOutcome | { readonly status: 'token' };

export interface RuleCheck {
  /** Field path of the node the rule belongs to (`spec.rules[0].matches[1]`), plus the rule's fieldPath. */
  readonly path: string;
  readonly rule: ValidationRule;
  readonly outcome: CheckOutcome;
}

export interface ObjectCheck {
  readonly where: string;
  /** `apiVersion kind namespace/name` */
  readonly object: string;
  readonly checks: RuleCheck[];
}

function containsToken(v: unknown): boolean {
  if (typeof v === 'string') {
    return TOKEN_PLACEHOLDER.test(v);
  }
  if (Array.isArray(v)) {
    return v.some(containsToken);
  }
  return isObject(v) && Object.entries(v).some(([k, x]) => TOKEN_PLACEHOLDER.test(k) || containsToken(x));
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Evaluates the rules of `schema` and its descendants against `value` (a CEL value, see toCelValue). */
export function walk(
  schema: K8sSchema,
  value: unknown,
  path: string,
  evaluator: RuleEvaluator,
  out: RuleCheck[],
): void {
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    let outcome: CheckOutcome = evaluator.evaluate(rule, value);
    if (outcome.status === 'fail' && containsToken(value)) {
      outcome = { status: 'token' };
    }
    out.push({ path: (path || '(root)') + (rule.fieldPath ?? ''), rule, outcome });
  }
  if (Array.isArray(value)) {
    if (schema.items) {
      value.forEach((item, i) => walk(schema.items as K8sSchema, item, `${path}[${i}]`, evaluator, out));
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  const escaped = new Set<string>();
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const name = escapePropertyName(key);
    escaped.add(name);
    if (name in value) {
      walk(prop, value[name], join(path, key), evaluator, out);
    }
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (!escaped.has(key)) {
        walk(schema.additionalProperties, v, `${path}[${key}]`, evaluator, out);
      }
    }
  }
}

export function describeObject(obj: Record<string, unknown>): string {
  const md = isObject(obj.metadata) ? obj.metadata : {};
  const name =
    typeof md.name === 'string' ? md.name : typeof md.generateName === 'string' ? `${md.generateName}*` : '<no name>';
  return `${String(obj.apiVersion)} ${String(obj.kind)} ${typeof md.namespace === 'string' ? md.namespace + '/' : ''}${name}`;
}

/**
 * Checks one object against the CRD of its kind: defaults applied first, as the API server does.
 * Returns undefined when no loaded CRD serves the object's apiVersion and kind (e.g. core kinds).
 */
export function checkObject(
  found: FoundObject,
  registry: CrdRegistry,
  evaluator: RuleEvaluator,
): ObjectCheck | undefined {
  const obj = found.obj as Record<string, unknown>;
  const crd = registry.lookup(String(obj.apiVersion), String(obj.kind));
  if (!crd) {
    return undefined;
  }
  const data = cloneJson(obj);
  applyDefaults(data, crd.schema);
  const checks: RuleCheck[] = [];
  walk(crd.schema, toCelValue(data, crd.schema, true), '', evaluator, checks);
  return { where: found.where, object: describeObject(obj), checks };
}
