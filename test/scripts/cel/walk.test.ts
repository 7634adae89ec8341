import { CrdRegistry } from '../../../scripts/cel/crds';
import { RuleEvaluator } from '../../../scripts/cel/evaluate';
import { applyDefaults, escapePropertyName, toCelValue } from '../../../scripts/cel/schema';
import { checkObject, type ObjectCheck } from '../../../scripts/cel/walk';
import { crd, widget, WIDGET_ROOT_RULES, WIDGET_SPEC } from './fixtures';

const registry = new CrdRegistry();
registry.addDocument(crd('Widget', WIDGET_SPEC, WIDGET_ROOT_RULES));
const evaluator = new RuleEvaluator();

function check(obj: Record<string, unknown>): ObjectCheck {
  const result = checkObject({ where: 'inline', obj }, registry, evaluator);
  if (!result) {
    throw new Error('expected the Widget CRD to match');
  }
  return result;
}

/** `path: message` of every failed rule. */
function failures(obj: Record<string, unknown>): string[] {
  return check(obj).checks.flatMap((c) => (c.outcome.status === 'fail' ? [`${c.path}: ${c.outcome.message}`] : []));
}

function statuses(obj: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  check(obj).checks.forEach((c) => (out[c.outcome.status] = (out[c.outcome.status] ?? 0) + 1));
  return out;
}

describe('defaulting', () => {
  test('a defaulted field is seen by the rule (kind defaults to Backend, which needs a port)', () => {
    expect(failures(widget('w-a', { targets: [{ name: 'x', port: 80 }, { name: 'y' }] }))).toEqual([
      'spec.targets[1]: a Backend target needs a port',
    ]);
  });

  test('an explicit kind overrides the default', () => {
    expect(failures(widget('w-a', { targets: [{ name: 'y', kind: 'Other' }] }))).toEqual([]);
  });

  test('defaults apply inside array items, recursively, and replace non-nullable nulls', () => {
    const value: Record<string, unknown> = { spec: { targets: [{ name: 'a' }, { name: 'b', kind: null }] } };
    applyDefaults(value, registry.lookup('test.example.com/v1', 'Widget')?.schema);
    expect(value).toEqual({
      spec: {
        targets: [
          { name: 'a', kind: 'Backend' },
          { name: 'b', kind: 'Backend' },
        ],
      },
    });
  });
});

describe('rules', () => {
  test('array-level rules get the whole array, items rules run per element', () => {
    expect(failures(widget('w-a', { ports: [80, 0, 70000] }))).toEqual(['spec.ports: ports must be 1-65535']);
  });

  test('has() on the node, root rules see metadata.name', () => {
    expect(failures(widget('bad', {}))).toEqual([
      "(root): names start with 'w-'",
      'spec: targets or ports must be set',
    ]);
  });

  test('a rule on an absent optional field is not evaluated', () => {
    // spec rules (3) + root rule (1) + ports rule (1); mode/link/labels are absent
    expect(statuses(widget('w-a', { ports: [1] }))).toEqual({ pass: 5 });
  });

  test('messageExpression gives the message of a failed rule', () => {
    expect(failures(widget('w-a', { ports: [1], mode: 'slow' }))).toEqual([
      'spec.mode: mode slow is not one of fast, safe',
    ]);
  });

  test('transition rules (oldSelf) are skipped and counted as such', () => {
    expect(statuses(widget('w-a', { ports: [1], mode: 'fast' }))).toEqual({ pass: 6, transition: 1 });
  });

  test('a rule calling a function no library implements is not evaluated, naming the function', () => {
    const c = check(widget('w-a', { ports: [1], link: 'not a url' })).checks.find((x) => x.path === 'spec.link');
    expect(c?.outcome).toEqual({ status: 'unsupported', what: 'isURL' });
  });

  test('map values (additionalProperties) are checked per key', () => {
    expect(failures(widget('w-a', { ports: [1], labels: { a: 'short', b: 'toolong' } }))).toEqual([
      'spec.labels[b]: label values are at most 5 characters',
    ]);
  });

  test('property names that are CEL keywords are escaped (namespace → __namespace__)', () => {
    expect(escapePropertyName('namespace')).toBe('__namespace__');
    expect(escapePropertyName('a-b.c/d_e')).toBe('a__dash__b__dot__c__slash__d__e');
    expect(failures(widget('w-a', { ports: [1], namespace: 'forbidden' }))).toEqual([
      'spec: namespace must not be forbidden',
    ]);
  });

  test('integers are CEL ints, numbers CEL doubles, whatever the JSON looks like', () => {
    const schema = registry.lookup('test.example.com/v1', 'Widget')?.schema;
    const v = toCelValue({ spec: { ports: [80], weight: 2 } }, schema) as {
      spec: { ports: unknown[]; weight: unknown };
    };
    expect(v.spec.ports).toEqual([80n]);
    expect(v.spec.weight).toBe(2);
    expect(failures(widget('w-a', { ports: [1], weight: 2 }))).toEqual([]);
  });

  test('an object whose kind or version has no served CRD is skipped', () => {
    expect(
      checkObject({ where: 'x', obj: { apiVersion: 'v1', kind: 'Service' } }, registry, evaluator),
    ).toBeUndefined();
    expect(
      checkObject({ where: 'x', obj: { apiVersion: 'test.example.com/v0', kind: 'Widget' } }, registry, evaluator),
    ).toBeUndefined();
  });
});
