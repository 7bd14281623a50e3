import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, launchOfflineChromium } from '../../demo/offline-chromium';

export { CHROMIUM };

/**
 * A real headless Chromium (Debian's `chromium` package) driven by playwright-core. Suites that
 * need it call {@link describeWithChromium}: where no Chromium is installed they skip with a
 * visible note, unless SAAS_READINESS_REQUIRE_CHROMIUM=1 (set by .ci/run, which installs it).
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) return describe(name, body);
  if (process.env.SAAS_READINESS_REQUIRE_CHROMIUM === '1') {
    describe(name, () => {
      test('Chromium is installed (required by SAAS_READINESS_REQUIRE_CHROMIUM=1)', () => {
        throw new Error(`Chromium is required here but ${CHROMIUM} does not exist (apt-get install -y chromium)`);
      });
    });
    return;
  }
  process.stderr.write(`\n[saas-readiness tests] Chromium not installed (${CHROMIUM}; Debian: apt-get install -y chromium): skipping "${name}"\n`);
  describe.skip(name, body);
}

/** A browser context on a fresh, empty profile directory (playwright-core's way to pass --user-data-dir). */
export async function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'sr-chromium-'));
  return launchOfflineChromium(profile, { width: 1200, height: 900 });
}
