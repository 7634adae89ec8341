/**
 * `npm run bench`: synth time, peak memory and template facts of MeshDelivery against one addManifest per
 * object and one addManifest with everything, for 10..5,000 CiliumNetworkPolicy-sized objects, with the
 * built-in CloudFormation validation of aws-cdk-lib on and off (CDK_VALIDATION). Every measurement runs in a
 * fresh child process (bench/measure.ts); the synth time is the median of BENCH_REPEATS runs (default 3), the
 * memory the maximum. Writes docs/benchmarks.md (and the raw runs to .bench/results.json).
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { brokenLimits, type TemplateFacts } from './limits';
import type { Strategy } from './measure';

interface Run extends TemplateFacts {
  strategy: Strategy;
  n: number;
  synthMs: number;
  peakRssMiB: number;
}

const ROOT = path.resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000,5000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const STRATEGIES: Strategy[] = ['mesh-delivery', 'manifest-per-object', 'one-manifest'];

function measure(strategy: Strategy, n: number, validation: boolean): Run {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, 'measure.ts'), strategy, String(n)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false', TS_NODE_TRANSPILE_ONLY: '1' },
  });
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{"strategy"'));
  if (r.status !== 0 || !line) {
    throw new Error(`measure ${strategy} ${n} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Run;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

function main(): void {
  const started = Date.now();
  const loadBefore = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const rows: string[] = [];
  const raw: Run[] = [];
  for (const n of SIZES) {
    for (const strategy of STRATEGIES) {
      for (const validation of [false, true]) {
        const runs = Array.from({ length: REPEATS }, () => measure(strategy, n, validation));
        raw.push(...runs);
        const r = runs[0];
        const broken = brokenLimits(r);
        const cells = [
          n.toLocaleString('en-US'), strategy, validation ? 'on' : 'off',
          `${(median(runs.map((x) => x.synthMs)) / 1000).toFixed(2)} s`,
          `${Math.max(...runs.map((x) => x.peakRssMiB)).toFixed(0)} MiB`,
          kb(r.templateBytes), String(r.resources), String(r.customResources), kb(r.largestRequestBytes),
          broken.length ? `**breaks: ${broken.join(', ')}**` : 'ok',
        ];
        rows.push(`| ${cells.join(' | ')} |`);
        process.stderr.write(`${rows[rows.length - 1]}\n`);
      }
    }
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const sh = (c: string) => execSync(c, { encoding: 'utf8' }).replace(/\s+$/, '');
  const machine = [
    `- CPU: ${os.cpus()[0]?.model ?? 'unknown'}; \`nproc\`: ${sh('nproc')} (shared with other jobs while measuring)`,
    `- \`free -h\`:\n\n\`\`\`\n${sh('free -h')}\n\`\`\``,
    `- node ${process.version}, aws-cdk-lib ${require('aws-cdk-lib/package.json').version}, ${os.type()} ${os.release()}`,
    `- ${REPEATS} runs per cell, each in a fresh process; total bench time ${minutes} min`,
    `- load average (1/5/15 min) at start ${loadBefore}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} ` +
      '(other jobs shared the machine: absolute times are inflated, compare rows within one run)',
  ].join('\n');
  const doc = fs.readFileSync(path.join(__dirname, 'benchmarks.template.md'), 'utf8')
    .replace('{{MACHINE}}', machine)
    .replace('{{ROWS}}', rows.join('\n'));
  // The deploy-time section belongs to `npm run bench:deploy` (bench/deploy.ts): kept as it is.
  const docPath = path.join(ROOT, 'docs', 'benchmarks.md');
  const deploy = fs.existsSync(docPath) ? /<!-- deploy:start -->[\s\S]*<!-- deploy:end -->/.exec(fs.readFileSync(docPath, 'utf8'))?.[0] : undefined;
  fs.writeFileSync(docPath, deploy ? `${doc.trimEnd()}\n\n${deploy}\n` : doc);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench', 'results.json'), JSON.stringify(raw, null, 2));
  process.stderr.write(`wrote docs/benchmarks.md (${minutes} min)\n`);
}

main();
