import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * One scratch directory per `jest` run, set as TMPDIR before the workers start (they and every process they spawn
 * inherit it) and removed when the run ends.
 *
 * `new App()` without an outdir synthesizes into a fresh `cdk.out*` directory under the temp dir, cdk8s
 * `Testing.app()` creates one too, and the Python handler tests create theirs; nothing removes them. Left behind,
 * one run wrote ~12 GB and a CI machine with little free disk failed with ENOSPC. This has to happen here: inside a
 * test file, `process.env` is jest's copy, while `os.tmpdir()` reads the worker's real environment.
 */
const KEY = 'CDK_CILIUM_MESH_TEST_SCRATCH';

export default function setup(): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cilium-mesh-test-'));
  process.env[KEY] = scratch;
  process.env.TMPDIR = scratch;
}

export function teardown(): void {
  const scratch = process.env[KEY];
  if (scratch) {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
