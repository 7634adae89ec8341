/**
 * Runs the cdk-nag AwsSolutions pack and our own pack over an app's construct tree (after synthesis, so that
 * aspects have run) and returns, per stack, every finding: unsuppressed (a violation) or suppressed (acknowledged
 * with `Validations.of(scope).acknowledge`, the only suppression cdk-nag v3 reads).
 */
import { type App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NagRuleCompliance, type IApplyRule } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CdkCiliumMeshChecks } from './cdk-cilium-mesh-checks';

/** One finding of one rule on one resource. */
export interface NagFinding {
  readonly stack: string;
  readonly rule: string;
  readonly path: string;
  /** The acknowledgement's reason, when suppressed. */
  readonly reason?: string;
}

/** The findings of one stack. */
export interface StackFindings {
  readonly stack: string;
  readonly findings: NagFinding[];
}

/** What scripts/nag/register.ts writes for one entry point when its process exits. */
export interface NagResult {
  /** The entry point's exit code: anything but 0 means it did not synthesize. */
  readonly exitCode: number;
  /** Every stack of every App it synthesized. */
  readonly stacks: StackFindings[];
  /** Checks that threw (checkApp's own consistency error among them). */
  readonly errors: string[];
}

/** Every finding a pack raises, before suppressions: wraps the pack's applyRule. */
function recordRaw(pack: NagPack, onFinding: (rule: string, node: CfnResource) => void): void {
  const p = pack as unknown as { applyRule(params: IApplyRule): void; readPackName: string };
  const apply = p.applyRule.bind(pack);
  p.applyRule = (params: IApplyRule) => {
    const ruleId = `${pack.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    let result: ReturnType<IApplyRule['rule']> | undefined;
    let error: unknown;
    try {
      result = params.rule(params.node);
    } catch (e) {
      error = e;
    }
    if (error !== undefined || result === NagRuleCompliance.NON_COMPLIANT) {
      onFinding(ruleId, params.node);
    } else if (Array.isArray(result)) {
      for (const f of result) onFinding(`${ruleId}[${f}]`, params.node);
    }
    apply({
      ...params,
      ruleSuffixOverride: params.ruleSuffixOverride ?? params.rule.name,
      rule: () => {
        if (error !== undefined) throw error;
        return result!;
      },
    });
  };
}

/** The reason of the acknowledgement of `rule` on `node` or its nearest ancestor. */
function acknowledgement(node: IConstruct, rule: string): string | undefined {
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (id.replace(/^annotation::/i, '') === rule) return reason;
      }
    }
  }
  return undefined;
}

export function checkApp(app: App): StackFindings[] {
  const raw: Array<{ rule: string; node: CfnResource }> = [];
  const packs: NagPack[] = [new AwsSolutionsChecks(), new CdkCiliumMeshChecks()];
  const unsuppressed = new Set<string>();
  for (const pack of packs) {
    recordRaw(pack, (rule, node) => raw.push({ rule, node }));
    const report = pack.validateScope(app);
    for (const v of report.violations) {
      for (const r of v.violatingResources) unsuppressed.add(`${v.ruleName} ${r.constructPath}`);
    }
  }
  const byStack = new Map<string, NagFinding[]>();
  for (const stack of app.node.findAll().filter(Stack.isStack)) byStack.set(stack.stackName, []);
  for (const { rule, node } of raw) {
    const stack = Stack.of(node).stackName;
    const path = node.node.path;
    const open = unsuppressed.has(`${rule} ${path}`);
    const reason = open ? undefined : acknowledgement(node, rule);
    if (!open && reason === undefined) {
      throw new Error(
        `nag: ${rule} on ${path} is neither a violation nor acknowledged; the pack's bookkeeping changed`,
      );
    }
    byStack.get(stack)!.push({ stack, rule, path, ...(reason !== undefined ? { reason } : {}) });
  }
  return [...byStack].map(([stack, findings]) => ({ stack, findings }));
}
