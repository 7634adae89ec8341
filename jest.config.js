const os = require('os');
const path = require('path');

// aws-cdk-lib's built-in CloudFormation template validation (a WebAssembly module, compiled afresh in every test
// file's module registry) is off in unit tests: it was 70% of the CPU time of a file that synthesizes clusters
// (cluster/mesh-cluster + cilium/cilium: 17.5 CPU-s with it, 4.5 without). It cannot fail a test here: without the
// `@aws-cdk/core:validateAgainstDefaultRules` or `@aws-cdk/core:strictCfnValidateErrors` context (no test sets
// them) its errors are reported as warnings and synthesis succeeds. Templates are still checked where users meet it:
// `npm run synth:examples` synthesizes every example with it on (its report is in each assembly's
// validation-report.json), and `.ci/run` runs cfn-lint over those templates (scripts/ci/20-cfn-lint.sh).
// A test that wants it sets CDK_VALIDATION itself.
process.env.CDK_VALIDATION ??= 'false';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run typecheck`; ts-jest only transpiles, which keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  testTimeout: 120000,
  // Outside the temp dir, which `.ci/run` and test/setup replace on every run: ts-jest's transpiled files and the
  // per-file durations jest schedules by (slowest first) are kept from one run to the next.
  cacheDirectory: process.env.JEST_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cdk-cilium-mesh', 'jest'),
  // One TMPDIR per run, removed at its end; unit tests skip asset copies. See test/setup/.
  globalSetup: '<rootDir>/test/setup/global-scratch.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-asset-staging.ts'],
};
