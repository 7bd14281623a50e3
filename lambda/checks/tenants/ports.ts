import { definePort } from '../../core/ports';

/** What gate 1 needs from a tenant store, measured by the store where it lives (pushed down). */
export interface TenantCensus {
  /** Where the tenants were counted, e.g. "PostgreSQL db@127.0.0.1:5432 table public.tenants". */
  store: string;
  /** All rows/items seen. */
  total: number;
  /** Tenants counted as active. */
  active: number;
  /** How "active" was decided, e.g. "status in (active)". */
  activeRule: string;
  /** The config source used, e.g. "rows in tenant_configs". */
  configRule: string;
  /** Active tenants without a config record, with the first few IDs. */
  missingConfig: Offenders;
  /** The quota fields judged, e.g. ["monthly_token_quota", "rate_limit_rpm"]; empty when none found. */
  quotaFields: string[];
  /** Active tenants without a positive value in every quota field. */
  missingQuota: Offenders;
  /** The active tenants' IDs, in batches (null for a missing ID). */
  activeIds(): AsyncIterable<(string | null)[]>;
  /** Notes worth showing as evidence (e.g. how many items had no status attribute). */
  notes: string[];
  /**
   * Conventions the store fell back on because a setting was absent and what it found differs from
   * them, each naming the setting that settles it (e.g. "no status column in public.tenants, so
   * every row was counted as active; set statusColumn"). Shown in the summaries, not only as evidence.
   */
  assumptions?: string[];
  /** The status values found on all rows with their counts (most frequent first, at most 10), where there is a status field. */
  statusValues?: { value: string; count: number }[];
}

export interface Offenders {
  count: number;
  /** At most the first 10. */
  examples: string[];
  /** Per example (same order), why it offends where the store knows, e.g. "monthly_token_quota is NULL". */
  reasons?: string[];
}

export interface TenantStore {
  census(signal: AbortSignal): Promise<TenantCensus>;
  close(): Promise<void>;
}

/** Outcome of sending requests as a test tenant until the API answers 429. */
export interface QuotaProbeResult {
  tenant: string;
  sent: number;
  maxRequests: number;
  /** Request number (1-based) that got 429, if any. */
  limitedAt?: number;
  retryAfter?: string;
  elapsedMs: number;
  /** Set when the probe stopped because of the deadline, a network error or an unexpected status. */
  stoppedBy?: string;
  statusCounts: Record<string, number>;
}

export interface QuotaProbe {
  run(signal: AbortSignal): Promise<QuotaProbeResult[]>;
  requireRetryAfter: boolean;
}

/** Per table: RLS flags, what exists, and what the app role sees under a tenant context. */
export interface IsolationTableResult {
  table: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
  /** Rows of the probed tenant that exist (counted with row security off). */
  tenantRows: number;
  /** Rows of other tenants that exist (counted with row security off). */
  otherTenantRows: number;
  /** Rows of the probed tenant visible under its own context as the app role. */
  ownRows: number;
  /** Rows of other tenants visible under the probed tenant's context as the app role. */
  leakedRows: number;
  /** Rows visible as the app role with the setting naming a tenant that does not exist. */
  unknownTenantRows: number;
  /** Policies on the table that apply to SELECT by the app role. */
  selectPolicies: number;
  /** Settings those policies read with current_setting(), as written in their expressions. */
  settingsRead: string[];
}

export interface IsolationProbeResult {
  role: string;
  roleIsSuperuser: boolean;
  roleBypassesRls: boolean;
  /** The setting the probe set, e.g. app.current_tenant. */
  setting: string;
  tenant: string;
  tables: IsolationTableResult[];
}

export interface IsolationProbe {
  run(signal: AbortSignal): Promise<IsolationProbeResult>;
}

export interface QuotaProbeTenant {
  /** The test tenant's ID (for the report). */
  id: string;
  /** Headers that authenticate as this tenant, e.g. `x-api-key: ${env:TEST_TENANT_KEY}`. */
  headers?: Record<string, string>;
}

export interface QuotaProbeConfig {
  /** A cheap endpoint of the app: every request may cost money. */
  url: string;
  method?: 'GET' | 'POST' | 'HEAD';
  body?: string;
  /** Test tenants only: give them tiny quotas. */
  tenants: QuotaProbeTenant[];
  /** Upper bound on requests per tenant. Default 50. */
  maxRequests?: number;
  /** Upper bound on time per tenant. Default 20 s. */
  timeoutSeconds?: number;
  /** Per-request timeout. Default 5 s. */
  requestTimeoutSeconds?: number;
  /** Fail when the 429 has no Retry-After header. Default false (API Gateway sends none). */
  requireRetryAfter?: boolean;
}

/** How to see what one tenant can see: the app's role and the setting its RLS policies read. */
export interface IsolationProbeConfig {
  /** The application's database role (must not be a superuser or have BYPASSRLS). */
  role: string;
  /** Tables that must isolate tenants. */
  tables: string[];
  /** Column holding the tenant ID in those tables. Default `tenant_id`. */
  tenantColumn?: string;
  /** The setting the RLS policies read, e.g. `app.current_tenant`. */
  setting: string;
  /** The tenant whose view is probed. Default: the tenant with the most rows in the first table among those with rows in every table. */
  tenant?: string;
}

/** Gate 1's settings a tenant store reads (table, column and attribute names): the gate's own config. */
export type StoreOptions = Readonly<Record<string, unknown>>;

export const TENANT_STORE = definePort<TenantStore, StoreOptions>('tenantStore', 'tenant store');
export const ISOLATION_PROBE = definePort<IsolationProbe, IsolationProbeConfig>('isolationProbe', 'isolation probe');
export const QUOTA_PROBE = definePort<QuotaProbe, QuotaProbeConfig>('quotaProbe', 'quota probe');
