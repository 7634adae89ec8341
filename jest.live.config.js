const os = require('os');
const path = require('path');

// As in jest.config.js: aws-cdk-lib's built-in template validation is off for the stacks these tests synthesize
// (the ordering test's, the delivery guarantees'); it cannot fail a test, and costs a WebAssembly compile per file.
process.env.CDK_VALIDATION ??= 'false';

/**
 * The live-cluster suite (`npm run test:cluster`, via scripts/kube/test-cluster.sh): tests named *.live.ts run
 * against kube-apiservers that they start themselves (scripts/kube/start.sh), each on ports of its own.
 * Two test files run at a time (LIVE_WORKERS overrides it): a test spends much of its time waiting (a server
 * starting, helm and kubectl round trips), so two keep 2 cores busy where one does not. The examples and the chart
 * lines are split over two files each so that the two workers get similar shares; jest schedules the files that
 * took longest last time first (its cache, below, keeps their durations).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/live'],
  testMatch: ['**/*.live.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 900000,
  maxWorkers: Number(process.env.LIVE_WORKERS) || 2,
  // Slowest first; with LIVE_ASSEMBLY_WAIT (set by .ci/run), the files that need the synthesized examples last.
  testSequencer: '<rootDir>/test/live/sequencer.js',
  // Outside the temp dir, as in jest.config.js: transpiled files and per-file durations are kept between runs.
  cacheDirectory: process.env.JEST_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cdk-cilium-mesh', 'jest'),
  globalSetup: '<rootDir>/test/setup/global-scratch.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};
