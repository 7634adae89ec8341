/**
 * Delivery at 5,000 objects on the local API server: the ApplySet engine (what the handler and the CLI run) against
 * a Helm 4 release of the same objects. Run once or twice by hand, figures go to docs/delivery.md:
 *   npx ts-node --transpile-only test/live/delivery/bench.ts [N]   (starts and stops its own API server)
 * Not a test: it prints one JSON line per step (seconds, counts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { syntheticPolicy } from '../../../bench/synthetic';
import {
  deliverAssembly,
  installCrds,
  k,
  KUBECONFIG,
  remove,
  startDeliveryServer,
  stopDeliveryServer,
  synth,
} from './util';

const N = Number(process.argv[2] ?? 5000);
const HELM = path.join(process.env.KUBE_TOOLS_DIR ?? '', 'helm', 'helm');

function time<T>(step: string, fn: () => T): T {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;

  console.log(JSON.stringify({ step, seconds: Math.round(s * 10) / 10, result: r }));
  return r;
}

function helm(...args: string[]): string {
  const r = spawnSync(HELM, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim().split('\n').slice(-1)[0];
}

startDeliveryServer();
installCrds();
try {
  const policies = Array.from({ length: N }, (_, i) => syntheticPolicy(i) as unknown as Record<string, unknown>);
  const assembly = time('synth', () => synth(policies));
  time('applyset: first deploy', () => deliverAssembly(assembly));
  time('applyset: deploy, nothing changed', () => deliverAssembly(assembly));
  k('delete', 'cnp', '-n', 'team-00', '--all');
  time('applyset: deploy after deleting 125 objects by hand', () => deliverAssembly(assembly));
  time('applyset: dry run', () => {
    const c = deliverAssembly(assembly, { dryRun: true });
    return { ...c, Names: undefined };
  });
  time('applyset: delete', () => remove(assembly, { timeoutSeconds: 840 }));

  // Helm 4 (server-side apply by default): the same objects in one chart, release in kube-system
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chart-'));
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: mesh\nversion: 0.1.0\n');
  const namespaces = [...new Set(policies.map((p) => (p.metadata as { namespace: string }).namespace))];
  const objects = [
    ...namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...policies,
  ];
  fs.writeFileSync(
    path.join(chart, 'templates', 'objects.yaml'),
    objects.map((o) => JSON.stringify(o)).join('\n---\n'),
  );
  time('helm: install', () => helm('install', 'mesh', chart, '-n', 'kube-system'));
  time('helm: upgrade, nothing changed', () => helm('upgrade', 'mesh', chart, '-n', 'kube-system'));
  k('delete', 'cnp', '-n', 'team-00', '--all');
  time('helm: upgrade after deleting 125 objects by hand', () => {
    helm('upgrade', 'mesh', chart, '-n', 'kube-system');
    return { restored: k('get', 'cnp', '-n', 'team-00', '-o', 'name').split('\n').filter(Boolean).length };
  });
  time(
    'helm: release secret bytes',
    () => k('get', 'secrets', '-n', 'kube-system', '-l', 'owner=helm', '-o', 'json').length,
  );
  time('helm: uninstall', () => helm('uninstall', 'mesh', '-n', 'kube-system', '--wait'));
} finally {
  stopDeliveryServer();
}
