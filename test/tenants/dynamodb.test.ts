import { BUILT_IN } from '../../lambda/registry';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startDynalite, setEnv } from '../standins/dynalite';
import { runGate } from '../support/gate';
import { generatedTenantDetailsName } from '../standins/sbt-aws';
import { parseConfig } from '../../lambda/core/config/load';

type Item = Record<string, unknown>;

/** An sbt-aws TenantDetails item: tenantConfig holds JSON as a string. */
function tenant(id: string, opts: { active?: boolean; quota?: number | null; config?: boolean; pad?: number } = {}): Item {
  const cfg = { tier: 'pro', quotas: { rateLimitPerMinute: opts.quota === undefined ? 60 : opts.quota, monthlyTokenQuota: 100000 } };
  return {
    tenantId: id,
    tenantName: `Tenant ${id}`,
    tier: 'pro',
    sbtaws_active: opts.active ?? true,
    ...(opts.config === false ? {} : { tenantConfig: JSON.stringify(cfg) }),
    // Padding makes the table large enough (> 1 MB) that Scan must page.
    ...(opts.pad ? { notes: 'x'.repeat(opts.pad) } : {}),
  };
}

describe('gate 1 on DynamoDB (dynalite, sbt-aws layout)', () => {
  let ddb: Awaited<ReturnType<typeof startDynalite>>;
  let restoreEnv: () => void;
  // As deployed by sbt-aws: a name CloudFormation generated, never the literal TenantDetails.
  const table = generatedTenantDetailsName();

  beforeAll(async () => {
    ddb = await startDynalite();
    restoreEnv = setEnv(ddb.env);
  });
  afterAll(async () => {
    restoreEnv?.();
    await ddb?.stop();
  });

  async function load(items: Item[]): Promise<void> {
    await ddb.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    await ddb.client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let i = 0; i < items.length; i += 25) {
      const RequestItems = { [table]: items.slice(i, i + 25).map((it): WriteRequest => ({ PutRequest: { Item: marshall(it) } })) };
      await ddb.client.send(new BatchWriteItemCommand({ RequestItems }));
    }
  }

  const run = (gate: Record<string, unknown> = {}) =>
    runGate(
      { sources: { registry: { type: 'dynamodb', table, layout: 'sbt-aws' } }, gates: { tenants: { source: 'registry', minTenants: 10, ...gate } } },
      'tenants',
    );

  it('PASSes over a table larger than 1 MB, scanning every page in parallel segments', async () => {
    const items = Array.from({ length: 300 }, (_, i) => tenant(`t-${String(i).padStart(3, '0')}`, { pad: 8000 }));
    items.push(tenant('gone-1', { active: false }), tenant('gone-2', { active: false }));
    await load(items);
    const { result } = await run({ scanSegments: 2 });
    expect(result.status).toBe('PASS');
    expect(result.measurements).toContainEqual({ name: 'activeTenants', value: 300, unit: 'tenants', threshold: '>= 10' });
    const active = result.criteria.find((c) => c.id === 'active-tenants')!;
    expect(active.summary).toBe('300 active tenants (2 more not active)');
    const pages = Number(/\((\d+) pages, 2 segments\)/.exec(active.evidence![0])![1]);
    expect(pages).toBeGreaterThan(2);
    expect(result.criteria.find((c) => c.id === 'quotas')!.summary).toBe(
      'every active tenant has a positive quota (tenantConfig.quotas.monthlyTokenQuota, tenantConfig.quotas.rateLimitPerMinute)',
    );
  });

  it('gives the same duplicate-ID findings as PostgreSQL', async () => {
    const base = Array.from({ length: 11 }, (_, i) => tenant(['acme-legal', 'initech'][i] ?? `tenant-${i}`));
    await load([...base, tenant('Acme-Legal '), tenant('ｉｎｉｔｅｃｈ'), tenant(' ')]);
    const { result } = await run();
    const ids = result.criteria.find((c) => c.id === 'unique-ids')!;
    expect(ids.status).toBe('FAIL');
    expect(ids.summary).toMatch(/^tenant IDs not usable: 1 without an ID, 2 IDs used by more than one tenant: "\S+" = "\S+ ?", "\S+" = "\S+ ?"$/);
    expect(ids.evidence![2]).toMatch(/^duplicates: /);
    expect(ids.evidence![2]).toContain('"Acme-Legal "');
    expect(ids.evidence![2]).toContain('"ｉｎｉｔｅｃｈ"');
  });

  it('FAILs naming tenants without a positive quota or a config, and counts only active ones', async () => {
    const items = Array.from({ length: 12 }, (_, i) => tenant(`tenant-${String(i).padStart(2, '0')}`));
    items[3] = tenant('tenant-03', { quota: 0 });
    items[4] = tenant('tenant-04', { config: false });
    items[5] = tenant('tenant-05', { active: false, quota: 0 });
    await load(items);
    const { result } = await run();
    const byId = Object.fromEntries(result.criteria.map((c) => [c.id, c]));
    expect(byId['active-tenants'].summary).toBe('11 active tenants (1 more not active)');
    expect(byId.quotas.summary).toMatch(/^2 active tenants lack a positive quota in .*: tenant-03 \(\S+ is 0\), tenant-04 \(.+\)$/);
    expect(byId['config-records'].summary).toBe('1 active tenant has no config record: tenant-04');
  });

  it('honours explicit quota paths and status values', async () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ ...tenant(`t${i}`), status: i < 9 ? 'ACTIVE' : 'SUSPENDED' }));
    await load(items);
    const { result } = await run({ statusAttribute: 'status', activeValues: ['active'], quotaPaths: ['tenantConfig.quotas.rateLimitPerMinute'] });
    expect(result.status).toBe('FAIL');
    expect(result.summary).toBe('only 9 active tenants, need ≥ 10 (short by 1) (1 more not active)');
    expect(result.criteria.find((c) => c.id === 'quotas')!.summary).toBe('every active tenant has a positive quota (tenantConfig.quotas.rateLimitPerMinute)');
  });

  it('is ERROR naming the table, the region and how to find the generated name when the literal TenantDetails is configured', async () => {
    const { result } = await runGate(
      { sources: { registry: { type: 'dynamodb', table: 'TenantDetails' } }, gates: { tenants: { source: 'registry' } } },
      'tenants',
    );
    expect(result.status).toBe('ERROR');
    expect(result.summary).toBe(
      "tenant store: DynamoDB table 'TenantDetails' not found in us-east-1 (ResourceNotFoundException); sbt-aws creates TenantDetails without a tableName, " +
        'so CloudFormation generates its name (<stack>-…TenantDetails…-<suffix>): look it up as docs/gates/tenants.md ("Finding the sbt-aws table name") shows and set table: ${env:TENANT_DETAILS_TABLE}',
    );
  });

  it('sbt-aws layout: an item without sbtaws_active is not an active tenant, even when no item has one', async () => {
    const bare = (id: string) => {
      const { sbtaws_active: _, ...rest } = tenant(id);
      return rest;
    };
    await load([...Array.from({ length: 10 }, (_, i) => tenant(`t${i}`)), bare('hand-1'), bare('hand-2')]);
    const some = await run();
    expect(some.result.criteria[0].summary).toBe('10 active tenants (2 more not active)');
    expect(some.result.evidence).toContain("2 items have no 'sbtaws_active' attribute and were not counted as active");
    await load(Array.from({ length: 12 }, (_, i) => bare(`hand-${i}`)));
    const none = await run();
    expect(none.result.status).toBe('FAIL');
    expect(none.result.summary).toBe('only 0 active tenants, need ≥ 10 (short by 10) (12 more not active)');
  });

  it('custom layout: assumes no attribute names, and without statusAttribute counts every item', async () => {
    const yaml = (gate: string) =>
      `version: 1\nsuite: t\nsources:\n  reg: { type: dynamodb, table: ${table}, layout: custom }\ngates:\n  tenants:\n    source: reg\n${gate}`;
    expect(() => parseConfig(BUILT_IN, yaml('    configAttribute: settings\n'), 'readiness.yaml')).toThrow(
      /gates\.tenants\.idAttribute: required: source 'reg' has layout: custom, which assumes no attribute names/,
    );
    await load(Array.from({ length: 11 }, (_, i) => ({ pk: `c${i}`, tenantId: `c${i}`, settings: { quota: 5 } })));
    const { result } = await runGate(
      {
        sources: { reg: { type: 'dynamodb', table, layout: 'custom' } },
        gates: { tenants: { source: 'reg', idAttribute: 'pk', configAttribute: 'settings' } },
      },
      'tenants',
    );
    expect(result.status).toBe('PASS');
    expect(result.criteria[0].evidence?.[0]).toMatch(/active means every item \(layout custom without statusAttribute\)$/);
  });
});
