import type { AwsBillQuery } from '../../checks/cost/ports';
import { SourceError } from '../../core/errors';
import { exclusiveEnd, monthsOf, type CostWindow } from '../../checks/cost/window';
import { snakeCaseTagKey } from '../cur/schema';

/** Column names of the export tables AWS's setup creates (cur.md CUR-1..CUR-7, dataexports.md DE-8..DE-15). */
const LAYOUTS = {
  cur2: {
    day: 'line_item_usage_start_date',
    type: 'line_item_line_item_type',
    account: 'line_item_usage_account_id',
    currency: 'line_item_currency_code',
    tags: 'resource_tags',
    cost: { UnblendedCost: 'line_item_unblended_cost', NetUnblendedCost: 'line_item_net_unblended_cost', BlendedCost: 'line_item_blended_cost' } as Record<
      string,
      string
    >,
  },
  focus: {
    day: 'ChargePeriodStart',
    type: 'ChargeCategory',
    account: 'SubAccountId',
    currency: 'BillingCurrency',
    tags: 'Tags',
    cost: { UnblendedCost: 'BilledCost', NetUnblendedCost: 'BilledCost', AmortizedCost: 'EffectiveCost' } as Record<string, string>,
  },
};

/** The partition column of both tables (T): the billing period, YYYY-MM. */
export const PERIOD_COLUMN = 'billing_period';

/** The result columns, in order: the header row must say exactly these (AT-8). */
export const RESULT_COLUMNS = [
  'tenant',
  'bill_period',
  'g_tenant',
  'g_period',
  'cost',
  'line_items',
  'first_day',
  'last_day',
  'min_currency',
  'max_currency',
] as const;

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface AthenaTable {
  format: 'cur2' | 'focus';
  database: string;
  table: string;
}

/** What one query reads, for messages: e.g. "BilledCost as UnblendedCost". */
export function costColumn(format: AthenaTable['format'], metric: AwsBillQuery['metric']): string {
  const column = LAYOUTS[format].cost[metric];
  if (!column) {
    throw new SourceError(
      'malformed',
      `the Athena source cannot give ${metric} from a ${format === 'cur2' ? 'CUR 2.0' : 'FOCUS'} table (it reads ${Object.keys(LAYOUTS[format].cost).join(', ')})`,
      {
        remediation:
          format === 'cur2'
            ? 'Use UnblendedCost, NetUnblendedCost or BlendedCost, a FOCUS table (EffectiveCost) for AmortizedCost, or the dataexport source.'
            : 'Use UnblendedCost (BilledCost) or AmortizedCost (EffectiveCost).',
      },
    );
  }
  return column;
}

/**
 * The one aggregate statement of a run (docs/contracts/athena.md, "The query"), in the SQL that
 * Athena (Trino) and DuckDB share: per tenant tag value (untagged as ''), per billing period
 * (coverage), and the grand total, over the line items whose usage starts in the window.
 */
export function reconciliationQuery(t: AthenaTable, q: AwsBillQuery, window: CostWindow): string {
  const l = LAYOUTS[t.format];
  const keys = t.format === 'cur2' ? [...new Set([`user_${snakeCaseTagKey(q.tagKey)}`, `user_${q.tagKey}`])] : [q.tagKey, `user:${q.tagKey}`];
  const tags = quoted(l.tags);
  const tenant = `CASE ${keys.map((k) => `WHEN contains(map_keys(${tags}), ${literal(k)}) THEN ${tags}[${literal(k)}]`).join(' ')} ELSE '' END`;
  const day = quoted(l.day);
  const filters = [
    `${PERIOD_COLUMN} IN (${monthsOf(window).map(literal).join(', ')})`,
    `${day} >= TIMESTAMP '${window.from} 00:00:00'`,
    `${day} < TIMESTAMP '${exclusiveEnd(window)} 00:00:00'`,
    ...(q.excludeRecordTypes.length ? [`(${quoted(l.type)} IS NULL OR ${quoted(l.type)} NOT IN (${q.excludeRecordTypes.map(literal).join(', ')}))`] : []),
    ...(q.linkedAccounts?.length ? [`${quoted(l.account)} IN (${q.linkedAccounts.map(literal).join(', ')})`] : []),
  ];
  return [
    'SELECT tenant, bill_period, grouping(tenant) AS g_tenant, grouping(bill_period) AS g_period,',
    '  sum(cost) AS cost, count(*) AS line_items, min(usage_day) AS first_day, max(usage_day) AS last_day,',
    '  min(currency) AS min_currency, max(currency) AS max_currency',
    'FROM (',
    `  SELECT ${tenant} AS tenant,`,
    `    ${PERIOD_COLUMN} AS bill_period,`,
    `    CAST(${quoted(costColumn(t.format, q.metric))} AS DECIMAL(38, 12)) AS cost,`,
    `    CAST(${day} AS DATE) AS usage_day,`,
    `    ${quoted(l.currency)} AS currency`,
    `  FROM ${quoted(t.database)}.${quoted(t.table)}`,
    `  WHERE ${filters.join('\n    AND ')}`,
    ') t',
    'GROUP BY GROUPING SETS ((tenant), (bill_period), ())',
  ].join('\n');
}
