/**
 * The realistic mesh's marginal synth cost at steady state, for `npm run bench` (run in its own process by
 * bench/run.ts, with `--expose-gc`):
 *   node --expose-gc bench/warm.ts <small> <large> <pairs>
 * A fresh process's cost between two sizes also holds one-time work the larger run does and the smaller does not: V8
 * compiles a function with its optimizing compiler once it is hot, and at 20,000 objects far more of the code gets hot
 * than at 1,000 (~600 against ~170 KB of optimized code, `node --prof`). Here one synthesis at <large> objects
 * compiles it all first; then <pairs> pairs of syntheses (small, large) run, each after a full garbage collection, so
 * that each pays only for its own garbage. Prints one JSON line per synthesis: objects, wall (`synthMs`, as
 * bench/measure.ts names it), CPU and main-thread CPU.
 */
import { cpuMsSince, mainThreadCpuMs } from './cpu';
import { synthRealisticApp } from './realistic';

function measured(requested: number): void {
  (globalThis as { gc?: () => void }).gc!();
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const objects = synthRealisticApp(requested);
  const synthMs = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(
    `${JSON.stringify({ objects, synthMs, cpuMs: cpuMsSince(cpu), mainThreadMs: mainThreadCpuMs() - main })}\n`,
  );
}

function main(): void {
  const [small, large, pairs] = process.argv.slice(2).map(Number);
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    throw new Error('run with node --expose-gc');
  }
  synthRealisticApp(large);
  synthRealisticApp(small);
  for (let i = 0; i < pairs; i++) {
    measured(small);
    measured(large);
  }
}

main();
