/**
 * Preloaded (`ts-node -r`) into each CDK entry point by scripts/nag/run.ts: after the app synthesizes, runs the
 * AwsSolutions pack and our own rules over its construct tree and writes the findings to $NAG_RESULT.
 */
import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { checkApp } from './check';

const out = process.env.NAG_RESULT;
if (!out) {
  throw new Error('scripts/nag/register.ts needs NAG_RESULT (run it through scripts/nag/run.ts)');
}
const synth = App.prototype.synth;
const checked = new WeakSet<App>();
App.prototype.synth = function patchedSynth(this: App, ...args: Parameters<App['synth']>) {
  const assembly = synth.apply(this, args);
  if (!checked.has(this)) {
    checked.add(this);
    const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : [];
    fs.writeFileSync(out, JSON.stringify([...previous, ...checkApp(this)], null, 2));
  }
  return assembly;
};
