/** Gate 1 messages: offenders named in the summary, quota offenders say why, a duplicate is one tenant. */
import { checkTenants, type TenantsCheckInput } from '../../../lambda/checks/tenants/check';
import { SourceError } from '../../../lambda/core/errors';
import type { GateOutcome } from '../../../lambda/core/result';
import { fakeTenantStore, healthyTenants, type FakeTenant, type FakeTenantStoreOptions } from '../fakes/tenants';

const signal = new AbortController().signal;
const run = (tenants: FakeTenant[], store: FakeTenantStoreOptions = {}, over: Partial<TenantsCheckInput> = {}) =>
  checkTenants({ store: fakeTenantStore(tenants, store), minTenants: 10, probesAllowed: true, signal, ...over });
const byId = (o: GateOutcome, id: string) => o.criteria.find((c) => c.id === id)!;

describe('gate 1 duplicates', () => {
  it('the summary names the duplicated IDs (first few and the count), in the singular for one', async () => {
    const out = await run([...healthyTenants(10), { id: 'T01' }]);
    expect(byId(out, 'unique-ids').summary).toBe('tenant IDs not usable: 1 ID used by more than one tenant: "t01" = "T01"');
    expect(out.summary).toBe('tenant IDs not usable: 1 ID used by more than one tenant: "t01" = "T01"');
    const many = await run(Array.from({ length: 5 }, (_, i) => [{ id: `d${i}` }, { id: `D${i}` }]).flat(), {}, { minTenants: 1 });
    expect(byId(many, 'unique-ids').summary).toBe(
      'tenant IDs not usable: 5 IDs used by more than one tenant: "d0" = "D0", "d1" = "D1", "d2" = "D2" … (5 in total)',
    );
  });

  it('a duplicate pair is one active tenant, not two', async () => {
    const out = await run([...healthyTenants(9), { id: 't01 ' }]);
    const active = byId(out, 'active-tenants');
    expect(active.status).toBe('FAIL');
    expect(active.summary).toBe('only 9 active tenants, need ≥ 10 (short by 1) (1 more active row repeats an ID and is not counted again)');
    expect(active.measurements).toEqual([{ name: 'activeTenants', value: 9, unit: 'tenants', threshold: '>= 10' }]);
    expect(out.measurements).toContainEqual({ name: 'activeTenants', value: 9, unit: 'tenants', threshold: '>= 10' });
    expect(active.remediation).toBe('Onboard 1 more tenant (or lower minTenants if this is not production).');
  });
});

describe('gate 1 quotas', () => {
  it('says which offender is NULL and which is 0', async () => {
    const out = await run([
      ...healthyTenants(10, { quotas: { monthly_token_quota: 100, rate_limit_rpm: 10 } }),
      { id: 'hooli', quotas: { monthly_token_quota: null, rate_limit_rpm: 10 } },
      { id: 'tyrell', quotas: { monthly_token_quota: 100, rate_limit_rpm: 0 } },
    ]);
    expect(byId(out, 'quotas').summary).toBe(
      '2 active tenants lack a positive quota in monthly_token_quota, rate_limit_rpm: hooli (monthly_token_quota is NULL), tyrell (rate_limit_rpm is 0)',
    );
  });

  it('names the offenders alone where the store does not say why', async () => {
    const out = await run([...healthyTenants(10), { id: 'free', quotas: { quota: 0 } }], { quotaReasons: false });
    expect(byId(out, 'quotas').summary).toBe('1 active tenant lacks a positive quota in quota: free');
  });
});

describe('gate 1 against a schema that differs from the conventions', () => {
  it('a convention the store fell back on is in the summary with the key that settles it', async () => {
    const assumption = 'no status column in public.tenants, so every row was counted as active (set statusColumn)';
    const out = await run(healthyTenants(10), { assumptions: [assumption] });
    expect(out.status).toBe('PASS');
    expect(byId(out, 'active-tenants').summary).toBe(`10 active tenants; ${assumption}`);
    expect(out.summary).toMatch(new RegExp(`config records and positive quotas \\(${assumption.replace(/[()]/g, '\\$&')}\\)$`));
  });

  it('status values that match no active value are named, with activeValues', async () => {
    const tenants = healthyTenants(10, { status: 'enabled' });
    const out = await run(tenants, {
      statusValues: [
        { value: 'enabled', count: 10 },
        { value: 'disabled', count: 2 },
      ],
    });
    const active = byId(out, 'active-tenants');
    expect(active.summary).toBe(
      'only 0 active tenants, need ≥ 10 (short by 10) (10 more not active); status values found: "enabled" ×10, "disabled" ×2; active means status = \'active\' (set activeValues to the values that mean active)',
    );
    expect(active.remediation).toMatch(/list them in activeValues \(gates\.tenants\.activeValues\)/);
  });

  it('a store that answered but lacks a table or column is not told to check the connection', async () => {
    const fail = new SourceError('not-found', 'no ID column in public.tenants: tried tenant_id and id (columns: org_id, name)', {
      remediation: 'Set idColumn to the column that holds the tenant ID (e.g. idColumn: org_id).',
    });
    const out = await run([], { fail });
    expect(out.status).toBe('ERROR');
    expect(byId(out, 'store').remediation).toBe('Set idColumn to the column that holds the tenant ID (e.g. idColumn: org_id).');
    const unreachable = await run([], { fail: new SourceError('unreachable', 'connection refused') });
    expect(byId(unreachable, 'store').remediation).toMatch(/^Check the connection settings/);
  });
});
