/** Gate 4 zero-config: values the YAML schema refuses are refused from env vars too (exit 2), named by the variable. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';

const cwd = mkdtempSync(join(tmpdir(), 'zero-config-'));
const DD = { DATADOG_API_KEY: 'dd-api-key-0000', DATADOG_APP_KEY: 'dd-app-key-0000', DD_ENV: 'prod' };

it('DATADOG_SITE=datadoghq.co is exit 2 with did-you-mean, like site: datadoghq.co in readiness.yaml', async () => {
  for (const command of ['run', 'validate']) {
    const res = await runCli([command], { env: { ...DD, DATADOG_SITE: 'datadoghq.co' }, cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /zero-config \(no readiness\.yaml; built from environment variables\): DATADOG_SITE=datadoghq\.co: must be one of "datadoghq\.com", .* \(did you mean 'datadoghq\.com'\?\)/,
    );
    expect(res.stderr).not.toContain('dd-api-key-0000');
  }
});

it('NEW_RELIC_ACCOUNT_ID=abc is exit 2 naming the variable', async () => {
  const res = await runCli(['run'], { env: { NEW_RELIC_KEY: 'NRAK-TEST0000000000000000000', NEW_RELIC_ACCOUNT_ID: 'abc' }, cwd });
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(/NEW_RELIC_ACCOUNT_ID=abc: must match pattern/);
  expect(res.stderr).not.toContain('NRAK-TEST');
});
