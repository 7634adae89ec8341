/**
 * Where the synth time of the realistic mesh goes, for `npm run bench` (run in its own process by bench/run.ts):
 *   ts-node --transpile-only bench/profile.ts <objects>
 * Builds and synthesizes the realistic mesh once at 2,000 objects (JIT warm-up, modules loaded), then once at
 * <objects> under V8's sampling CPU profiler, and attributes every sample to the innermost frame that names a
 * part (construction, the charts' toJson, the batch plan, ...). Prints one JSON line: ms per part.
 * The profiler itself costs some time, so the parts are shares of one profiled run, not the bench's figure.
 */
import * as inspector from 'inspector';
import { cpuMsSince } from './cpu';
import { synthRealisticApp } from './realistic';

/** A part and the frames that start it: `functionName` and a path fragment of its file. */
const PARTS: ReadonlyArray<readonly [string, ReadonlyArray<readonly [RegExp, RegExp]>]> = [
  ['construction through the public API', [[/^realisticMesh$/, /bench\/realistic/]]],
  [
    "the charts' toJson()",
    [
      [/^_synthChart$/, /cdk8s\/lib\/app/],
      [/^(toJson|_deliveryObjects)$/, /lib\/mesh\/service-mesh/],
    ],
  ],
  ['batch plan (canonical JSON, sha256, cuts)', [[/^plan(Filtered)?Batches$/, /lib\/delivery\/plan/]]],
  ['review YAML', [[/^renderReviewManifest$/, /lib\/delivery\/review-manifest/]]],
  ['Mermaid diagram', [[/^(renderMeshDiagram|meshDiagramInput)$/, /lib\/mesh\/review\/diagram/]]],
  [
    'cross-checks and warnings',
    [
      [/^forwardWarnings$/, /lib\/delivery\/mesh-delivery/],
      [/^_crossChecks$/, /lib\/mesh\/service-mesh/],
    ],
  ],
  ['rest of the delivery (namespaces, claims, batch files)', [[/^materialize$/, /lib\/delivery\/mesh-delivery/]]],
  ['rest of the review files', [[/^(files|write)$/, /lib\/delivery\/review-files/]]],
  ['rest of app.synth()', [[/^synth$/, /aws-cdk-lib\/core\/lib\/(app|stage)/]]],
  ['garbage collection', [[/^\(garbage collector\)$/, /^$/]]],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** ms per part of a V8 CPU profile: each sample goes to the innermost frame that starts a part, else `other`. */
function attribute(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): Record<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const part = (id: number): string => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    const own = PARTS.find(([, frames]) => frames.some(([fn, file]) => fn.test(functionName) && file.test(url)));
    const p = parent.get(id);
    const found = own ? own[0] : p === undefined ? 'other' : part(p);
    partOf.set(id, found);
    return found;
  };
  const ms: Record<string, number> = Object.fromEntries([...PARTS.map(([name]) => [name, 0]), ['other', 0]]);
  profile.samples.forEach((id, i) => {
    ms[part(id)] += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return ms;
}

function main(): void {
  const n = Number(process.argv[2] ?? 20000);
  synthRealisticApp(2000);
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const cpu = process.cpuUsage();
  synthRealisticApp(n);
  const cpuMs = cpuMsSince(cpu);
  session.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    process.stdout.write(`${JSON.stringify({ objects: n, cpuMs, parts: attribute(result.profile as any) })}\n`);
  });
}

main();
