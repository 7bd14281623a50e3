/**
 * setupFilesAfterEnv of the e2e project: in a suite of HUGE_PAYLOAD_SUITES (jest.config.js), only
 * its 10 MB-payload cases (`hugeIt`, test/support/tiers.ts) run here; its other cases run in the
 * integration project, so every case is skipped in this one.
 */
const g = globalThis as unknown as { __srIt?: jest.It; it: jest.It; test: jest.It; SR_HUGE_PAYLOAD_SUITES?: string[] };
const suites = g.SR_HUGE_PAYLOAD_SUITES ?? [];
const path = expect.getState().testPath ?? '';

if (suites.some((s) => path.endsWith(s))) {
  g.__srIt = g.it;
  g.it = g.it.skip;
  g.test = g.test.skip;
}
