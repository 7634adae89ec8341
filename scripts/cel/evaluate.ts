/**
 * Compiles and evaluates one `x-kubernetes-validations` rule with @bufbuild/cel (standard library, the cel-go
 * `strings` extension that Kubernetes enables, RE2 `matches`) plus the Kubernetes extensions of k8s-functions.ts.
 *
 * A rule is:
 * - `transition` when it references `oldSelf` (it needs the stored object; not evaluated);
 * - `unsupported` when it calls a function that neither the library nor k8s-functions.ts implements (found
 *   statically in the parsed expression, so a rule is never half-evaluated), when it does not parse (e.g. optional
 *   syntax `.?`), or when an extension meets an input it does not handle;
 * - otherwise evaluated: `pass` when it returns true; `fail` when it returns false, returns a non-bool or hits a
 *   runtime error (the API server rejects the object in all three cases).
 */
import { celEnv, isCelError, parse, plan, type CelEnv, type CelInput, type CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { ValidationRule } from './crds';
import { kubernetesFunctions, UnsupportedInput } from './k8s-functions';

export type RuleOutcome =
  | { readonly status: 'pass' }
  | { readonly status: 'fail'; readonly message: string }
  | { readonly status: 'transition' }
  | { readonly status: 'unsupported'; readonly what: string };

type Program = (self: unknown) => CelResult;
type Compiled =
  | { readonly kind: 'program'; readonly run: Program }
  | { readonly kind: 'transition' }
  | { readonly kind: 'unsupported'; readonly what: string };

/** The parts of cel.expr.Expr this module walks (the parsed AST is a protobuf message). */
interface ExprNode {
  readonly exprKind: { readonly case?: string; readonly value?: unknown };
}

function isExpr(v: unknown): v is ExprNode {
  return typeof v === 'object' && v !== null && 'exprKind' in v;
}

/** Function names called by an expression (namespaced ones as `ns.fn`) and whether it references `oldSelf`. */
export function analyze(expr: unknown): { calls: Set<string>; oldSelf: boolean } {
  const calls = new Set<string>();
  const bound = new Set<string>(['self', 'oldSelf']);
  let oldSelf = false;
  const visit = (node: unknown): void => {
    if (!isExpr(node)) {
      return;
    }
    const { case: kind, value } = node.exprKind;
    const v = value as Record<string, unknown>;
    if (kind === 'identExpr' && v.name === 'oldSelf') {
      oldSelf = true;
    } else if (kind === 'callExpr') {
      const target = v.target;
      const fn = v.function as string;
      const ns =
        isExpr(target) && target.exprKind.case === 'identExpr'
          ? (target.exprKind.value as { name: string }).name
          : undefined;
      calls.add(ns !== undefined && !bound.has(ns) ? `${ns}.${fn}` : fn);
      visit(target);
      (v.args as unknown[]).forEach(visit);
    } else if (kind === 'comprehensionExpr') {
      [v.iterVar, v.iterVar2, v.accuVar].forEach((n) => typeof n === 'string' && n && bound.add(n));
      [v.iterRange, v.accuInit, v.loopCondition, v.loopStep, v.result].forEach(visit);
    } else if (kind === 'selectExpr') {
      visit(v.operand);
    } else if (kind === 'listExpr') {
      (v.elements as unknown[]).forEach(visit);
    } else if (kind === 'structExpr') {
      (v.entries as { keyKind: { value?: unknown }; value?: unknown }[]).forEach((e) => {
        visit(e.keyKind.value);
        visit(e.value);
      });
    }
  };
  visit((expr as { expr?: unknown }).expr);
  return { calls, oldSelf };
}

function isOperator(name: string): boolean {
  return /^[_@!-]/.test(name) || name.endsWith('_');
}

function unsupportedCause(err: unknown): UnsupportedInput | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof UnsupportedInput) {
      return e;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class RuleEvaluator {
  private readonly env: CelEnv;
  private readonly known: Set<string>;
  private readonly cache = new Map<string, Compiled>();

  public constructor() {
    this.env = celEnv({ funcs: [...strings, ...kubernetesFunctions()] });
    this.known = new Set([...this.env.funcs].map((f) => f.name));
  }

  /** Compiles an expression once; the result is cached by its text. */
  public compile(text: string): Compiled {
    const cached = this.cache.get(text);
    if (cached) {
      return cached;
    }
    let compiled: Compiled;
    try {
      const parsed = parse(text);
      const { calls, oldSelf } = analyze(parsed);
      const missing = [...calls].filter((c) => !isOperator(c) && !this.known.has(c)).sort();
      if (oldSelf) {
        compiled = { kind: 'transition' };
      } else if (missing.length > 0) {
        compiled = { kind: 'unsupported', what: missing.join(', ') };
      } else {
        const program = plan(this.env, parsed);
        compiled = { kind: 'program', run: (self) => program({ self: self as CelInput }) };
      }
    } catch (e) {
      compiled = { kind: 'unsupported', what: `syntax (${(e as Error).message.split('\n')[0]})` };
    }
    this.cache.set(text, compiled);
    return compiled;
  }

  /** Evaluates a rule with `self` bound to a CEL value (see schema.ts toCelValue). */
  public evaluate(rule: ValidationRule, self: unknown): RuleOutcome {
    const compiled = this.compile(rule.rule);
    if (compiled.kind !== 'program') {
      return compiled.kind === 'transition' ? { status: 'transition' } : { status: 'unsupported', what: compiled.what };
    }
    let result: CelResult;
    try {
      result = compiled.run(self);
    } catch (e) {
      result = e as CelResult;
    }
    const unsupported = unsupportedCause(result);
    if (unsupported) {
      return { status: 'unsupported', what: unsupported.functionName };
    }
    if (result === true) {
      return { status: 'pass' };
    }
    if (isCelError(result) || result instanceof Error) {
      return { status: 'fail', message: `evaluation error: ${(result as Error).message} (rule: ${rule.rule})` };
    }
    if (result !== false) {
      return { status: 'fail', message: `rule did not evaluate to a bool (rule: ${rule.rule})` };
    }
    return { status: 'fail', message: this.message(rule, self) };
  }

  /** The API server's message for a failed rule: messageExpression's string, else message, else the rule. */
  private message(rule: ValidationRule, self: unknown): string {
    if (rule.messageExpression) {
      const compiled = this.compile(rule.messageExpression);
      if (compiled.kind === 'program') {
        const m = compiled.run(self);
        if (typeof m === 'string' && m.trim() !== '') {
          return m;
        }
      }
    }
    return rule.message ?? `failed rule: ${rule.rule}`;
  }
}
