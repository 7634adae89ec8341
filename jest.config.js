const os = require('os');
const path = require('path');

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
