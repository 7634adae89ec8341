/**
 * Preloaded (`ts-node -r`) into a CDK entry point: after each App synthesizes (its templates are written by then,
 * so the check cannot change them), runs the AwsSolutions pack and our own rules over its construct tree, and when
 * the process exits writes a `NagResult` to $NAG_RESULT. Used by scripts/nag/run.ts, and by
 * scripts/synth-examples.ts (`--nag`), whose single synthesis of each example then serves the validators, the
 * live-cluster suite and cdk-nag alike.
 */
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { checkApp, type NagResult, type StackFindings } from './check';

const out = process.env.NAG_RESULT;
if (!out) {
  throw new Error('scripts/nag/register.ts needs NAG_RESULT (run it through scripts/nag/run.ts)');
}
const stacks: StackFindings[] = [];
const errors: string[] = [];
const synth = App.prototype.synth;
const checked = new WeakSet<App>();
App.prototype.synth = function patchedSynth(this: App, ...args: Parameters<App['synth']>) {
  const assembly = synth.apply(this, args);
  if (!checked.has(this)) {
    checked.add(this);
    try {
      stacks.push(...checkApp(this));
    } catch (e) {
      // Reported by run.ts (which then fails); the synthesis itself stands.
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  return assembly;
};
// Written on exit, also when no App synthesized (a cdk8s-only example: no stacks) or the entry point failed (its
// exit code says so): every entry point checked leaves a result that says what happened.
process.on('exit', (exitCode) => {
  const result: NagResult = { exitCode, stacks, errors };
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
});
