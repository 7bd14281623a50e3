/** A real headless Chromium (Debian's `chromium` package) that makes no network connections of its own, driven by playwright-core. */
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.SAAS_READINESS_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a browser that makes no network connections of its own (updates, sync, QUIC…). */
const OFFLINE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser context on the given (fresh) profile directory: playwright-core's way to pass --user-data-dir. */
export function launchOfflineChromium(profile: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: OFFLINE_FLAGS, viewport });
}
