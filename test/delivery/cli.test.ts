import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { main, summaryLine } from '../../lib/delivery/cli/deliver';

/** The command line, offline: what it refuses before it reaches a cluster (the rest: test/live/delivery). */
function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe('cdk-cilium-mesh', () => {
  test('usage errors exit 2 with one line', () => {
    expect(cli('deploy', 'cdk.out')).toEqual({
      code: 2,
      out: [],
      err: [expect.stringMatching(/^unknown command deploy; usage: cdk-cilium-mesh deliver <cdk.out dir>/)],
    });
    expect(cli('deliver')).toEqual({
      code: 2,
      out: [],
      err: [expect.stringMatching(/^deliver: error: pass one cdk.out directory/)],
    });
    expect(cli('deliver', 'a', '--context')).toEqual({
      code: 2,
      out: [],
      err: [expect.stringMatching(/^deliver: error: --context needs a value/)],
    });
    expect(cli('deliver', 'a', '--force')).toEqual({
      code: 2,
      out: [],
      err: [expect.stringMatching(/^deliver: error: unknown option --force/)],
    });
  });

  test('an assembly without meshes is one line and exit 1', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const app = new cdk.App({ outdir });
    new cdk.CfnResource(new cdk.Stack(app, 'Empty'), 'Topic', { type: 'AWS::SNS::Topic' });
    app.synth();
    const r = cli('deliver', outdir);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `deliver: error: no meshes in ${outdir}: no stack delivers a mesh; deliver one with cilium.addMesh(mesh) or new MeshDelivery(...) and synthesize again`,
    ]);
    expect(cli('deliver', path.join(outdir, 'missing')).err[0]).toMatch(
      /is not a cloud assembly \(no manifest.json\); run cdk synth/,
    );
  });

  test('the summary line', () => {
    expect(summaryLine({ Created: 1, Updated: 2, Pruned: 3, Unchanged: 4, DriftCorrected: 5 })).toBe(
      'deliver: 1 created, 2 updated, 3 pruned, 4 unchanged, 5 drift corrected',
    );
  });
});
