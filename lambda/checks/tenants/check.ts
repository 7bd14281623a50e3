import { describeError, SourceError } from '../../core/errors';
import { noun, plural } from '../../core/plural';
import { listOffenders, outcomeFromCriteria, type Criterion, type GateOutcome } from '../../core/result';
import { normalizeTenantId } from '../../core/tenant-id';
import type { IsolationProbe, IsolationTableResult, QuotaProbe, TenantCensus, TenantStore } from './ports';

export interface TenantsCheckInput {
  store: TenantStore;
  minTenants: number;
  /** Configured probes; `probesAllowed: false` (--no-probes) leaves them unrun and the gate not PASS. */
  quotaProbe?: QuotaProbe;
  isolationProbe?: IsolationProbe;
  probesAllowed: boolean;
  signal: AbortSignal;
  progress?: (message: string) => void;
}

/** Gate 1: ≥ minTenants active tenants with unique IDs, a config record and a positive quota each. */
export async function checkTenants(input: TenantsCheckInput): Promise<GateOutcome> {
  const criteria: Criterion[] = [];
  let census: TenantCensus;
  try {
    input.progress?.('counting tenants');
    census = await input.store.census(input.signal);
  } catch (err) {
    return outcomeFromCriteria([
      {
        id: 'store',
        title: 'Tenant store reachable',
        status: 'ERROR',
        summary: `tenant store: ${describeError(err)}`,
        remediation: storeRemediation(err),
      },
    ]);
  }

  const ids = await scanIds(census);
  criteria.push(activeCriterion(census, input.minTenants, ids));
  criteria.push(uniqueIdsCriterion(ids));
  criteria.push(configCriterion(census));
  criteria.push(quotaCriterion(census));
  if (input.quotaProbe) criteria.push(await quotaProbeCriterion(input));
  if (input.isolationProbe) criteria.push(await isolationCriterion(input));

  return outcomeFromCriteria(criteria, {
    measurements: [
      { name: 'activeTenants', value: ids.tenants, unit: 'tenants', threshold: `>= ${input.minTenants}` },
      { name: 'totalTenants', value: census.total, unit: 'tenants' },
    ],
    evidence: census.notes,
    passSummary: `${plural(ids.tenants, 'active tenant')} with unique IDs, config records and positive quotas${
      criteria.length > 4
        ? `; ${criteria
            .slice(4)
            .map((c) => (c.id === 'quota-probe' ? 'quota enforced (429 seen)' : 'RLS isolates tenants'))
            .join(', ')}`
        : ''
    }${census.assumptions?.length ? ` (${census.assumptions.join('; ')})` : ''}`,
  });
}

/**
 * The fix for a store that could not be read: the source's own advice where it has one (a table or
 * column not found is no connection problem), connection advice only where the cause may be one.
 */
function storeRemediation(err: unknown): string {
  if (err instanceof SourceError && err.remediation) return err.remediation;
  if (err instanceof SourceError && (err.kind === 'malformed' || err.kind === 'not-found')) {
    return 'The store answered, but not as the settings expect: check the table and column settings of gates.tenants.';
  }
  return 'Check the connection settings and that the store is reachable from where the check runs.';
}

/** The active IDs, streamed once and normalised with the single shared rule. */
interface IdScan {
  /** Active rows seen. */
  rows: number;
  /** Rows without an ID. */
  empty: number;
  /** Normalised ID → every raw spelling, for IDs used by more than one row. */
  duplicates: Map<string, string[]>;
  /** Rows beyond the first of each duplicated ID. */
  extra: number;
  /** Distinct non-empty IDs: the tenants that are actually there. */
  tenants: number;
}

async function scanIds(census: TenantCensus): Promise<IdScan> {
  const seen = new Set<string>();
  // Raw spellings are kept only for IDs that are not already in normal form, to name offenders.
  const rawOf = new Map<string, string[]>();
  const duplicates = new Map<string, string[]>();
  let empty = 0;
  let rows = 0;
  for await (const batch of census.activeIds()) {
    for (const id of batch) {
      rows++;
      const normal = id === null ? '' : normalizeTenantId(id);
      if (normal === '') {
        empty++;
        continue;
      }
      if (seen.has(normal)) {
        const group = duplicates.get(normal) ?? [...(rawOf.get(normal) ?? [normal])];
        group.push(id as string);
        duplicates.set(normal, group);
      } else {
        seen.add(normal);
        if (id !== normal) rawOf.set(normal, [id as string]);
      }
    }
  }
  const extra = [...duplicates.values()].reduce((n, g) => n + g.length - 1, 0);
  return { rows, empty, duplicates, extra, tenants: seen.size };
}

function activeCriterion(census: TenantCensus, min: number, ids: IdScan): Criterion {
  // A tenant is a distinct, non-empty ID: two rows sharing an ID are one tenant to billing.
  const active = ids.tenants;
  const others = census.total - census.active;
  const notes = [
    others > 0 ? `${others} more not active` : '',
    ids.extra > 0
      ? `${plural(ids.extra, 'more active row')} ${ids.extra === 1 ? 'repeats' : 'repeat'} an ID and ${ids.extra === 1 ? 'is' : 'are'} not counted again`
      : '',
    ids.empty > 0 ? `${plural(ids.empty, 'active row')} without an ID not counted` : '',
  ].filter(Boolean);
  const rest = notes.length ? ` (${notes.join('; ')})` : '';
  const ok = active >= min;
  const assumed = census.assumptions?.length ? `; ${census.assumptions.join('; ')}` : '';
  // Status values are named where none of them counted as active: the likely cause is activeValues.
  const values = !ok && census.active === 0 ? statusValuesNote(census) : '';
  return {
    id: 'active-tenants',
    title: `At least ${min} active tenants`,
    status: ok ? 'PASS' : 'FAIL',
    summary: ok
      ? `${plural(active, 'active tenant')}${rest}${assumed}`
      : `only ${plural(active, 'active tenant')}, need ≥ ${min} (short by ${min - active})${rest}${values}${assumed}`,
    measurements: [{ name: 'activeTenants', value: active, unit: 'tenants', threshold: `>= ${min}` }],
    evidence: [`${plural(census.total, 'tenant')} in ${census.store}; active means ${census.activeRule}`],
    ...(ok
      ? {}
      : {
          remediation: values
            ? 'If these values mean active, list them in activeValues (gates.tenants.activeValues); otherwise onboard more tenants.'
            : `Onboard ${min - active} more ${noun(min - active, 'tenant')} (or lower minTenants if this is not production).`,
        }),
  };
}

/** Where status values were found but none (or few) counted as active: the values, and the key that settles it. */
function statusValuesNote(census: TenantCensus): string {
  const found = census.statusValues ?? [];
  if (found.length === 0) return '';
  const list = found.map((v) => `${JSON.stringify(v.value)} ×${v.count}`).join(', ');
  return `; status values found: ${list}; active means ${census.activeRule} (set activeValues to the values that mean active)`;
}

function uniqueIdsCriterion(ids: IdScan): Criterion {
  const { empty, duplicates, extra: dupCount } = ids;
  const ok = empty === 0 && dupCount === 0;
  const groups = [...duplicates.values()].map((g) => g.map((s) => JSON.stringify(s)).join(' = '));
  const evidence = [
    `${plural(ids.rows, 'active ID')} checked after normalisation (trim, NFKC, lower-case)`,
    ...(empty ? [`${plural(empty, 'active tenant')} ${empty === 1 ? 'has' : 'have'} an empty or missing ID`] : []),
    ...(duplicates.size ? [`duplicates: ${listOffenders(groups, duplicates.size)}`] : []),
  ];
  const problems = [
    empty ? `${empty} without an ID` : '',
    dupCount ? `${plural(duplicates.size, 'ID')} used by more than one tenant: ${listOffenders(groups, duplicates.size, 3)}` : '',
  ].filter(Boolean);
  return {
    id: 'unique-ids',
    title: 'Every tenant has a unique, non-empty ID',
    status: ok ? 'PASS' : 'FAIL',
    summary: ok ? `${plural(ids.rows, 'unique tenant ID')}` : `tenant IDs not usable: ${problems.join(', ')}`,
    measurements: [
      { name: 'emptyIds', value: empty, threshold: '0' },
      { name: 'duplicateIds', value: dupCount, threshold: '0' },
    ],
    evidence,
    ...(ok ? {} : { remediation: 'Give every tenant a unique ID; IDs differing only in case, width or surrounding spaces are the same tenant to billing.' }),
  };
}

function configCriterion(census: TenantCensus): Criterion {
  const { count, examples } = census.missingConfig;
  const ok = count === 0;
  return {
    id: 'config-records',
    title: 'Every tenant has a config record',
    status: ok ? 'PASS' : 'FAIL',
    summary: ok
      ? `every active tenant has a config record (${census.configRule})`
      : `${plural(count, 'active tenant')} ${count === 1 ? 'has' : 'have'} no config record: ${listOffenders(examples, count)}`,
    measurements: [{ name: 'tenantsWithoutConfig', value: count, threshold: '0' }],
    evidence: [`config record means: ${census.configRule}`],
    ...(ok ? {} : { remediation: 'Create a config record for each tenant listed (tenant onboarding should write one).' }),
  };
}

function quotaCriterion(census: TenantCensus): Criterion {
  if (census.quotaFields.length === 0) {
    return {
      id: 'quotas',
      title: 'Every tenant has a positive quota',
      status: 'FAIL',
      summary: 'no quota field found (looked for names containing quota or rate_limit)',
      remediation: 'Store a quota per tenant, or name the fields that hold it (quotaColumns / quotaPaths).',
    };
  }
  const { count, examples, reasons } = census.missingQuota;
  const ok = count === 0;
  const fields = census.quotaFields.join(', ');
  const named = examples.map((id, i) => (reasons?.[i] ? `${id} (${reasons[i]})` : id));
  return {
    id: 'quotas',
    title: 'Every tenant has a positive quota',
    status: ok ? 'PASS' : 'FAIL',
    summary: ok
      ? `every active tenant has a positive quota (${fields})`
      : `${plural(count, 'active tenant')} ${count === 1 ? 'lacks' : 'lack'} a positive quota in ${fields}: ${listOffenders(named, count)}`,
    measurements: [{ name: 'tenantsWithoutQuota', value: count, threshold: '0' }],
    evidence: [`quota fields: ${fields}`],
    ...(ok ? {} : { remediation: 'Set a positive quota for each tenant listed; an unlimited tenant cannot be metered or throttled.' }),
  };
}

async function quotaProbeCriterion(input: TenantsCheckInput): Promise<Criterion> {
  const title = 'Quota enforced (HTTP 429 seen)';
  if (!input.probesAllowed) {
    return { id: 'quota-probe', title, status: 'SKIP', summary: 'quota probe configured but not run (--no-probes)' };
  }
  const probe = input.quotaProbe!;
  input.progress?.('probing quota enforcement');
  let results;
  try {
    results = await probe.run(input.signal);
  } catch (err) {
    return { id: 'quota-probe', title, status: 'ERROR', summary: `quota probe: ${describeError(err)}` };
  }
  if (results.length === 0) {
    return {
      id: 'quota-probe',
      title,
      status: 'ERROR',
      summary: 'quota probe: no test tenant was probed, so enforcement was not measured',
      remediation: 'List at least one test tenant under quotaProbe.tenants.',
    };
  }
  const evidence = results.map((r) => {
    const statuses = Object.entries(r.statusCounts)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const limited = r.limitedAt
      ? `429 at request ${r.limitedAt}/${r.maxRequests}, Retry-After ${r.retryAfter ?? 'missing'}`
      : `no 429 in ${r.sent}/${r.maxRequests} requests`;
    return `${r.tenant}: ${limited} in ${(r.elapsedMs / 1000).toFixed(1)} s [${statuses}]${r.stoppedBy ? `; stopped: ${r.stoppedBy}` : ''}`;
  });
  const unenforced = results.filter((r) => !r.limitedAt && !r.stoppedBy);
  const broken = results.filter((r) => !r.limitedAt && r.stoppedBy);
  const noRetryAfter = results.filter((r) => r.limitedAt && !r.retryAfter);
  let status: Criterion['status'] = 'PASS';
  let summary = `quota enforced for ${plural(results.length, 'test tenant')}`;
  if (unenforced.length) {
    status = 'FAIL';
    summary = `quota not enforced: no 429 within ${unenforced[0].maxRequests} requests for ${unenforced.map((r) => r.tenant).join(', ')}`;
  } else if (probe.requireRetryAfter && noRetryAfter.length) {
    status = 'FAIL';
    summary = `429 without Retry-After for ${noRetryAfter.map((r) => r.tenant).join(', ')} (requireRetryAfter is set)`;
  } else if (broken.length) {
    status = 'ERROR';
    summary = `quota probe could not finish for ${broken.map((r) => `${r.tenant} (${r.stoppedBy})`).join(', ')}`;
  }
  return {
    id: 'quota-probe',
    title,
    status,
    summary,
    evidence,
    measurements: results.map((r) => ({ name: `requestsUntil429.${r.tenant}`, value: r.limitedAt ?? null, threshold: `<= ${r.maxRequests}` })),
    ...(status === 'FAIL'
      ? { remediation: 'Attach a usage plan with a quota (API Gateway) or enforce the tenant rate limit in the app; answer 429 with Retry-After.' }
      : {}),
  };
}

async function isolationCriterion(input: TenantsCheckInput): Promise<Criterion> {
  const title = 'Row-level security isolates tenants';
  if (!input.probesAllowed) {
    return { id: 'isolation', title, status: 'SKIP', summary: 'isolation probe configured but not run (--no-probes)' };
  }
  input.progress?.('probing row-level security');
  let r;
  try {
    r = await input.isolationProbe!.run(input.signal);
  } catch (err) {
    return { id: 'isolation', title, status: 'ERROR', summary: `isolation probe: ${describeError(err)}` };
  }
  const problems: string[] = [];
  if (r.roleIsSuperuser) problems.push(`role ${r.role} is a superuser (bypasses RLS)`);
  if (r.roleBypassesRls) problems.push(`role ${r.role} has BYPASSRLS`);
  const context = `${r.setting} = '${r.tenant}'`;
  const unmeasured: string[] = [];
  for (const t of r.tables) {
    if (!t.rlsEnabled) problems.push(`${t.table}: row-level security not enabled`);
    else if (!t.rlsForced) problems.push(`${t.table}: row-level security not forced (the table owner bypasses it)`);
    if (t.leakedRows > 0) problems.push(`${t.table}: ${t.leakedRows} rows of other tenants visible to ${r.tenant}`);
    if (t.rlsEnabled && t.unknownTenantRows > 0) {
      problems.push(
        `${t.table}: ${t.unknownTenantRows} rows visible with ${r.setting} naming a tenant that does not exist (visibility does not follow the setting)`,
      );
    }
    if (t.otherTenantRows === 0) unmeasured.push(`${t.table} has no rows of other tenants to hide`);
    if (t.tenantRows === 0) unmeasured.push(`${t.table} has no rows of tenant '${r.tenant}' (no such tenant there), so its view shows nothing`);
    else if (t.ownRows === 0)
      unmeasured.push(
        `${t.table}: none of ${r.tenant}'s ${t.tenantRows} rows visible as ${r.role} with ${context} (${whyNothingVisible(t, r.role, r.setting)})`,
      );
  }
  const evidence = r.tables.map(
    (t) =>
      `${t.table}: RLS ${t.rlsEnabled ? 'enabled' : 'disabled'}${t.rlsForced ? ', forced' : ''}; ${t.selectPolicies} SELECT ${t.selectPolicies === 1 ? 'policy' : 'policies'} for ${r.role}` +
      ` (reading ${t.settingsRead.length ? t.settingsRead.join(', ') : 'no setting'}); as ${r.role} with ${context}: ${t.ownRows} of ${t.tenantRows} own rows and ${t.leakedRows} of ${t.otherTenantRows} other-tenant rows visible;` +
      ` with a tenant that does not exist: ${t.unknownTenantRows} rows visible`,
  );
  if (problems.length) {
    return {
      id: 'isolation',
      title,
      status: 'FAIL',
      summary: `tenant isolation broken: ${problems.join('; ')}`,
      evidence,
      remediation:
        'ENABLE and FORCE ROW LEVEL SECURITY on every tenant table, with a policy on the tenant setting; connect the app as a role without SUPERUSER or BYPASSRLS.',
    };
  }
  if (r.tables.length === 0) unmeasured.push('no table was probed');
  if (unmeasured.length) {
    return {
      id: 'isolation',
      title,
      status: 'ERROR',
      summary: `isolation not measured: ${unmeasured.join('; ')}`,
      evidence,
      remediation: `Probe a tenant that has rows in every listed table, and set isolationProbe.setting to the setting the policies read with current_setting().`,
    };
  }
  return {
    id: 'isolation',
    title,
    status: 'PASS',
    summary: `${r.tenant} sees its own rows and no other tenant's in ${r.tables.length} table(s), and a tenant that does not exist sees none`,
    evidence,
  };
}

/** Why a tenant with rows sees none of them, as far as the catalog tells. */
function whyNothingVisible(t: IsolationTableResult, role: string, setting: string): string {
  if (t.selectPolicies === 0) return `no SELECT policy applies to ${role}: row-level security then hides every row`;
  if (!t.settingsRead.includes(setting)) {
    const read = t.settingsRead.length ? `read ${t.settingsRead.join(', ')}` : 'read no setting through current_setting()';
    return `the policies ${read}, not ${setting}; PostgreSQL accepts any two-part setting name as a placeholder, so a wrong name is not an error`;
  }
  return `the policies read ${setting} but match none of its rows; check the value format and the column type`;
}
