/**
 * Test cases of a fault suite that need a payload of 10 MB or more (seconds of CPU each, with
 * time bounds a loaded 2-core machine cannot promise) belong to the e2e tier, while the rest of
 * their suite, which shares its fault servers and helpers, belongs to integration. Such a suite
 * is listed in jest.config.js (HUGE_PAYLOAD_SUITES) and runs in both projects: `hugeIt` cases run
 * only in e2e; every other case runs only in integration (test/support/huge-only.ts skips them in
 * e2e). Nothing runs twice, nothing is lost.
 */
const g = globalThis as unknown as { SR_TIER?: string; __srIt?: jest.It };

/** The `it` of a 10 MB-payload case: runs in the e2e project, skipped in integration. */
export const hugeIt: jest.It = g.SR_TIER === 'e2e' ? (g.__srIt ?? it) : it.skip;
