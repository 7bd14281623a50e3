/** Gate 4: waiting out a rate limit says so on stderr, instead of a silent pause. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthyDatadog, startDatadog, type DatadogOrg } from '../standins/datadog';
import type { LocalServer } from '../standins/local-server';
import { runCli } from '../support/cli';
import { datadogYaml } from './harness';

let org: DatadogOrg;
let server: LocalServer;
beforeAll(async () => {
  org = healthyDatadog();
  server = await startDatadog(org);
});
afterAll(() => server.close());

it('a progress line on stderr names the wait and the retry', async () => {
  org.rateLimited = 1;
  const cwd = mkdtempSync(join(tmpdir(), 'rate-limit-'));
  writeFileSync(join(cwd, 'readiness.yaml'), datadogYaml());
  const res = await runCli(['run', '--check', 'monitoring'], { env: { DATADOG_API_KEY: org.apiKey, DATADOG_APP_KEY: org.appKey, DD_URL: server.url }, cwd });
  expect(res.code).toBe(0);
  expect(res.stderr).toMatch(/… monitoring: Datadog rate limit hit( \(\w+\))?: waiting \d+ s before retry 1 of 3 \(GET 127\.0\.0\.1:\d+\/\S+\)/);
});
