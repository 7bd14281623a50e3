import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { gateRecordOf } from '../../lambda/core/changes';
import { renderHtml } from '../../lambda/core/report/html';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { runCli } from '../support/cli';
import { costResult, report, result } from './fixtures';

/** Screenshots and the rendered page stay here after the run, as test artifacts. */
const OUTPUT = join(__dirname, '..', '..', 'test-output', 'html');

const hoursAgo = (h: number) => new Date(Date.UTC(2026, 10, 28, 8) - h * 3_600_000).toISOString();

function sampleReport() {
  const cost = costResult(
    [
      { tenant: 'acme', tracked: 812.4, billed: 820.1, status: 'ok' },
      { tenant: 'globex', tracked: 401.2, billed: 398.0, status: 'ok' },
      { tenant: 'initech', tracked: 370.48, billed: 416.81, status: 'outside' },
      { tenant: 'umbrella', tracked: 120.0, billed: 118.9, status: 'ok' },
    ],
    'FAIL',
  );
  const monitoring = result('monitoring', 'FAIL', {
    title: 'Production monitoring',
    criteria: [
      {
        id: 'datadog.signals',
        title: 'Datadog: signals per tenant',
        status: 'FAIL',
        summary: 'only 6 tenants',
        measurements: [{ name: 'datadog.tenantsMonitored', value: 6, unit: 'tenants', threshold: '>= 10' }],
      },
      {
        id: 'cloudwatch.signals',
        title: 'CloudWatch: signals per tenant',
        status: 'PASS',
        summary: '12 tenants',
        measurements: [{ name: 'cloudwatch.tenantsMonitored', value: 12, unit: 'tenants', threshold: '>= 10' }],
      },
    ],
  });
  const tenants = result('tenants', 'PASS', { title: 'Multi-tenant operational', summary: '14 active tenants <script>alert(1)</script>' });
  const r = report([tenants, cost, monitoring]);
  const timelines = {
    tenants: [hoursAgo(3), hoursAgo(2), hoursAgo(1)].map((at) => gateRecordOf(result('tenants', 'PASS', { startedAt: at }))),
    cost: [
      gateRecordOf(costResult([], 'PASS', hoursAgo(3))),
      gateRecordOf(costResult([], 'PASS', hoursAgo(2))),
      gateRecordOf(costResult([], 'FAIL', hoursAgo(1))),
    ],
  };
  return { r, timelines };
}

describe('--format html (no browser)', () => {
  it('is one self-contained document that loads nothing and escapes what it shows', () => {
    const { r, timelines } = sampleReport();
    const html = renderHtml(r, { timelines });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain('14 active tenants &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Chart.js v4');
  });

  it('is written by the CLI: --format html on stdout, report.html with --out', async () => {
    const dir = join(OUTPUT, 'cli');
    mkdirSync(dir, { recursive: true });
    const res = await runCli(['run', '--format', 'html', '--out', dir, '--quiet'], { cwd: dir, env: {} });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/<title>saas-readiness: NOT READY · default<\/title>/);
    expect(res.stdout).toContain("document.body.setAttribute('data-charts-drawn','0')");
  });
});

describeWithChromium('HTML report in headless Chromium', () => {
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const { r, timelines } = sampleReport();
    const file = join(OUTPUT, 'report.html');
    writeFileSync(file, renderHtml(r, { timelines }));
    browser = await launchChromium();
    // Anything but the file itself would be a network fetch at view time.
    await browser.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      problems.push(`request to ${url}`);
      return route.abort();
    });
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-drawn]');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders with no console errors and no network requests, and draws every chart', async () => {
    expect(problems).toEqual([]);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('3');
    const painted = await page.$$eval('canvas', (canvases) =>
      canvases.map((el) => {
        // The test's tsconfig has no DOM library: the canvas is described by what is used of it.
        const c = el as unknown as {
          id: string;
          width: number;
          height: number;
          getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
        };
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return { id: c.id, painted: n };
      }),
    );
    expect(painted.map((p) => p.id)).toEqual(['chart-cost-aws', 'chart-monitoring', 'chart-timeline']);
    for (const p of painted) expect(p.painted).toBeGreaterThan(2000);
    await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });
  });

  it('gives every chart an accessible name that states what it shows', async () => {
    await expect(
      page.getByRole('img', { name: /AWS: tracked and billed US dollars for 4 tenants, with the ±5% tolerance band .* outside the band: initech/ }).count(),
    ).resolves.toBe(1);
    await expect(page.getByRole('img', { name: /Tenants seen .* datadog 6 of 10, cloudwatch 12 of 10/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('img', { name: /Status of each gate over time \(tenants: 4 runs, now PASS; cost: 4 runs, now FAIL/ }).count()).resolves.toBe(1);
    await expect(page.getByRole('list', { name: 'Status per gate' }).getByRole('listitem').count()).resolves.toBe(3);
    await expect(page.getByRole('status').textContent()).resolves.toBe('✗ NOT READY');
  });

  it('prints the numbers behind each chart', async () => {
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('details.numbers table').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('tr.bad th', { hasText: 'initech' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  });
});
