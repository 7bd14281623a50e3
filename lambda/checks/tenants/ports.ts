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
}

export interface Offenders {
  count: number;
  /** At most the first 10. */
  examples: string[];
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
