/**
 * Evaluates the CEL rules (`x-kubernetes-validations`) of CRD schemas against Kubernetes objects, offline: the
 * check the API server runs at deploy time and ../shared/tools/validate-manifests.mjs does not.
 *
 *   npm run --silent check:cel -- --crds <crd files or dirs>... -- <manifest files or dirs>...
 *
 * Inputs are read like the validator reads them (see objects.ts); objects whose kind has no CRD in --crds are
 * skipped. Prints one line per failed rule and a summary line; exit code 1 when a rule failed or an input could
 * not be read, 2 on usage errors.
 */
import { CrdRegistry } from './crds';
import { RuleEvaluator } from './evaluate';
import { collectObjects } from './objects';
import { checkObject, type ObjectCheck } from './walk';

export interface CelCheckOptions {
  readonly crds: readonly string[];
  readonly inputs: readonly string[];
}

export interface CelCheckReport {
  readonly objects: number;
  readonly evaluated: number;
  readonly failed: number;
  readonly transition: number;
  /** Rules not evaluated, by the unsupported function (or syntax) that stopped them. */
  readonly unsupported: ReadonlyMap<string, number>;
  /** Failed rules whose `self` holds an unresolved CloudFormation token: not counted as failures. */
  readonly tokens: number;
  /** One line per failed rule: where, object, path, message. */
  readonly failures: string[];
  /** Inputs that could not be read. */
  readonly problems: string[];
}

/** Runs the check over the given CRDs and inputs (pure apart from reading files). */
export function runCelCheck(opts: CelCheckOptions): CelCheckReport {
  const registry = new CrdRegistry();
  opts.crds.forEach((p) => registry.addPath(p));
  if (registry.crdCount === 0) {
    throw new Error(`no CustomResourceDefinition found in ${opts.crds.join(', ') || '(no --crds given)'}`);
  }
  const evaluator = new RuleEvaluator();
  const { objects, problems } = collectObjects(opts.inputs);
  const checked: ObjectCheck[] = [];
  for (const found of objects) {
    const result = checkObject(found, registry, evaluator);
    if (result) {
      checked.push(result);
    }
  }
  let evaluated = 0;
  let failed = 0;
  let transition = 0;
  let tokens = 0;
  const unsupported = new Map<string, number>();
  const failures: string[] = [];
  for (const obj of checked) {
    for (const c of obj.checks) {
      switch (c.outcome.status) {
        case 'pass':
          evaluated++;
          break;
        case 'fail':
          evaluated++;
          failed++;
          failures.push(`FAILED  ${obj.where}  ${obj.object}  ${c.path}: ${c.outcome.message}`);
          break;
        case 'transition':
          transition++;
          break;
        case 'unsupported':
          unsupported.set(c.outcome.what, (unsupported.get(c.outcome.what) ?? 0) + 1);
          break;
        case 'token':
          tokens++;
          break;
      }
    }
  }
  return { objects: checked.length, evaluated, failed, transition, unsupported, tokens, failures, problems };
}

/** `cel: <objects> objects, <n> rules evaluated, <f> failed, <s> skipped (transition), <u> not evaluated (...)` */
export function summaryLine(r: CelCheckReport): string {
  const u = [...r.unsupported.values()].reduce((a, n) => a + n, 0);
  const which = [...r.unsupported.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  const tokens = r.tokens > 0 ? `, ${r.tokens} not evaluated (unresolved CloudFormation token)` : '';
  return (
    `cel: ${r.objects} objects, ${r.evaluated} rules evaluated, ${r.failed} failed, ${r.transition} skipped (transition), ` +
    `${u} not evaluated (unsupported: ${which || 'none'})${tokens}`
  );
}

function parseArgs(argv: readonly string[]): CelCheckOptions {
  const crds: string[] = [];
  const inputs: string[] = [];
  let mode: 'none' | 'crds' | 'inputs' = 'none';
  for (const a of argv) {
    if (mode !== 'inputs' && a === '--crds') {
      mode = 'crds';
    } else if (mode !== 'inputs' && a === '--') {
      mode = 'inputs';
    } else if (mode === 'crds') {
      crds.push(a);
    } else if (mode === 'inputs') {
      inputs.push(a);
    } else {
      throw new Error(`unexpected argument '${a}'`);
    }
  }
  if (crds.length === 0 || inputs.length === 0) {
    throw new Error('give CRDs and inputs: --crds <files or dirs>... -- <files or dirs>...');
  }
  return { crds, inputs };
}

function main(argv: readonly string[]): number {
  let opts: CelCheckOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    console.error(`check:cel: ${(e as Error).message}`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const report = runCelCheck(opts);
  report.problems.forEach((p) => console.log(`ERROR   ${p}`));
  report.failures.forEach((f) => console.log(f));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${summaryLine(report)} (${secs.toFixed(2)} s)`);
  return report.failed > 0 || report.problems.length > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
