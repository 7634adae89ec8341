'use strict';
/**
 * `node -r ./scripts/ci/transpile-cache.js file.ts`: runs a TypeScript entry point as `ts-node --transpile-only`
 * does (TypeScript's transpileModule with the options of tsconfig.json, no type check: `npm run typecheck` does
 * that), but keeps each transpiled file in a cache outside the repository, keyed by its content, its base name, the
 * TypeScript version, tsconfig.json and this file. CI runs about twenty such processes (one per example in
 * synth:examples, the checks in scripts/ci/), each of which transpiled the library's ~110 files again: about 3 CPU-s
 * a process with ts-node, 0.3 s with the cache warm. TypeScript itself is loaded only on a miss.
 *
 * Stack traces point into the .ts files (inline source maps, Node's own source-map support). The cache is
 * TS_TRANSPILE_CACHE, else ~/.cache/cdk-cilium-mesh/transpile (XDG_CACHE_HOME respected); files are written
 * atomically (a temp file, then rename), so that parallel processes can share it.
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const tsconfigFile = path.join(root, 'tsconfig.json');
const cacheDir =
  process.env.TS_TRANSPILE_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cdk-cilium-mesh', 'transpile');
// Everything a transpiled file depends on besides its own content and name.
const salt = crypto
  .createHash('sha256')
  .update(require('typescript/package.json').version)
  .update('\0')
  .update(fs.readFileSync(tsconfigFile))
  .update('\0')
  .update(fs.readFileSync(__filename))
  .digest('hex');

let compiler;
/** TypeScript and the compiler options of tsconfig.json, on the first miss only. */
function load() {
  if (!compiler) {
    const ts = require('typescript');
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(tsconfigFile, ts.sys.readFile).config, ts.sys, root);
    const options = {
      ...parsed.options,
      declaration: false,
      declarationMap: false,
      noEmit: false,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: false,
      isolatedModules: true,
    };
    compiler = { ts, options };
  }
  return compiler;
}

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(salt).update(path.basename(filename)).update('\0').update(source);
  const file = path.join(cacheDir, `${key.digest('hex')}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // a miss
  }
  const { ts, options } = load();
  // The base name only: the source map then resolves next to the .ts file, and the output does not depend on
  // where the repository is (a fresh clone in a new directory hits the same entries).
  const out = ts.transpileModule(source, { compilerOptions: options, fileName: path.basename(filename) }).outputText;
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, out);
  fs.renameSync(tmp, file);
  return out;
}

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = function loadTs(module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) {
    throw new Error(`transpile-cache: ${filename} is TypeScript inside node_modules; it is not compiled`);
  }
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
