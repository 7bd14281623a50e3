/**
 * In-memory gate-1 ports, built from what `lambda/checks/tenants/ports.ts` documents: a census is
 * computed here from a list of tenant records the way the port describes it (active tenants, config
 * records, positive values in every quota field), not the way any adapter happens to query it.
 */
import type {
  IsolationProbe,
  IsolationProbeResult,
  IsolationTableResult,
  QuotaProbe,
  QuotaProbeResult,
  TenantCensus,
  TenantStore,
} from '../../../lambda/checks/tenants/ports';

export interface FakeTenant {
  /** null: a record without an ID. */
  id: string | null;
  /** Default 'active'. */
  status?: string;
  /** Whether a config record exists. Default true. */
  config?: boolean;
  /** Quota field → value; a field that is absent is NULL. Default { quota: 100 }. */
  quotas?: Record<string, number | null>;
}

export interface FakeTenantStoreOptions {
  /** The quota fields the store judges; default: every field named in any tenant's quotas. */
  quotaFields?: string[];
  /** Active IDs per batch of activeIds(). Default 3, so that batching is exercised. */
  batchSize?: number;
  notes?: string[];
  /** census() rejects with this. */
  fail?: unknown;
  /** false: the store names quota offenders without saying why (reasons are optional in the port). */
  quotaReasons?: boolean;
  assumptions?: string[];
  statusValues?: { value: string; count: number }[];
}

const EXAMPLES = 10;

function offenders(ids: (string | null)[], reasons?: string[]) {
  return { count: ids.length, examples: ids.slice(0, EXAMPLES).map((id) => id ?? '(no id)'), ...(reasons ? { reasons: reasons.slice(0, EXAMPLES) } : {}) };
}

/** Why a tenant's quotas miss: each field that is NULL, zero or negative, as the port documents `reasons`. */
function quotaReason(quotas: Record<string, number | null>, fields: string[]): string {
  return fields
    .flatMap((f) => {
      const v = quotas[f];
      if (v === null || v === undefined) return [`${f} is NULL`];
      if (v === 0) return [`${f} is 0`];
      if (v < 0) return [`${f} is negative (${v})`];
      return [];
    })
    .join(', ');
}

/** A tenant store over an array of tenant records. `closed` counts close() calls. */
export function fakeTenantStore(tenants: FakeTenant[], opts: FakeTenantStoreOptions = {}): TenantStore & { closed: number; censusCalls: number } {
  const store = {
    closed: 0,
    censusCalls: 0,
    async census(): Promise<TenantCensus> {
      store.censusCalls++;
      if (opts.fail !== undefined) throw opts.fail;
      const rows = tenants.map((t) => ({ ...t, status: t.status ?? 'active', config: t.config ?? true, quotas: t.quotas ?? { quota: 100 } }));
      const active = rows.filter((t) => t.status === 'active');
      const quotaFields = opts.quotaFields ?? [...new Set(rows.flatMap((t) => Object.keys(t.quotas)))].sort();
      // "Without a positive value in every quota field": NULL (absent), 0 and negatives all miss.
      const positive = (v: number | null | undefined) => typeof v === 'number' && v > 0;
      const batch = opts.batchSize ?? 3;
      return {
        store: 'memory table tenants',
        total: rows.length,
        active: active.length,
        activeRule: "status = 'active'",
        configRule: 'a config record per tenant',
        missingConfig: offenders(active.filter((t) => !t.config).map((t) => t.id)),
        quotaFields,
        missingQuota: (() => {
          const missing = quotaFields.length ? active.filter((t) => !quotaFields.every((f) => positive(t.quotas[f]))) : [];
          return offenders(
            missing.map((t) => t.id),
            opts.quotaReasons === false ? undefined : missing.map((t) => quotaReason(t.quotas, quotaFields)),
          );
        })(),
        async *activeIds() {
          for (let i = 0; i < active.length; i += batch) yield active.slice(i, i + batch).map((t) => t.id);
        },
        notes: opts.notes ?? [],
        ...(opts.assumptions ? { assumptions: opts.assumptions } : {}),
        ...(opts.statusValues ? { statusValues: opts.statusValues } : {}),
      };
    },
    async close() {
      store.closed++;
    },
  };
  return store;
}

/** `n` active tenants t01…tNN, each with a config record and a positive quota. */
export function healthyTenants(n: number, over: Partial<FakeTenant> = {}): FakeTenant[] {
  return Array.from({ length: n }, (_, i) => ({ id: `t${String(i + 1).padStart(2, '0')}`, ...over }));
}

/** A quota probe answering with fixed results (or rejecting); `runs` counts how often it was run. */
export function fakeQuotaProbe(results: QuotaProbeResult[] | Error, requireRetryAfter = false): QuotaProbe & { runs: number } {
  const probe = {
    runs: 0,
    requireRetryAfter,
    async run() {
      probe.runs++;
      if (results instanceof Error) throw results;
      return results;
    },
  };
  return probe;
}

/** One test tenant's probe outcome; by default limited at request 5 of 50 with a Retry-After. */
export function probeResult(over: Partial<QuotaProbeResult> = {}): QuotaProbeResult {
  return { tenant: 'test-tenant', sent: 5, maxRequests: 50, limitedAt: 5, retryAfter: '60', elapsedMs: 1234, statusCounts: { '200': 4, '429': 1 }, ...over };
}

/** An isolation probe answering with a fixed result (or rejecting); `runs` counts how often it was run. */
export function fakeIsolationProbe(result: IsolationProbeResult | Error): IsolationProbe & { runs: number } {
  const probe = {
    runs: 0,
    async run() {
      probe.runs++;
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return probe;
}

/** A table on which RLS is enabled, forced and works: own rows visible, none of others. */
export function isolatedTable(table = 'documents', over: Partial<IsolationTableResult> = {}): IsolationTableResult {
  return {
    table,
    rlsEnabled: true,
    rlsForced: true,
    tenantRows: 4,
    otherTenantRows: 6,
    ownRows: 4,
    leakedRows: 0,
    unknownTenantRows: 0,
    selectPolicies: 1,
    settingsRead: ['app.current_tenant'],
    ...over,
  };
}

export function isolationResult(tables: IsolationTableResult[] = [isolatedTable()], over: Partial<IsolationProbeResult> = {}): IsolationProbeResult {
  return { role: 'app_user', roleIsSuperuser: false, roleBypassesRls: false, setting: 'app.current_tenant', tenant: 'acme', tables, ...over };
}
