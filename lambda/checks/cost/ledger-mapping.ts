/**
 * Where the app's cost ledger keeps its entries. Conventions:
 * `tenant_costs(tenant_id, usage_date, provider, cost_usd)`; every name can be changed.
 */
export interface LedgerMapping {
  /** Table (PostgreSQL, optionally schema-qualified). Default tenant_costs. Not used for CSV or DynamoDB. */
  table?: string;
  /** Default tenant_id. */
  tenantColumn?: string;
  /** A date (date-only) or timestamp of the usage. Default usage_date. */
  dateColumn?: string;
  /** Which provider the cost is for (e.g. aws, openai). Default provider. */
  providerColumn?: string;
  /** The cost in USD, a decimal. Default cost_usd. */
  costColumn?: string;
}

export function ledgerColumns(m: LedgerMapping) {
  return {
    table: m.table ?? 'tenant_costs',
    tenant: m.tenantColumn ?? 'tenant_id',
    date: m.dateColumn ?? 'usage_date',
    provider: m.providerColumn ?? 'provider',
    cost: m.costColumn ?? 'cost_usd',
  };
}
