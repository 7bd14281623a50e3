/**
 * Three tiers as jest projects (docs/development.md, "Tests"):
 *
 * - unit: pure logic over in-memory port fakes (checks, config, reports, nag rules). No sockets, no
 *   child processes, no databases. Milliseconds per test.
 * - integration: the real adapters against real servers on 127.0.0.1 (PGlite over the Postgres
 *   wire protocol, the local PostgreSQL server when reachable, dynalite, moto, the HTTP stand-ins in
 *   test/standins), the CLI in-process, the CDK synth (bundling skipped).
 * - e2e: what only a whole process or a whole deployment artifact shows: the packed tarball installed
 *   in an empty folder, the bundled Lambda assets run as deployed, signals and kill points, the
 *   10 MB payloads. Slow by nature; `npm run test:e2e`.
 *
 * `npm test` runs unit and integration; `.ci/run` runs all three.
 *
 * ts-jest without type-checking: `npm test` runs `tsc --noEmit` first, so types are still checked once.
 */

/** The e2e tier, by file (relative to the repository root). */
const E2E = [
  'test/cli/pack.test.ts',
  'test/cdk/deployed.test.ts',
  'test/hook/integration.test.ts',
  'test/config/interrupts.test.ts',
  'test/faults/probe-safety.test.ts',
  'test/hostile/process.test.ts',
  'test/hostile/demo-interrupt.test.ts',
  'test/hostile/secrets-sweep.test.ts',
  'test/hostile/huge-output.test.ts',
];

/**
 * Fault suites whose 10 MB-payload cases (`hugeIt`, test/support/tiers.ts) are e2e while the rest
 * of the suite is integration: listed in both projects, each case runs in exactly one.
 */
const HUGE_PAYLOAD_SUITES = [
  'test/faults/config-sources.test.ts',
  'test/faults/cost-sources.test.ts',
  'test/faults/monitoring-sources.test.ts',
  'test/faults/secrets.test.ts',
  'test/faults/tenants-sources.test.ts',
];

/** Unit suites that live outside test/unit (pure: no I/O at all). */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/config/fingerprint.test.ts',
  'test/core/runner.test.ts',
  'test/cost/check.test.ts',
  'test/cost/money.test.ts',
  'test/hook/acknowledgements.test.ts',
  'test/hook/decision.test.ts',
  'test/properties/verdict.property.test.ts',
  'test/sources/read-text.test.ts',
  'test/nag/acknowledgements.test.ts',
  'test/nag/config.test.ts',
  'test/nag/cost.test.ts',
  'test/nag/monitoring.test.ts',
  'test/nag/tenants.test.ts',
  'test/nag/testing.test.ts',
];

const at = (paths) => paths.map((p) => `<rootDir>/${p}`);

const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  // hyparquet ships ES modules only; Node requires them natively, jest's loader needs CommonJS.
  '/node_modules/hyparquet/.+\\.js$': ['ts-jest', { isolatedModules: true, diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs' } }],
};

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!hyparquet/)'],
};

const unit = {
  ...base,
  displayName: 'unit',
  // lambda/checks is a root only so that coverage also lists the check files no unit test loads.
  roots: ['<rootDir>/test', '<rootDir>/lambda/checks'],
  testMatch: at(UNIT),
  testPathIgnorePatterns: ['/node_modules/', ...at(E2E)],
};

const integration = {
  ...base,
  displayName: 'integration',
  globals: { SR_TIER: 'integration' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...at(E2E), ...at(UNIT.slice(1)), '<rootDir>/test/unit/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};

const e2e = {
  ...base,
  displayName: 'e2e',
  globals: { SR_TIER: 'e2e', SR_HUGE_PAYLOAD_SUITES: HUGE_PAYLOAD_SUITES },
  testMatch: at([...E2E, ...HUGE_PAYLOAD_SUITES]),
  setupFilesAfterEnv: ['<rootDir>/test/support/huge-only.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};

module.exports = {
  projects: [unit, integration, e2e],
  // A global option in jest (a project cannot set its own): sockets and child processes need it.
  testTimeout: 60000,
  // Most suites wait on sockets (PGlite, local servers); two workers keep both cores busy.
  maxWorkers: 2,
  // `npm run test:coverage`: the unit tier over the check logic. Each gate's gate.ts is the composition
  // code that builds its adapters from config (the integration tier runs it); docs/benchmarks.md
  // gives the figure with and without it.
  collectCoverageFrom: ['lambda/checks/**/*.ts', '!lambda/checks/*/gate.ts'],
  coverageReporters: ['text', 'text-summary'],
};
