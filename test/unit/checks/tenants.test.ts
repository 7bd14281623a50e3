/**
 * Gate 1 (`checkTenants`) through its ports, with in-memory fakes: one test per criterion outcome
 * and per boundary the README states. No database, no HTTP.
 */
import { checkTenants, type TenantsCheckInput } from '../../../lambda/checks/tenants/check';
import type { GateOutcome } from '../../../lambda/core/result';
import {
  fakeIsolationProbe,
  fakeQuotaProbe,
  fakeTenantStore,
  healthyTenants,
  isolatedTable,
  isolationResult,
  probeResult,
  type FakeTenant,
} from '../fakes/tenants';

const signal = new AbortController().signal;

function run(tenants: FakeTenant[], over: Partial<TenantsCheckInput> = {}): Promise<GateOutcome> {
  return checkTenants({ store: fakeTenantStore(tenants), minTenants: 10, probesAllowed: true, signal, ...over });
}

const byId = (o: GateOutcome, id: string) => {
  const c = o.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id} in ${o.criteria.map((x) => x.id).join(', ')}`);
  return c;
};
const statuses = (o: GateOutcome) => Object.fromEntries(o.criteria.map((c) => [c.id, c.status]));

describe('checkTenants: the whole gate', () => {
  it('PASSes a healthy store with the four store criteria and its key measurements', async () => {
    const out = await run(healthyTenants(12));
    expect(out.status).toBe('PASS');
    expect(statuses(out)).toEqual({ 'active-tenants': 'PASS', 'unique-ids': 'PASS', 'config-records': 'PASS', quotas: 'PASS' });
    expect(out.summary).toBe('12 active tenants with unique IDs, config records and positive quotas');
    expect(out.measurements).toEqual([
      { name: 'activeTenants', value: 12, unit: 'tenants', threshold: '>= 10' },
      { name: 'totalTenants', value: 12, unit: 'tenants' },
    ]);
    expect(out.remediation).toBeUndefined();
  });

  it('an unreadable store is ERROR with one `store` criterion naming the cause, never PASS', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: '10.0.3.7', port: 5432 });
    const out = await checkTenants({ store: fakeTenantStore([], { fail: err }), minTenants: 1, probesAllowed: true, signal });
    expect(out.status).toBe('ERROR');
    expect(out.criteria.map((c) => [c.id, c.status])).toEqual([['store', 'ERROR']]);
    expect(out.summary).toBe('tenant store: connection refused to 10.0.3.7:5432 (ECONNREFUSED)');
    expect(out.remediation).toMatch(/reachable/);
  });

  it('does not run probes when the store cannot be read', async () => {
    const quotaProbe = fakeQuotaProbe([probeResult()]);
    const out = await checkTenants({ store: fakeTenantStore([], { fail: new Error('timeout') }), minTenants: 1, quotaProbe, probesAllowed: true, signal });
    expect(out.status).toBe('ERROR');
    expect(quotaProbe.runs).toBe(0);
  });

  it('carries the store notes as evidence and reports progress', async () => {
    const progress: string[] = [];
    const out = await checkTenants({
      store: fakeTenantStore(healthyTenants(10), { notes: ['3 items had no status attribute'] }),
      minTenants: 10,
      quotaProbe: fakeQuotaProbe([probeResult()]),
      isolationProbe: fakeIsolationProbe(isolationResult()),
      probesAllowed: true,
      signal,
      progress: (m) => progress.push(m),
    });
    expect(out.evidence).toEqual(['3 items had no status attribute']);
    expect(progress).toEqual(['counting tenants', 'probing quota enforcement', 'probing row-level security']);
  });

  it('a FAIL outranks the other criteria and the summary names only the failing ones', async () => {
    const out = await run([...healthyTenants(10), { id: 't01' }]);
    expect(out.status).toBe('FAIL');
    expect(out.summary).toMatch(/^tenant IDs not usable: 1 ID used by more than one tenant: "t01" = "t01"$/);
    expect(out.remediation).toMatch(/unique ID/);
  });
});

describe('criterion active-tenants: ≥ minTenants', () => {
  it('PASSes exactly at the boundary', async () => {
    const c = byId(await run(healthyTenants(10)), 'active-tenants');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('10 active tenants');
    expect(c.title).toBe('At least 10 active tenants');
  });

  it('FAILs one below, naming the shortfall', async () => {
    const c = byId(await run(healthyTenants(9)), 'active-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('only 9 active tenants, need ≥ 10 (short by 1)');
    expect(c.remediation).toBe('Onboard 1 more tenant (or lower minTenants if this is not production).');
    expect(c.measurements).toEqual([{ name: 'activeTenants', value: 9, unit: 'tenants', threshold: '>= 10' }]);
  });

  it('counts suspended and deleted tenants in the total but not as active', async () => {
    const out = await run([...healthyTenants(9), { id: 's1', status: 'suspended' }, { id: 'd1', status: 'deleted' }]);
    const c = byId(out, 'active-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('only 9 active tenants, need ≥ 10 (short by 1) (2 more not active)');
    expect(c.evidence).toEqual(["11 tenants in memory table tenants; active means status = 'active'"]);
    expect(out.measurements).toContainEqual({ name: 'totalTenants', value: 11, unit: 'tenants' });
  });

  it('PASS names the inactive remainder too', async () => {
    const c = byId(await run([...healthyTenants(10), { id: 'old', status: 'suspended' }]), 'active-tenants');
    expect(c.summary).toBe('10 active tenants (1 more not active)');
  });

  it('an empty store FAILs (zero measured is not met)', async () => {
    const out = await checkTenants({ store: fakeTenantStore([]), minTenants: 1, probesAllowed: true, signal });
    expect(byId(out, 'active-tenants').status).toBe('FAIL');
    expect(out.status).not.toBe('PASS');
  });
});

describe('criterion unique-ids: unique and non-empty after trim, NFKC, lower-case', () => {
  it('PASSes distinct IDs, counting every active ID across batches', async () => {
    const c = byId(await run(healthyTenants(10)), 'unique-ids');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('10 unique tenant IDs');
    expect(c.evidence).toEqual(['10 active IDs checked after normalisation (trim, NFKC, lower-case)']);
  });

  it.each([
    ['case', 'acme', 'ACME'],
    ['surrounding spaces', 'acme', ' acme '],
    ['full width (NFKC)', 'acme', 'ａｃｍｅ'],
    ['ideographic space (Unicode trim)', 'acme', '\u3000acme'],
    ['no-break space and tab', 'acme', '\u00a0acme\t'],
  ])('FAILs IDs that differ only by %s', async (_why, a, b) => {
    const c = byId(await run([...healthyTenants(9), { id: a }, { id: b }]), 'unique-ids');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe(`tenant IDs not usable: 1 ID used by more than one tenant: ${JSON.stringify(a)} = ${JSON.stringify(b)}`);
    expect(c.evidence).toContain(`duplicates: ${JSON.stringify(a)} = ${JSON.stringify(b)}`);
    expect(c.measurements).toEqual([
      { name: 'emptyIds', value: 0, threshold: '0' },
      { name: 'duplicateIds', value: 1, threshold: '0' },
    ]);
  });

  it('names every raw spelling of one ID, the first one not in normal form too', async () => {
    const c = byId(await run([{ id: 'Acme ' }, { id: 'acme' }, { id: 'ａｃｍｅ' }], { minTenants: 1 }), 'unique-ids');
    expect(c.evidence).toContain('duplicates: "Acme " = "acme" = "ａｃｍｅ"');
    expect(c.measurements).toContainEqual({ name: 'duplicateIds', value: 2, threshold: '0' });
    expect(c.summary).toBe('tenant IDs not usable: 1 ID used by more than one tenant: "Acme " = "acme" = "ａｃｍｅ"');
  });

  it('keeps IDs that differ by more than case, width and spaces apart', async () => {
    // Inner spaces, hyphen vs underscore, sharp s vs ss are different tenants.
    const c = byId(
      await run([{ id: 'a b' }, { id: 'ab' }, { id: 'a-b' }, { id: 'a_b' }, { id: 'straße' }, { id: 'strasse' }], { minTenants: 1 }),
      'unique-ids',
    );
    expect(c.status).toBe('PASS');
  });

  it.each([
    ['a missing (null) ID', null],
    ['an empty ID', ''],
    ['a whitespace-only ID', ' \u3000\t'],
  ])('FAILs %s', async (_why, id) => {
    const c = byId(await run([...healthyTenants(10), { id }]), 'unique-ids');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('tenant IDs not usable: 1 without an ID');
    expect(c.evidence).toContain('1 active tenant has an empty or missing ID');
    expect(c.measurements).toContainEqual({ name: 'emptyIds', value: 1, threshold: '0' });
  });

  it('reports empty and duplicate IDs together', async () => {
    const c = byId(await run([...healthyTenants(10), { id: null }, { id: 'T01' }]), 'unique-ids');
    expect(c.summary).toBe('tenant IDs not usable: 1 without an ID, 1 ID used by more than one tenant: "t01" = "T01"');
  });

  it('ignores inactive tenants (only active IDs are streamed)', async () => {
    const c = byId(await run([...healthyTenants(10), { id: 't01', status: 'deleted' }]), 'unique-ids');
    expect(c.status).toBe('PASS');
  });

  it('lists at most 10 duplicate groups, then the total', async () => {
    const tenants = Array.from({ length: 12 }, (_, i) => [{ id: `d${i}` }, { id: `D${i}` }]).flat();
    const c = byId(await run(tenants), 'unique-ids');
    expect(c.summary).toBe('tenant IDs not usable: 12 IDs used by more than one tenant: "d0" = "D0", "d1" = "D1", "d2" = "D2" … (12 in total)');
    const line = c.evidence!.find((e) => e.startsWith('duplicates: '))!;
    expect(line).toMatch(/"d9" = "D9" … \(12 in total\)$/);
    expect(line).not.toContain('"d10"');
  });
});

describe('criterion config-records', () => {
  it('PASSes when every active tenant has one, naming the rule', async () => {
    const c = byId(await run(healthyTenants(10)), 'config-records');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('every active tenant has a config record (a config record per tenant)');
  });

  it('FAILs naming the tenants without one', async () => {
    const c = byId(await run([...healthyTenants(10), { id: 'nocfg', config: false }]), 'config-records');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('1 active tenant has no config record: nocfg');
    expect(c.measurements).toEqual([{ name: 'tenantsWithoutConfig', value: 1, threshold: '0' }]);
    expect(c.remediation).toMatch(/Create a config record/);
  });

  it('an inactive tenant without a config record does not count', async () => {
    const c = byId(await run([...healthyTenants(10), { id: 'gone', status: 'deleted', config: false }]), 'config-records');
    expect(c.status).toBe('PASS');
  });

  it('names the first 10 offenders and the total', async () => {
    const c = byId(await run(healthyTenants(12, { config: false })), 'config-records');
    expect(c.summary).toBe('12 active tenants have no config record: t01, t02, t03, t04, t05, t06, t07, t08, t09, t10 … (12 in total)');
  });
});

describe('criterion quotas: a positive value in every quota field', () => {
  it('PASSes positive quotas, naming the fields', async () => {
    const c = byId(await run(healthyTenants(10, { quotas: { monthly_token_quota: 1000, rate_limit_rpm: 60 } })), 'quotas');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('every active tenant has a positive quota (monthly_token_quota, rate_limit_rpm)');
    expect(c.evidence).toEqual(['quota fields: monthly_token_quota, rate_limit_rpm']);
  });

  it.each([
    ['0', 0],
    ['NULL', null],
    ['negative', -1],
  ])('FAILs a quota of %s', async (_why, value) => {
    const c = byId(await run([...healthyTenants(10), { id: 'free', quotas: { quota: value } }]), 'quotas');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe(`1 active tenant lacks a positive quota in quota: free (quota is ${_why === 'negative' ? 'negative (-1)' : _why})`);
    expect(c.measurements).toEqual([{ name: 'tenantsWithoutQuota', value: 1, threshold: '0' }]);
    expect(c.remediation).toMatch(/unlimited tenant cannot be metered/);
  });

  it('the smallest positive quota passes', async () => {
    const c = byId(await run(healthyTenants(10, { quotas: { quota: 0.001 } })), 'quotas');
    expect(c.status).toBe('PASS');
  });

  it('FAILs a tenant positive in one field but missing another (every field is judged)', async () => {
    const tenants = [...healthyTenants(10, { quotas: { quota: 5, rate_limit: 5 } }), { id: 'half', quotas: { quota: 5 } }];
    const c = byId(await run(tenants), 'quotas');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('1 active tenant lacks a positive quota in quota, rate_limit: half (rate_limit is NULL)');
  });

  it('FAILs when the store found no quota field at all', async () => {
    const c = byId(await run(healthyTenants(10, { quotas: {} })), 'quotas');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('no quota field found (looked for names containing quota or rate_limit)');
    expect(c.remediation).toMatch(/quotaColumns \/ quotaPaths/);
    expect(c.measurements).toBeUndefined();
  });
});

describe('criterion quota-probe', () => {
  const withProbe = (probe: ReturnType<typeof fakeQuotaProbe>, probesAllowed = true) => run(healthyTenants(10), { quotaProbe: probe, probesAllowed });

  it('is absent when no probe is configured', async () => {
    expect((await run(healthyTenants(10))).criteria.map((c) => c.id)).not.toContain('quota-probe');
  });

  it('PASSes when every test tenant saw a 429, with the gate summary saying so', async () => {
    const out = await withProbe(fakeQuotaProbe([probeResult(), probeResult({ tenant: 'test-2', limitedAt: 7, sent: 7 })]));
    const c = byId(out, 'quota-probe');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('quota enforced for 2 test tenants');
    expect(c.evidence![0]).toBe('test-tenant: 429 at request 5/50, Retry-After 60 in 1.2 s [200×4 429×1]');
    expect(c.measurements).toEqual([
      { name: 'requestsUntil429.test-tenant', value: 5, threshold: '<= 50' },
      { name: 'requestsUntil429.test-2', value: 7, threshold: '<= 50' },
    ]);
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('10 active tenants with unique IDs, config records and positive quotas; quota enforced (429 seen)');
  });

  it('a 429 at the last allowed request still counts as enforced', async () => {
    const c = byId(await withProbe(fakeQuotaProbe([probeResult({ limitedAt: 50, sent: 50 })])), 'quota-probe');
    expect(c.status).toBe('PASS');
  });

  it('FAILs when no 429 came within maxRequests, naming the tenant', async () => {
    const probe = fakeQuotaProbe([probeResult({ limitedAt: undefined, retryAfter: undefined, sent: 50, statusCounts: { '200': 50 } })]);
    const c = byId(await withProbe(probe), 'quota-probe');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('quota not enforced: no 429 within 50 requests for test-tenant');
    expect(c.evidence![0]).toMatch(/^test-tenant: no 429 in 50\/50 requests/);
    expect(c.measurements).toEqual([{ name: 'requestsUntil429.test-tenant', value: null, threshold: '<= 50' }]);
    expect(c.remediation).toMatch(/usage plan/);
  });

  it('a missing Retry-After is evidence only, unless requireRetryAfter is set (then FAIL)', async () => {
    const result = [probeResult({ retryAfter: undefined })];
    const lenient = byId(await withProbe(fakeQuotaProbe(result, false)), 'quota-probe');
    expect(lenient.status).toBe('PASS');
    expect(lenient.evidence![0]).toContain('Retry-After missing');
    const strict = byId(await withProbe(fakeQuotaProbe(result, true)), 'quota-probe');
    expect(strict.status).toBe('FAIL');
    expect(strict.summary).toBe('429 without Retry-After for test-tenant (requireRetryAfter is set)');
  });

  it('is ERROR when the probe stopped (401, deadline, network) before any 429', async () => {
    const probe = fakeQuotaProbe([probeResult({ limitedAt: undefined, sent: 1, stoppedBy: 'HTTP 401 (credentials rejected)', statusCounts: { '401': 1 } })]);
    const out = await withProbe(probe);
    const c = byId(out, 'quota-probe');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('quota probe could not finish for test-tenant (HTTP 401 (credentials rejected))');
    expect(c.evidence![0]).toMatch(/; stopped: HTTP 401/);
    expect(out.status).toBe('ERROR');
  });

  it('a measured miss on one tenant outranks a broken probe on another (FAIL, not ERROR)', async () => {
    const probe = fakeQuotaProbe([
      probeResult({ tenant: 'a', limitedAt: undefined }),
      probeResult({ tenant: 'b', limitedAt: undefined, stoppedBy: 'deadline' }),
    ]);
    expect(byId(await withProbe(probe), 'quota-probe').status).toBe('FAIL');
  });

  it('is ERROR naming the cause when the probe itself throws', async () => {
    const c = byId(await withProbe(fakeQuotaProbe(new Error('getaddrinfo ENOTFOUND api.example.com'))), 'quota-probe');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('quota probe: getaddrinfo ENOTFOUND api.example.com');
  });

  it('--no-probes: SKIP without running it, so the gate cannot PASS', async () => {
    const probe = fakeQuotaProbe([probeResult()]);
    const out = await withProbe(probe, false);
    const c = byId(out, 'quota-probe');
    expect(c.status).toBe('SKIP');
    expect(c.summary).toBe('quota probe configured but not run (--no-probes)');
    expect(probe.runs).toBe(0);
    expect(out.status).toBe('SKIP');
  });
});

describe('criterion isolation (row-level security probe)', () => {
  const withProbe = (result: Parameters<typeof fakeIsolationProbe>[0], probesAllowed = true) =>
    run(healthyTenants(10), { isolationProbe: fakeIsolationProbe(result), probesAllowed });

  it("PASSes when the tenant sees its own rows, no other tenant's, and an unknown tenant sees none", async () => {
    const out = await withProbe(isolationResult([isolatedTable('documents'), isolatedTable('chunks')]));
    const c = byId(out, 'isolation');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe("acme sees its own rows and no other tenant's in 2 table(s), and a tenant that does not exist sees none");
    expect(c.evidence![0]).toBe(
      "documents: RLS enabled, forced; 1 SELECT policy for app_user (reading app.current_tenant); as app_user with app.current_tenant = 'acme': 4 of 4 own rows and 0 of 6 other-tenant rows visible; with a tenant that does not exist: 0 rows visible",
    );
    expect(out.summary).toBe('10 active tenants with unique IDs, config records and positive quotas; RLS isolates tenants');
  });

  it('names both probes in the gate summary when both pass', async () => {
    const out = await run(healthyTenants(10), { quotaProbe: fakeQuotaProbe([probeResult()]), isolationProbe: fakeIsolationProbe(isolationResult()) });
    expect(out.summary).toMatch(/; quota enforced \(429 seen\), RLS isolates tenants$/);
  });

  it.each([
    ['a superuser role', isolationResult(undefined, { roleIsSuperuser: true }), 'role app_user is a superuser (bypasses RLS)'],
    ['a BYPASSRLS role', isolationResult(undefined, { roleBypassesRls: true }), 'role app_user has BYPASSRLS'],
    ['RLS not enabled', isolationResult([isolatedTable('documents', { rlsEnabled: false, rlsForced: false })]), 'documents: row-level security not enabled'],
    [
      'RLS not forced',
      isolationResult([isolatedTable('documents', { rlsForced: false })]),
      'documents: row-level security not forced (the table owner bypasses it)',
    ],
    ['rows of other tenants visible', isolationResult([isolatedTable('documents', { leakedRows: 2 })]), 'documents: 2 rows of other tenants visible to acme'],
    [
      'rows visible to a tenant that does not exist',
      isolationResult([isolatedTable('documents', { unknownTenantRows: 3 })]),
      'documents: 3 rows visible with app.current_tenant naming a tenant that does not exist (visibility does not follow the setting)',
    ],
  ])('FAILs %s', async (_why, result, problem) => {
    const c = byId(await withProbe(result), 'isolation');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe(`tenant isolation broken: ${problem}`);
    expect(c.remediation).toMatch(/FORCE ROW LEVEL SECURITY/);
  });

  it('with RLS disabled, rows visible to an unknown tenant are not a second problem', async () => {
    const c = byId(await withProbe(isolationResult([isolatedTable('t', { rlsEnabled: false, unknownTenantRows: 10, leakedRows: 6 })])), 'isolation');
    expect(c.summary).toBe('tenant isolation broken: t: row-level security not enabled; t: 6 rows of other tenants visible to acme');
  });

  it('a broken table outranks an unmeasured one (FAIL, not ERROR)', async () => {
    const c = byId(await withProbe(isolationResult([isolatedTable('a', { leakedRows: 1 }), isolatedTable('b', { otherTenantRows: 0 })])), 'isolation');
    expect(c.status).toBe('FAIL');
  });

  it("is ERROR (not measured) when there are no other tenants' rows to hide", async () => {
    const c = byId(await withProbe(isolationResult([isolatedTable('documents', { otherTenantRows: 0 })])), 'isolation');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('isolation not measured: documents has no rows of other tenants to hide');
    expect(c.remediation).toMatch(/Probe a tenant that has rows in every listed table/);
  });

  it('is ERROR (not measured) when the probed tenant has no rows', async () => {
    const c = byId(await withProbe(isolationResult([isolatedTable('documents', { tenantRows: 0, ownRows: 0 })])), 'isolation');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe("isolation not measured: documents has no rows of tenant 'acme' (no such tenant there), so its view shows nothing");
  });

  it.each([
    ['no SELECT policy applies', { selectPolicies: 0, settingsRead: [] }, 'no SELECT policy applies to app_user: row-level security then hides every row'],
    [
      'the policies read another setting',
      { settingsRead: ['app.tenant'] },
      'the policies read app.tenant, not app.current_tenant; PostgreSQL accepts any two-part setting name',
    ],
    ['the policies read no setting', { settingsRead: [] }, 'the policies read no setting through current_setting(), not app.current_tenant'],
    ['the setting matches no row', {}, 'the policies read app.current_tenant but match none of its rows; check the value format and the column type'],
  ])('is ERROR when own rows are invisible because %s', async (_why, over, why) => {
    const c = byId(await withProbe(isolationResult([isolatedTable('documents', { ownRows: 0, ...over })])), 'isolation');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toContain("isolation not measured: documents: none of acme's 4 rows visible as app_user with app.current_tenant = 'acme' (");
    expect(c.summary).toContain(why);
  });

  it('evidence reads "policies" and "no setting" where that applies', async () => {
    const c = byId(await withProbe(isolationResult([isolatedTable('d', { selectPolicies: 2, settingsRead: [], rlsForced: false })])), 'isolation');
    expect(c.evidence![0]).toMatch(/^d: RLS enabled; 2 SELECT policies for app_user \(reading no setting\)/);
  });

  it('is ERROR naming the cause when the probe throws', async () => {
    const c = byId(await withProbe(new Error('permission denied for table documents')), 'isolation');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('isolation probe: permission denied for table documents');
  });

  it('--no-probes: SKIP without running it', async () => {
    const probe = fakeIsolationProbe(isolationResult());
    const out = await run(healthyTenants(10), { isolationProbe: probe, probesAllowed: false });
    expect(byId(out, 'isolation')).toMatchObject({ status: 'SKIP', summary: 'isolation probe configured but not run (--no-probes)' });
    expect(probe.runs).toBe(0);
    expect(out.status).toBe('SKIP');
  });
});

describe('probes that measured nothing are never PASS', () => {
  it('a quota probe that probed no tenant is ERROR', async () => {
    const out = await run(healthyTenants(12), { quotaProbe: fakeQuotaProbe([]) });
    expect(byId(out, 'quota-probe')).toMatchObject({ status: 'ERROR', summary: 'quota probe: no test tenant was probed, so enforcement was not measured' });
    expect(out.status).toBe('ERROR');
  });

  it('an isolation probe that probed no table is ERROR', async () => {
    const out = await run(healthyTenants(12), { isolationProbe: fakeIsolationProbe(isolationResult([])) });
    expect(byId(out, 'isolation')).toMatchObject({ status: 'ERROR', summary: 'isolation not measured: no table was probed' });
  });
});
