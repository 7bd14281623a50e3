/**
 * `npm run demo`: embedded PostgreSQL (PGlite over the wire protocol) seeded with a realistic
 * multi-tenant dataset, a local rate-limited API for the quota probe, and `saas-readiness run`
 * against them through the production adapters, in learning mode. Extra args pass through.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { signalExitCode } from '../lambda/cli/interrupts';
import { main } from '../lambda/cli/main';
import { demoSchemaSql } from './dataset';
import { startConfigDemo } from './dataset-configs';
import { startCostDemo } from './dataset-costs';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startQuotaApi } from './quota-api';
import { removeDemoTempDirs } from './temp';

/** True while `saas-readiness run` has the signals: it stops the gates and returns 130/143 itself. */
let running = false;

/**
 * Ctrl-C (or SIGTERM) while the demo sets up or tears down ends it at once, with its temporary
 * folders removed by the exit hook; during the run the CLI handles the signal and the demo then
 * stops its servers as usual.
 */
function exitOnInterrupt(signal: NodeJS.Signals): void {
  if (running) return;
  process.stderr.write(`demo: interrupted by ${signal}\n`);
  process.exit(signalExitCode(signal));
}

async function demo(): Promise<number> {
  process.stderr.write('demo: starting embedded PostgreSQL (PGlite) on 127.0.0.1 and seeding 14 tenants…\n');
  const pg = await startEmbeddedPostgres();
  await pg.db.exec(demoSchemaSql());
  const configDemo = await startConfigDemo((sql) => pg.db.exec(sql), pg.url);
  const costDemo = await startCostDemo((sql) => pg.db.exec(sql));
  if (costDemo.drift) process.stderr.write(`demo: DEMO_COST_DRIFT: ${costDemo.drift.tenant} is billed ${costDemo.drift.percent}% more than the app tracked\n`);
  const canaryKey = randomBytes(12).toString('hex');
  const api = await startQuotaApi({ [canaryKey]: 5 });
  // The demo never calls a public address: monitoring keys from the shell are not used (gate 4 SKIPs).
  for (const name of ['DATADOG_API_KEY', 'DATADOG_APP_KEY', 'NEW_RELIC_KEY']) delete process.env[name];
  process.stderr.write('demo: learning mode (--allow-skip): gates without a system to check here SKIP with a hint and do not fail the demo\n\n');
  running = true;
  try {
    return await main(['run', '--config', join(__dirname, 'readiness.yaml'), '--allow-skip', ...process.argv.slice(2)], {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: pg.url, DEMO_API_URL: api.url, DEMO_CANARY_API_KEY: canaryKey, ...configDemo.env, ...costDemo.env },
      isTTY: process.stdout.isTTY,
    });
  } finally {
    running = false;
    await api.stop();
    await configDemo.stop();
    await costDemo.stop();
    await pg.stop();
  }
}

process.on('SIGINT', exitOnInterrupt);
process.on('SIGTERM', exitOnInterrupt);
demo().then(
  (code) => process.exit(code),
  (err) => {
    removeDemoTempDirs();
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
