/**
 * `npm run demo:screenshot`: the README's picture of the HTML report (docs/demo-report.png). Runs the demo three times
 * with one history file — as it is, with initech's bill drifted out of tolerance, and as it is
 * again — so the last report.html shows the status over time and what changed, then photographs
 * it in headless Chromium (Debian's `chromium`) into docs/demo-report.png.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchOfflineChromium } from './offline-chromium';

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'sr-shot-'));
  const out = join(work, 'report');
  const history = join(work, 'history.jsonl');
  try {
    for (const drift of [undefined, 'initech:+12', undefined]) {
      const res = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'demo/run.ts'), '--quiet', '--out', out, '--history', history],
        {
          cwd: work,
          env: { ...process.env, ...(drift ? { DEMO_COST_DRIFT: drift } : {}) },
          encoding: 'utf8',
        },
      );
      if (res.status !== 0 && !(drift && res.status === 1)) throw new Error(`demo exited ${res.status}: ${res.stderr}`);
    }
    const context = await launchOfflineChromium(join(work, 'profile'), { width: 1100, height: 900 });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(out, 'report.html')).href);
      await page.waitForSelector('body[data-charts-drawn]');
      await page.screenshot({ path: join(ROOT, 'docs', 'demo-report.png'), fullPage: true });
    } finally {
      await context.close();
    }
    process.stdout.write(`wrote ${join(ROOT, 'docs', 'demo-report.png')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`screenshot failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
