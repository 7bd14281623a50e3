/**
 * `saas-readiness ack` (validation, exit 2 with one line, the record it writes) and the
 * acknowledgements in every report format of `saas-readiness run --history-table`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { XMLParser } from 'fast-xml-parser';
import { acknowledgementRecord, EXPIRED_ACK_SHOWN_DAYS } from '../../lambda/core/acknowledgements';
import { DynamoDbHistoryStore } from '../../lambda/sources/dynamodb/history';
import { runCli } from '../support/cli';
import { setEnv, startDynalite } from '../standins/dynalite';
import { createHistoryTable, seedTenantRegistry } from '../hook/support';

const TABLE = 'ack-test-history';
const config = (minTenants: number) => `version: 1
suite: ack-test
sources:
  registry: { type: dynamodb, table: TenantDetails, layout: sbt-aws }
gates:
  tenants: { source: registry, minTenants: ${minTenants} }
`;

describe('saas-readiness ack', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let restore: () => void;
  let dir: string;
  const env = () => ({ ...dynamo.env });
  const ack = (args: string[], extra: Record<string, string> = {}) => runCli(['ack', ...args], { cwd: dir, env: { ...env(), ...extra } });
  const records = async () =>
    (
      (
        await dynamo.client.send(
          new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ack-test#ack' } } }),
        )
      ).Items ?? []
    ).map((i) => unmarshall(i));

  beforeAll(async () => {
    dynamo = await startDynalite();
    restore = setEnv(dynamo.env);
    await createHistoryTable(dynamo.client, TABLE);
    await seedTenantRegistry(dynamo.client, 'TenantDetails', 12);
    dir = mkdtempSync(join(tmpdir(), 'sr-ack-'));
    writeFileSync(join(dir, 'readiness.yaml'), config(10));
    writeFileSync(join(dir, 'strict.yaml'), config(50));
  });
  afterAll(async () => {
    restore?.();
    await dynamo?.stop();
  });

  const valid = [
    '--gate',
    'tenants',
    '--owner',
    'jane@acme.example',
    '--reason',
    'Registry migration in progress, OPS-77',
    '--expires',
    '4h',
    '--history-table',
    TABLE,
  ];
  const without = (option: string) => {
    const i = valid.indexOf(option);
    return [...valid.slice(0, i), ...valid.slice(i + 2)];
  };
  const withValue = (option: string, value: string) => valid.map((v, i) => (valid[i - 1] === option ? value : v));

  it.each([
    ['no --gate', without('--gate'), '--gate is required (the gate this acknowledges)'],
    ['an unknown gate', withValue('--gate', 'billing'), "--gate: unknown gate 'billing'"],
    ['no --owner', without('--owner'), '--owner is required'],
    ['a blank owner', withValue('--owner', '   '), '--owner is required'],
    ['a reason too short to say why', withValue('--reason', 'because'), '--reason must say why in at least 10 characters (got 7)'],
    ['a reason on two lines', withValue('--reason', 'first line of it\nsecond line'), '--reason must be one line without control characters'],
    ['a reason of 501 characters', withValue('--reason', 'r'.repeat(501)), '--reason is longer than 500 characters (got 501)'],
    ['no --expires', without('--expires'), '--expires is required: a duration (4h, 2d; at most 7d) or a time with a zone (2026-12-01T18:00:00Z)'],
    ['an expiry beyond 7 days', withValue('--expires', '8d'), /^--expires: at most 7 days ahead \(.*\); got /],
    ['an expiry in the past', withValue('--expires', '2020-01-01T00:00:00Z'), '--expires: 2020-01-01T00:00:00.000Z is not in the future'],
    [
      'an expiry without a zone',
      withValue('--expires', '2030-01-01T00:00:00'),
      "--expires: '2030-01-01T00:00:00' is neither a duration (4h, 2d) nor an ISO-8601 time with a zone (2026-12-01T18:00:00Z)",
    ],
    ['a zero duration', withValue('--expires', '0h'), /is not in the future$/],
    ['no history table', without('--history-table'), "--history-table (or SAAS_READINESS_HISTORY_TABLE) is required: the deployed stack's HistoryTable output"],
  ])('exits 2 with one line and records nothing on %s', async (_what, args, message) => {
    const res = await ack(args as string[]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const line = res.stderr.trim().replace(/^saas-readiness: /, '');
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
    expect(await records()).toEqual([]);
  });

  it('records the acknowledgement in the suite partition and says until when', async () => {
    const before = Date.now();
    const res = await ack(valid);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toMatch(/^acknowledged: gate tenants of suite ack-test, owner jane@acme\.example, until \S+ \(DynamoDB table ack-test-history\)$/m);
    const [record] = await records();
    expect(record).toMatchObject({
      pk: 'ack-test#ack',
      gate: 'tenants',
      owner: 'jane@acme.example',
      reason: 'Registry migration in progress, OPS-77',
      sk: `${record.createdAt}#tenants`,
    });
    const hours = (Date.parse(record.validUntil) - Date.parse(record.createdAt)) / 3_600_000;
    expect(hours).toBe(4);
    expect(Date.parse(record.createdAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('takes the table from SAAS_READINESS_HISTORY_TABLE, and an ISO expiry', async () => {
    const until = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const res = await ack(['--gate', 'cost', '--owner', 'jane@acme.example', '--reason', 'Cost Explorer outage, AWS case 123', '--expires', until], {
      SAAS_READINESS_HISTORY_TABLE: TABLE,
    });
    expect(res.code).toBe(0);
    expect((await records()).find((r) => r.gate === 'cost')?.validUntil).toBe(new Date(until).toISOString());
  });

  it('exits 1 with one line when the table cannot be written', async () => {
    const res = await ack(withValue('--history-table', 'no-such-table'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^saas-readiness: the acknowledgement was not recorded: DynamoDB table no-such-table: ResourceNotFoundException.*\n$/);
  });

  describe('in the reports of saas-readiness run --history-table', () => {
    beforeAll(async () => {
      const now = Date.now();
      const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
      await new DynamoDbHistoryStore(dynamo.client, TABLE).append(
        acknowledgementRecord('ack-test', {
          gate: 'tenants',
          owner: 'ops@acme.example',
          reason: 'Expired break-glass from last week',
          createdAt: iso(-50),
          validUntil: iso(-2),
        }),
      );
      await new DynamoDbHistoryStore(dynamo.client, TABLE).append(
        acknowledgementRecord('ack-test', {
          gate: 'config',
          owner: 'old@acme.example',
          reason: 'Expired too long ago to show',
          createdAt: iso(-EXPIRED_ACK_SHOWN_DAYS * 24 - 30),
          validUntil: iso(-EXPIRED_ACK_SHOWN_DAYS * 24 - 1),
        }),
      );
    });
    const run = (file: string, format: string) =>
      runCli(['run', '--config', file, '--quiet', '--format', format, '--history-table', TABLE], { cwd: dir, env: env() });

    it('text: a passing gate shows its acknowledgement as unused; expired ones are flagged; the verdict is unchanged', async () => {
      const res = await run('readiness.yaml', 'text');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('Acknowledgements (DynamoDB table ack-test-history): 2 unused, 1 expired');
      expect(res.stdout).toMatch(
        /^ {2}· tenants — unused \(unused: the gate passes without it\): jane@acme\.example, until \S+: Registry migration in progress, OPS-77$/m,
      );
      expect(res.stdout).toMatch(/^ {2}· cost — unused \(unused: its gate is not evaluated here\): jane@acme\.example/m);
      expect(res.stdout).toMatch(
        /^ {2}✗ tenants — expired \(expired: it excuses nothing\): ops@acme\.example, expired \S+: Expired break-glass from last week$/m,
      );
      expect(res.stdout).not.toContain('Expired too long ago to show');
      expect(res.stdout).toMatch(/^READY — 1 passed/m);
    });

    it('text: a failing gate shows its acknowledgement in use, and the suite stays NOT READY', async () => {
      const res = await run('strict.yaml', 'text');
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('Acknowledgements (DynamoDB table ack-test-history): 1 in use, 1 unused, 1 expired');
      expect(res.stdout).toMatch(/^ {2}⚠ tenants — in use: jane@acme\.example, until \S+: Registry migration in progress, OPS-77$/m);
      expect(res.stdout).toMatch(/^NOT READY — 0 passed, 1 failed/m);
    });

    it('json: the acknowledgements with their state, next to an unchanged verdict', async () => {
      const report = JSON.parse((await run('strict.yaml', 'json')).stdout);
      expect(report.verdict).toBe('NOT READY');
      expect(report.acknowledgements.source).toBe('DynamoDB table ack-test-history');
      expect(report.acknowledgements.entries.map((e: any) => [e.gate, e.state, e.owner])).toEqual([
        ['cost', 'unused', 'jane@acme.example'],
        ['tenants', 'in use', 'jane@acme.example'],
        ['tenants', 'expired', 'ops@acme.example'],
      ]);
    });

    it('markdown: an Acknowledgements section', async () => {
      const md = (await run('strict.yaml', 'markdown')).stdout;
      expect(md).toContain('### Acknowledgements');
      expect(md).toMatch(/^- ⚠ tenants — in use: jane@acme\.example/m);
      expect(md).toMatch(/^- ✗ tenants — expired/m);
    });

    it('junit: properties for the suite, and the in-use acknowledgement in the failing test case', async () => {
      const xml = (await run('strict.yaml', 'junit')).stdout;
      const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
      const props = [doc.testsuites.testsuite.properties.property]
        .flat()
        .filter((p: any) => p['@_name'] === 'acknowledgements')
        .map((p: any) => p['@_value']);
      expect(props[0]).toBe('Acknowledgements (DynamoDB table ack-test-history): 1 in use, 1 unused, 1 expired');
      expect(props).toEqual(expect.arrayContaining([expect.stringMatching(/^⚠ tenants — in use: jane@acme\.example/)]));
      expect(doc.testsuites.testsuite.testcase.failure['#text']).toMatch(/Acknowledgement tenants — in use: jane@acme\.example/);
    });

    it('says when the acknowledgements cannot be read, instead of leaving them out', async () => {
      const res = await runCli(['run', '--quiet', '--history-table', 'no-such-table'], { cwd: dir, env: env() });
      expect(res.stdout).toMatch(/^Acknowledgements could not be read from DynamoDB table no-such-table: ResourceNotFoundException/m);
    });

    it('without a history table, reports have no acknowledgements part', async () => {
      const res = await runCli(['run', '--quiet', '--format', 'json'], { cwd: dir, env: env() });
      expect(JSON.parse(res.stdout)).not.toHaveProperty('acknowledgements');
    });
  });
});
