import { prepareGates } from '../../lambda/core/config/load';
import { Registry } from '../../lambda/core/registry';
import { fakeGate } from '../support/fake-gate';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN } from '../../lambda/registry';
import { runGates } from '../../lambda/core/runner';
import { outcomeFromCriteria } from '../../lambda/core/result';
import { demoSchemaSql } from '../../demo/dataset';
import { httpFaultServer, tcpFaultServer, type LocalServer } from '../support/faults';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { plainSecrets } from '../support/gate';

/** One broken source must not take the others down: every gate still reports, each with its own cause. */
describe('runner isolation under faults', () => {
  let pg: PostgresTarget;
  let hang: LocalServer;
  let broken: LocalServer;
  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(demoSchemaSql());
    hang = await tcpFaultServer(() => undefined);
    broken = await httpFaultServer((_n, _req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":["internal"]}'));
  });
  afterAll(async () => {
    await Promise.all([hang?.close(), broken?.close(), pg?.stop()]);
  });

  it('a healthy gate PASSes while the others are unreachable, hanging or failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-iso-'));
    const t0 = Date.now();
    const report = await runGates({
      registry: BUILT_IN,
      secrets: plainSecrets,
      probes: false,
      loaded: {
        skipped: {},
        // Completed as the loader completes a config (defaults such as gate 1's minTenants).
        config: prepareGates(BUILT_IN, {
          version: 1,
          suite: 'iso',
          sources: {
            appdb: { type: 'postgres', url: pg.url },
            hung: { type: 'postgres', url: `postgres://app@127.0.0.1:${hang.port}/app`, connectTimeoutSeconds: 30 },
            refused: { type: 'postgres', url: 'postgres://app@127.0.0.1:1/app' },
            bill: { type: 'cur', path: join(dir, 'no-such-bill.csv') },
            dd: { type: 'datadog', apiKey: 'dd-api-key-iso-test', appKey: 'dd-app-key-iso-test', apiUrl: broken.url },
          },
          gates: {
            tenants: { source: 'appdb' },
            cost: { ledger: { source: 'refused' }, aws: { source: 'bill' } },
            config: { source: 'hung', timeoutSeconds: 1, history: { file: join(dir, 'history.jsonl') } },
            monitoring: { datadog: { source: 'dd', env: 'prod' } },
          },
        }),
      },
    });
    const byGate = Object.fromEntries(report.results.map((r) => [r.gate, r]));
    expect(Object.keys(byGate).sort()).toEqual(['config', 'cost', 'monitoring', 'tenants']);
    expect(byGate.tenants.status).toBe('PASS');
    expect(byGate.cost.status).toBe('ERROR');
    expect(byGate.cost.summary).toMatch(
      /^cost ledger: PostgreSQL app@127\.0\.0\.1:1: connection refused to 127\.0\.0\.1:1 \(ECONNREFUSED\); AWS bill: cannot read .*no-such-bill\.csv: .*\(file not found\)$/,
    );
    expect(byGate.config).toMatchObject({
      status: 'ERROR',
      summary: "timed out after 1 s (raise gates.config.timeoutSeconds if the system is just slow); still waiting on config store (source 'hung', postgres)",
    });
    expect(byGate.monitoring.status).toBe('ERROR');
    expect(byGate.monitoring.summary).toMatch(
      /^Datadog \(127\.0\.0\.1:\d+\): Datadog answered HTTP 500 "internal" \(GET 127\.0\.0\.1:\d+\/api\/v1\/validate\)/,
    );
    expect(report.verdict).toBe('NOT READY');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(JSON.stringify(report)).not.toMatch(/dd-api-key-iso-test|dd-app-key-iso-test/);
  });

  it('a gate that throws synchronously, rejects with a non-Error or never settles is ERROR, and the others report', async () => {
    const report = await runGates({
      secrets: plainSecrets,
      registry: new Registry(
        [
          fakeGate('tenants', () => {
            throw new TypeError("Cannot read properties of undefined (reading 'rows')");
          }),
          fakeGate('cost', () => Promise.reject(undefined)),
          fakeGate('config', () => new Promise(() => undefined)),
          fakeGate('monitoring', async () => outcomeFromCriteria([{ id: 'x', title: 'x', status: 'PASS', summary: 'fine' }])),
        ],
        [],
      ),
      loaded: {
        skipped: {},
        config: { version: 1, suite: 's', sources: {}, gates: { tenants: {}, cost: {}, config: { timeoutSeconds: 0.3 }, monitoring: {} } },
      },
    });
    expect(report.results.map((r) => [r.gate, r.status, r.summary])).toEqual([
      ['tenants', 'ERROR', "Cannot read properties of undefined (reading 'rows')"],
      ['cost', 'ERROR', 'unknown error'],
      ['config', 'ERROR', 'timed out after 0.3 s (raise gates.config.timeoutSeconds if the system is just slow)'],
      ['monitoring', 'PASS', 'fine'],
    ]);
  });
});
