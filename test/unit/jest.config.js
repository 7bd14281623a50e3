/**
 * The unit tier on its own: checks through their ports with in-memory fakes. No global setup (the
 * root config probes for a local PostgreSQL server, which this tier never needs), no network.
 *
 *   NODE_OPTIONS=--experimental-vm-modules npx jest -c test/unit/jest.config.js --coverage
 *
 * The root jest.config.js runs these files too, as part of `npm test`.
 */
const { resolve } = require('node:path');

module.exports = {
  rootDir: resolve(__dirname, '../..'),
  testEnvironment: 'node',
  // lambda/checks is a root only so that coverage also lists the files no unit test loads (gate.ts).
  roots: ['<rootDir>/test/unit', '<rootDir>/lambda/checks'],
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  testTimeout: 5000,
  maxWorkers: 1,
  // Without the composition code (gate.ts builds adapters; the integration tier covers it), add
  // --collectCoverageFrom='lambda/checks/**/*.ts' --collectCoverageFrom='!lambda/checks/*/gate.ts'
  collectCoverageFrom: ['lambda/checks/**/*.ts'],
  coverageReporters: ['text', 'text-summary'],
};
