import { redact } from '../../lambda/core/redact';

/**
 * Redaction over 10 MB payloads (e2e tier: seconds of CPU each, and a wall-clock bound that a
 * loaded machine must not be asked to meet inside the fast tiers). test/hostile/output.test.ts
 * holds the rest of redaction.
 */
describe('redaction by shape, on 10 MB inputs', () => {
  it('is linear and never recurses: 10 MB of adversarial text, each well under a few seconds (was: a stack overflow on one 10 MB token)', () => {
    const inputs = [
      `${'a:'.padEnd(5_000_000, 'b')}@`,
      `${'x:/'.repeat(3_000_000)}@`,
      '?key='.repeat(2_000_000),
      `${'a=b:'.repeat(2_500_000)}@`,
      `Bearer${' '.repeat(5_000_000)}x`,
      'z'.repeat(10_000_000),
    ];
    for (const text of inputs) {
      // CPU time of this process, not wall time: what redaction costs, whatever else the machine runs.
      // ~1 s each on a quiet 2-core machine; a quadratic pass over 10 MB would take hours, so 10 s
      // separates linear from not with room for a loaded machine (shared cores slow CPU time too).
      const t0 = process.cpuUsage();
      redact(text);
      const { user, system } = process.cpuUsage(t0);
      expect((user + system) / 1000).toBeLessThan(10_000);
    }
    // A password longer than the window looked at before the @ is still hidden whole.
    expect(redact(`postgres://app:${'p'.repeat(10_000_000)}@db/app`)).toBe('postgres://app:***@db/app');
  });
});
