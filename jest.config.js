/** ts-jest without type-checking: `npm test` runs `tsc --noEmit` first, so types are still checked once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
    // hyparquet ships ES modules only; Node requires them natively, jest's loader needs CommonJS.
    '/node_modules/hyparquet/.+\\.js$': ['ts-jest', { isolatedModules: true, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet/)'],
  testTimeout: 60000,
  // Most suites wait on sockets (PGlite, local servers); two workers keep both cores busy.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
