import type { AwsBillQuery } from '../../checks/cost/ports';
import { SourceError } from '../../core/errors';
import { AMORTIZED, COLUMNS, CUR_METRICS, snakeCaseTagKey, type AmortizedColumn } from '../cur/bill';
import type { ColumnRequest } from './table';

/** Which table dictionary a data file follows, told from its column names. */
export type ExportSchema = 'legacy CUR' | 'CUR 2.0' | 'FOCUS';

/** FOCUS columns read (docs/contracts/dataexports.md, DE-8..DE-15). */
const FOCUS = {
  day: 'ChargePeriodStart',
  type: 'ChargeCategory',
  currency: 'BillingCurrency',
  account: 'SubAccountId',
  periodStart: 'BillingPeriodStart',
  tags: 'Tags',
  billed: 'BilledCost',
  effective: 'EffectiveCost',
};

/** The columns one data file is read through, named as that file names them. */
export interface ColumnPlan {
  schema: ExportSchema;
  /** The cost column (or, for a derived AmortizedCost, the unblended cost). */
  cost: string;
  /** Columns requested from the file, in this order: day, cost, tag, type, account, currency, then amortization inputs. */
  requests: ColumnRequest[];
  /** Index in `requests` of each optional column, -1 when the file lacks it. */
  at: { type: number; account: number; currency: number };
  /** AmortizedCost from CUR columns: index in `requests` of each input the file has. */
  amortized?: Partial<Record<AmortizedColumn, number>>;
  /** What the plan reads, for the report (e.g. "BilledCost as UnblendedCost"). */
  note?: string;
}

export function schemaOf(names: string[]): ExportSchema | undefined {
  const has = (n: string) => names.includes(n);
  if (has(FOCUS.billed) || has(FOCUS.day)) return 'FOCUS';
  if (has(COLUMNS.day[1])) return 'CUR 2.0';
  if (has(COLUMNS.day[0])) return 'legacy CUR';
  return undefined;
}

/**
 * The columns to read from a file with these column names for the query, or an ERROR naming
 * what is missing. Tags: legacy `resourceTags/user:<key>`; CUR 2.0 `resource_tags` keyed
 * `user_<snake_case key>` (CUR-7); FOCUS `Tags` keyed as tagged, or `user:<key>` (DE-15).
 */
export function planColumns(names: string[], query: AwsBillQuery, where: string): ColumnPlan {
  const schema = schemaOf(names);
  if (!schema) {
    throw new SourceError('malformed', `${where} is not a CUR, CUR 2.0 or FOCUS export: it has none of ${COLUMNS.day.join(', ')}, ${FOCUS.day}`);
  }
  const key = query.tagKey;
  const has = (n: string) => names.includes(n);
  const pick = (candidates: readonly string[]) => candidates.find(has);
  let cost: string | undefined;
  let tag: ColumnRequest | undefined;
  let day: string;
  let type: string | undefined;
  let account: string | undefined;
  let currency: string | undefined;
  let note: string | undefined;
  const legacy = schema === 'legacy CUR' ? 0 : 1;
  if (schema === 'FOCUS') {
    day = FOCUS.day;
    if (query.metric === 'AmortizedCost') cost = has(FOCUS.effective) ? FOCUS.effective : undefined;
    else if (query.metric === 'UnblendedCost' || query.metric === 'NetUnblendedCost') cost = has(FOCUS.billed) ? FOCUS.billed : undefined;
    else
      throw new SourceError(
        'malformed',
        `${where} is a FOCUS export, which has no ${query.metric} (it has BilledCost for UnblendedCost/NetUnblendedCost and EffectiveCost for AmortizedCost)`,
      );
    note = `${cost ?? (query.metric === 'AmortizedCost' ? FOCUS.effective : FOCUS.billed)} as ${query.metric}`;
    tag = has(FOCUS.tags) ? { name: FOCUS.tags, mapKeys: [key, `user:${key}`] } : undefined;
    type = pick([FOCUS.type]);
    account = pick([FOCUS.account]);
    currency = pick([FOCUS.currency]);
  } else {
    day = COLUMNS.day[legacy];
    if (!(CUR_METRICS as readonly string[]).includes(query.metric))
      throw new SourceError('malformed', `${query.metric} cannot be read from a bill export (use ${CUR_METRICS.join(', ')})`);
    cost = pick([COLUMNS[query.metric as (typeof CUR_METRICS)[number]][legacy]]);
    const flat = pick([`resourceTags/user:${key}`, `resource_tags_user_${key}`, `resource_tags_user_${snakeCaseTagKey(key)}`]);
    tag = flat
      ? { name: flat }
      : has('resource_tags')
        ? { name: 'resource_tags', mapKeys: [`user_${key}`, `user_${snakeCaseTagKey(key)}`, `user:${key}`, key] }
        : undefined;
    type = pick([COLUMNS.type[legacy]]);
    account = pick([COLUMNS.account[legacy]]);
    currency = pick([COLUMNS.currency[legacy]]);
  }
  const missing = [
    !cost ? `a cost column for ${query.metric}` : '',
    !tag ? (schema === 'FOCUS' ? 'Tags' : schema === 'CUR 2.0' ? 'resource_tags' : `resourceTags/user:${key}`) : '',
  ].filter(Boolean);
  if (missing.length) {
    throw new SourceError('not-found', `${where} (${schema}) lacks ${missing.join(' and ')}`, {
      remediation: !tag ? `Activate '${key}' as a cost allocation tag and include resource tags in the export.` : undefined,
    });
  }
  const requests: ColumnRequest[] = [{ name: day }, { name: cost! }, tag!];
  const add = (name: string | undefined) => (name ? requests.push({ name }) - 1 : -1);
  const at = { type: add(type), account: add(account), currency: add(currency) };
  let amortized: ColumnPlan['amortized'];
  if (query.metric === 'AmortizedCost' && schema !== 'FOCUS') {
    if (at.type < 0)
      throw new SourceError('malformed', `${where} has no ${COLUMNS.type[legacy]} column, which AmortizedCost needs to tell covered usage and fees apart`);
    amortized = {};
    for (const [name, candidates] of Object.entries(AMORTIZED) as [AmortizedColumn, readonly string[]][]) {
      const column = pick([candidates[legacy]]);
      if (column) amortized[name] = add(column);
    }
  }
  return { schema, cost: cost!, requests, at, amortized, note };
}
