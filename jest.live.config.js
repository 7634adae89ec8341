/**
 * The live-cluster suite (`npm run test:cluster`, via scripts/kube/test-cluster.sh): tests named *.live.ts run
 * against kube-apiservers that they start themselves (scripts/kube/start.sh), one at a time (2 cores).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/live'],
  testMatch: ['**/*.live.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 900000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/setup/global-scratch.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};
