/**
 * Writes Cost and Usage Report CSV text the way AWS delivers it (docs/contracts/cur.md): legacy
 * CUR (`lineItem/UnblendedCost`, one `resourceTags/user:<key>` column per activated tag) or CUR 2.0
 * (`line_item_unblended_cost`, one `resource_tags` JSON map keyed `user_<snake_case key>`), with the
 * billing period columns of the month(s) the lines fall in.
 */
export interface CurLine {
  /** Usage start day, YYYY-MM-DD. */
  day: string;
  /** Tag value; undefined leaves the line untagged. */
  tag?: string;
  /** Default Usage. */
  type?: string;
  /** Decimal text. */
  cost: string;
  /** Default USD. */
  currency?: string;
  /** Default 111111111111. */
  account?: string;
}

export interface CurFileOptions {
  format: 'legacy' | 'cur2';
  /** The cost allocation tag key as tagged on resources. Default tenant_id. */
  tagKey?: string;
  /** Billing period the file covers, as [first day, first day of the next period). Default: the month of the first line. */
  period?: { start: string; end: string };
  /** Leave out the bill/BillingPeriod* columns (some exports and hand-made files lack them). */
  withoutPeriodColumns?: boolean;
}

/** The snake-case form CUR 2.0 (and Athena) give tag keys: `CostCenter` → `cost_center`, `karpenter.sh/pool` → `karpenter_sh_pool`. */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

const csv = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function curCsv(lines: CurLine[], opts: CurFileOptions): string {
  const key = opts.tagKey ?? 'tenant_id';
  const first = lines[0]?.day ?? '2024-05-01';
  const period = opts.period ?? {
    start: `${first.slice(0, 7)}-01`,
    end: new Date(Date.UTC(Number(first.slice(0, 4)), Number(first.slice(5, 7)), 1)).toISOString().slice(0, 10),
  };
  const legacy = opts.format === 'legacy';
  const header = legacy
    ? [
        ...(opts.withoutPeriodColumns ? [] : ['bill/BillingPeriodStartDate', 'bill/BillingPeriodEndDate']),
        'lineItem/UsageAccountId',
        'lineItem/LineItemType',
        'lineItem/UsageStartDate',
        'lineItem/CurrencyCode',
        'lineItem/UnblendedCost',
        `resourceTags/user:${key}`,
      ]
    : [
        ...(opts.withoutPeriodColumns ? [] : ['bill_billing_period_start_date', 'bill_billing_period_end_date']),
        'line_item_usage_account_id',
        'line_item_line_item_type',
        'line_item_usage_start_date',
        'line_item_currency_code',
        'line_item_unblended_cost',
        'resource_tags',
      ];
  const rows = lines.map((l) => {
    const tag = legacy ? (l.tag ?? '') : l.tag === undefined ? '{}' : JSON.stringify({ [`user_${snakeCase(key)}`]: l.tag });
    return [
      ...(opts.withoutPeriodColumns ? [] : [`${period.start}T00:00:00Z`, `${period.end}T00:00:00Z`]),
      l.account ?? '111111111111',
      l.type ?? 'Usage',
      `${l.day}T00:00:00Z`,
      l.currency ?? 'USD',
      l.cost,
      tag,
    ]
      .map(csv)
      .join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
