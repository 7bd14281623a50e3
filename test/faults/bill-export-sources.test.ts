import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfig } from '../../lambda/core/config/types';
import type { CheckResult } from '../../lambda/core/result';
import { perTestFaults, tcpFaultServer } from '../support/faults';
import { runGate } from '../support/gate';

/**
 * Gate 2's dataexport and athena sources under faults, through the real runner and SDK clients:
 * unreachable, throttled, denied, malformed and hanging endpoints all end in ERROR naming the
 * source and the cause, in bounded time — never PASS, never a FAIL on a smaller bill.
 */
const dir = mkdtempSync(join(tmpdir(), 'bill-export-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ledgerPath = join(dir, 'ledger.csv');
// A fresh entry today keeps the ledger criterion passing: only the bill is under test.
writeFileSync(ledgerPath, `tenant_id,usage_date,provider,cost_usd\nacme,2024-05-10,aws,100\nacme,${new Date().toISOString().slice(0, 10)},aws,0\n`);
const AWS_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDFAULTSUITE', AWS_SECRET_ACCESS_KEY: 'fault-suite-secret', AWS_MAX_ATTEMPTS: '2' };

const { serve, servers, setEnv } = perTestFaults();

async function runCost(bill: SourceConfig, timeoutSeconds = 10): Promise<{ result: CheckResult; ms: number }> {
  const t0 = Date.now();
  const { result } = await runGate(
    {
      sources: { ledger: { type: 'csv', path: ledgerPath }, bill } as never,
      gates: { cost: { ledger: { source: 'ledger' }, aws: { source: 'bill' }, window: { from: '2024-05-01', to: '2024-05-31' }, timeoutSeconds } } as never,
    },
    'cost',
  );
  return { result, ms: Date.now() - t0 };
}

const EXPORT = { type: 'dataexport', bucket: 'cur-bucket', prefix: 'exports', exportName: 'acme' };
const ATHENA = { type: 'athena', outputLocation: 's3://results/', maxAttempts: 2 };

describe('dataexport source under faults', () => {
  it('S3 unreachable: ERROR naming the manifest it could not read and the refused connection', async () => {
    const s = await serve(() => undefined);
    await s.close();
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: s.url });
    const { result, ms } = await runCost(EXPORT);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(
      new RegExp(`cannot read s3://cur-bucket/exports/acme/metadata/BILLING_PERIOD=2024-05/acme-Manifest\\.json: .*ECONNREFUSED.*${s.port}`),
    );
    expect(ms).toBeLessThan(8000);
  });

  it('S3 throttling (503 SlowDown) past the retries: ERROR naming SlowDown', async () => {
    const s = await serve((_n, _req, res) => {
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    });
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: s.url });
    const { result } = await runCost(EXPORT);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/SlowDown|reduce your request rate/);
  });

  it('S3 denies the manifest: ERROR with the ListBucket hint', async () => {
    const s = await serve((_n, _req, res) => {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    });
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: s.url });
    const { result } = await runCost(EXPORT);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/AccessDenied.*s3:GetObject is missing, or the object does not exist and s3:ListBucket is missing/);
  });

  it('a manifest that is not JSON: ERROR naming it', async () => {
    const s = await serve((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"executionId": "x", "dataFiles": [');
    });
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: s.url });
    const { result } = await runCost(EXPORT);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/acme-Manifest\.json is not a JSON manifest/);
  });

  it("S3 hangs: the gate's deadline ends it with ERROR", async () => {
    const s = await tcpFaultServer(() => undefined);
    servers.push(s);
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: `http://${s.url}` });
    const { result, ms } = await runCost(EXPORT, 0.5);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/timed out after 0\.5 s/);
    expect(ms).toBeLessThan(5000);
  });
});

describe('athena source under faults', () => {
  const json = (status: number, body: unknown) => (_n: number, _req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };

  it('Athena unreachable: ERROR naming StartQueryExecution and the refused connection', async () => {
    const s = await serve(() => undefined);
    await s.close();
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_ATHENA: s.url });
    const { result } = await runCost(ATHENA);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(new RegExp(`Athena StartQueryExecution: .*ECONNREFUSED.*${s.port}`));
  });

  it('TooManyRequestsException past the retries: ERROR naming the throttling', async () => {
    const s = await serve(
      json(400, { __type: 'com.amazonaws.athena#TooManyRequestsException', Message: 'Rate exceeded', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' }),
    );
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_ATHENA: s.url });
    const { result } = await runCost(ATHENA);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(
      /Athena throttled StartQueryExecution \(TooManyRequestsException: CONCURRENT_QUERY_LIMIT_EXCEEDED\) and the retries were exhausted after 2 attempts/,
    );
    expect(s.hits()).toBe(2);
  });

  it('AccessDeniedException: ERROR with the grants it needs', async () => {
    const s = await serve(json(400, { __type: 'AccessDeniedException', Message: 'User is not authorized to perform: athena:StartQueryExecution' }));
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_ATHENA: s.url });
    const { result } = await runCost(ATHENA);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/Athena refused the credentials for StartQueryExecution/);
    expect(result.remediation).toMatch(/athena:StartQueryExecution, GetQueryExecution, GetQueryResults and StopQueryExecution on the workgroup/);
  });

  it('results without the grand-total row (cut short): ERROR, never a smaller bill', async () => {
    const s = await serve((_n, req, res) => {
      const op = String(req.headers['x-amz-target']).split('.')[1];
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      if (op === 'StartQueryExecution') return res.end(JSON.stringify({ QueryExecutionId: 'q-1' }));
      if (op === 'GetQueryExecution')
        return res.end(JSON.stringify({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 1 } } }));
      const header = ['tenant', 'bill_period', 'g_tenant', 'g_period', 'cost', 'line_items', 'first_day', 'last_day', 'min_currency', 'max_currency'];
      const row = (v: (string | null)[]) => ({ Data: v.map((x) => (x === null ? {} : { VarCharValue: x })) });
      return res.end(
        JSON.stringify({
          ResultSet: { Rows: [row(header), row(['acme', null, '0', '1', '100.000000000000', '10', '2024-05-01', '2024-05-31', 'USD', 'USD'])] },
        }),
      );
    });
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_ATHENA: s.url });
    const { result } = await runCost(ATHENA);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/Athena's results for q-1 have no grand-total row: the results were cut short/);
  });
});
