import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, sendAwsJsonError, sigV4Scope, utcToday } from './aws-wire';

/**
 * A local AWS Cost Explorer answering GetCostAndUsage as docs/contracts/costexplorer.md describes
 * it (rule ids in the comments), computed from daily line items. It is written from that contract,
 * not from the adapter: it refuses what the service refuses, with the service's error shape.
 */
export interface CeLineItem {
  day: string;
  /** Value of the cost allocation tag `tagKey` (default tenant_id); undefined is untagged. */
  tag?: string;
  /** Tag key the value belongs to. Default tenant_id. */
  tagKey?: string;
  /** RECORD_TYPE. Default Usage. */
  recordType?: string;
  /** LINKED_ACCOUNT. Default 111111111111. */
  account?: string;
  /** Decimal string, the same for every cost metric unless `metrics` says otherwise. */
  amount: string;
  metrics?: Partial<Record<CeMetric, string>>;
  /** Default USD. */
  unit?: string;
}

export const CE_METRICS = [
  'AmortizedCost',
  'BlendedCost',
  'NetAmortizedCost',
  'NetUnblendedCost',
  'NormalizedUsageAmount',
  'UnblendedCost',
  'UsageQuantity',
] as const;
export type CeMetric = (typeof CE_METRICS)[number];

/** Errors a test can have the service answer, with the status and message shape it uses (CE-19). */
export type CeScriptedError =
  | 'LimitExceededException'
  | 'ThrottlingException'
  | 'DataUnavailableException'
  | 'BillExpirationException'
  | 'AccessDeniedException'
  | 'UnrecognizedClientException'
  | 'InternalFailure';

export interface CostExplorerOptions {
  items: CeLineItem[];
  /** Groups per page. AWS does not document its page size (CE-18); tests choose one. Default 1000. */
  pageSize?: number;
  /** The service's current UTC date, for CE-5..CE-7 and CE-17. Default: today. */
  today?: string;
  /** The account enabled multi-year data (CE-7). */
  multiYearData?: boolean;
  /** Periods ending after this day are Estimated. Default: periods reaching into the current month (CE-17). */
  estimatedAfter?: string;
  /** One scripted error per request, in order (null answers normally). */
  script?: (CeScriptedError | null)[];
  /** Every request answers this error. */
  always?: CeScriptedError;
  /** Only requests signed with this access key id are accepted. */
  requireAccessKey?: string;
}

export interface CeSeenRequest {
  target: string | undefined;
  body: Record<string, any>;
  accessKey: string | undefined;
  region: string | undefined;
  status: number;
}

export interface CostExplorerStandIn {
  endpoint: string;
  requests: CeSeenRequest[];
  /** Requests answered with data: what AWS bills at $0.01 each (CE-20). */
  billed(): number;
  stop(): Promise<void>;
}

const JSON11 = 'application/x-amz-json-1.1';
const TARGET = 'AWSInsightsIndexService.GetCostAndUsage';
const NS = 'com.amazon.awsinsightsindexservice#';
/** Dimensions Cost Explorer knows (the model's `Dimension` enum, the ones a filter may name). */
const DIMENSIONS = new Set([
  'AZ',
  'INSTANCE_TYPE',
  'LINKED_ACCOUNT',
  'LINKED_ACCOUNT_NAME',
  'OPERATION',
  'PURCHASE_TYPE',
  'REGION',
  'SERVICE',
  'SERVICE_CODE',
  'USAGE_TYPE',
  'USAGE_TYPE_GROUP',
  'RECORD_TYPE',
  'OPERATING_SYSTEM',
  'TENANCY',
  'SCOPE',
  'PLATFORM',
  'SUBSCRIPTION_ID',
  'LEGAL_ENTITY_NAME',
  'DEPLOYMENT_OPTION',
  'DATABASE_ENGINE',
  'CACHE_ENGINE',
  'INSTANCE_TYPE_FAMILY',
  'BILLING_ENTITY',
  'RESERVATION_ID',
  'RESOURCE_ID',
  'RIGHTSIZING_TYPE',
  'SAVINGS_PLANS_TYPE',
  'SAVINGS_PLAN_ARN',
  'PAYMENT_OPTION',
  'INVOICING_ENTITY',
]);
const ROOTS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;
const YEAR_MONTH_DAY = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?$/;

class Refusal extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
const validation = (message: string) => new Refusal('ValidationException', message);

const DEC = 10n ** 10n;
const toUnits = (s: string): bigint => {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m) throw new Error(`stand-in item amount is not a decimal: ${s}`);
  const v = BigInt(m[2] || '0') * DEC + BigInt(`${m[3] ?? ''}0000000000`.slice(0, 10));
  return m[1] ? -v : v;
};
const fromUnits = (v: bigint): string => {
  const a = v < 0n ? -v : v;
  return `${v < 0n ? '-' : ''}${a / DEC}.${(a % DEC).toString().padStart(10, '0')}`;
};
const day = (text: string) => text.slice(0, 10);
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const firstOfMonth = (d: string, addMonths = 0) => {
  const [y, m] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + addMonths, 1)).toISOString().slice(0, 10);
};
const realDay = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;

/** CE-11: one root per Expression, And/Or lists, Not one Expression, known dimensions. */
function checkExpression(e: any, at: string): void {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw validation(`${at} is not an Expression`);
  const roots = ROOTS.filter((r) => e[r] !== undefined);
  if (roots.length > 1)
    throw validation(
      'Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories',
    );
  // The wording for an Expression without any root is not documented.
  if (roots.length === 0) throw validation(`${at} has no root operator (And, Or, Not, Dimensions, Tags, CostCategories)`);
  const root = roots[0];
  if (root === 'And' || root === 'Or') {
    if (!Array.isArray(e[root])) throw validation(`${at}.${root} must be a list of Expressions`);
    e[root].forEach((x: unknown, i: number) => checkExpression(x, `${at}.${root}[${i}]`));
  } else if (root === 'Not') checkExpression(e.Not, `${at}.Not`);
  else if (root === 'Dimensions') {
    if (!DIMENSIONS.has(e.Dimensions?.Key))
      throw validation(
        `1 validation error detected: Value '${e.Dimensions?.Key}' at '${at}.dimensions.key' failed to satisfy constraint: Member must satisfy enum value set`,
      );
    if (!Array.isArray(e.Dimensions.Values)) throw validation(`${at}.Dimensions.Values must be a list`);
  } else if (root === 'Tags') {
    if (e.Tags.Values !== undefined && !Array.isArray(e.Tags.Values)) throw validation(`${at}.Tags.Values must be a list`);
  }
}

function dimensionOf(item: CeLineItem, key: string): string {
  if (key === 'RECORD_TYPE') return item.recordType ?? 'Usage';
  if (key === 'LINKED_ACCOUNT') return item.account ?? '111111111111';
  // Dimensions the stand-in's items do not carry have no value: they match nothing.
  return '';
}

function matches(e: any, item: CeLineItem): boolean {
  if (!e) return true;
  if (e.And) return e.And.every((x: unknown) => matches(x, item));
  if (e.Or) return e.Or.some((x: unknown) => matches(x, item));
  if (e.Not) return !matches(e.Not, item);
  if (e.Dimensions) return e.Dimensions.Values.includes(dimensionOf(item, e.Dimensions.Key));
  if (e.Tags) {
    const has = (item.tagKey ?? 'tenant_id') === e.Tags.Key && item.tag !== undefined;
    // CE: a Key without Values matches resources without that tag (ABSENT).
    if (!e.Tags.Values) return !has;
    return has && e.Tags.Values.includes(item.tag);
  }
  return false;
}

function groupKey(item: CeLineItem, def: { Type: string; Key: string }): string {
  if (def.Type === 'TAG') return `${def.Key}$${(item.tagKey ?? 'tenant_id') === def.Key ? (item.tag ?? '') : ''}`; // CE-15
  return dimensionOf(item, def.Key);
}

interface Query {
  start: string;
  end: string;
  granularity: string;
  metrics: CeMetric[];
  groupBy: { Type: string; Key: string }[];
  filter: unknown;
}

export async function startCostExplorer(opts: CostExplorerOptions): Promise<CostExplorerStandIn> {
  const requests: CeSeenRequest[] = [];
  let n = 0;
  let billed = 0;
  const today = () => opts.today ?? utcToday();

  /** CE-3..CE-10: the request as the service validates it. */
  const validate = (body: Record<string, any>): Query => {
    const tp = body.TimePeriod;
    if (!tp) throw validation("1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null");
    for (const f of ['Start', 'End'] as const) {
      if (typeof tp[f] !== 'string' || !YEAR_MONTH_DAY.test(tp[f]) || !realDay(day(tp[f]))) {
        throw validation(
          `1 validation error detected: Value '${tp[f]}' at 'timePeriod.${f.toLowerCase()}' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{4}-\\d{2}-\\d{2})(T\\d{2}:\\d{2}:\\d{2}Z)?`,
        );
      }
    }
    const start = day(tp.Start);
    const end = day(tp.End);
    if (start >= end) throw validation('Start date (and hour) should be before end date (and hour)'); // CE-4
    if (start > today()) throw validation(`Start date ${start} is after the current date ${today()}`); // CE-5 (wording not documented)
    if (end > firstOfMonth(today(), 1)) throw validation('end date past the beginning of next month'); // CE-6
    const oldest = firstOfMonth(today(), opts.multiYearData ? -37 : -13); // CE-7
    if (start < oldest) throw validation(`Start date ${start} is before the oldest date Cost Explorer keeps for this account (${oldest})`); // wording not documented
    if (opts.multiYearData && start < firstOfMonth(today(), -13) && !start.endsWith('-01')) {
      throw validation('To retrieve data beyond the past 14 months, your start date needs to be the first day of the month.');
    }
    if (!['DAILY', 'MONTHLY', 'HOURLY'].includes(body.Granularity)) {
      throw validation(
        `1 validation error detected: Value '${body.Granularity}' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]`,
      ); // CE-8
    }
    if (body.Granularity === 'HOURLY') throw validation('Hourly granularity is not enabled for this account'); // opt-in; wording not documented
    if (!Array.isArray(body.Metrics) || body.Metrics.length === 0) throw validation('Metrics is required for GetCostAndUsage'); // CE-9
    for (const m of body.Metrics)
      if (!(CE_METRICS as readonly string[]).includes(m)) throw validation(`Unsupported metric ${m}; valid metrics are ${CE_METRICS.join(', ')}`);
    const groupBy = body.GroupBy ?? [];
    if (!Array.isArray(groupBy)) throw validation('GroupBy must be a list');
    if (groupBy.length > 2) throw validation('You can group by up to two different groups'); // CE-10 (wording not documented)
    for (const g of groupBy) {
      if (!['DIMENSION', 'TAG', 'COST_CATEGORY'].includes(g?.Type)) throw validation(`Invalid group type ${g?.Type}`);
      if (typeof g.Key !== 'string' || g.Key.length > 1024) throw validation('Invalid group key');
      if (g.Type === 'DIMENSION' && !DIMENSIONS.has(g.Key)) throw validation(`Invalid group by dimension ${g.Key}`);
    }
    if (body.Filter !== undefined) checkExpression(body.Filter, 'filter'); // CE-11
    return { start, end, granularity: body.Granularity, metrics: body.Metrics, groupBy, filter: body.Filter };
  };

  // One query's answer, computed once and then sliced into pages: the real service's work does not
  // run on this machine, so the stand-in keeps its share of the CPU small (bench/cost.ts).
  const answers = new Map<string, ReturnType<typeof compute>>();
  const answer = (q: Query, hash: string) => {
    const known = answers.get(hash) ?? compute(q);
    answers.set(hash, known);
    return known;
  };
  const compute = (q: Query) => {
    const periods: { Start: string; End: string }[] = [];
    for (let s = q.start; s < q.end; ) {
      const next = q.granularity === 'MONTHLY' ? firstOfMonth(s, 1) : nextDay(s);
      const e = next < q.end ? next : q.end;
      periods.push({ Start: s, End: e });
      s = e;
    }
    const groups: { period: { Start: string; End: string }; keys: string[]; amounts: Map<CeMetric, bigint>; unit: string }[] = [];
    for (const p of periods) {
      const byKey = new Map<string, (typeof groups)[number]>();
      for (const item of opts.items) {
        if (item.day < p.Start || item.day >= p.End || !matches(q.filter, item)) continue;
        const keys = q.groupBy.map((g) => groupKey(item, g));
        const id = JSON.stringify(keys);
        const g = byKey.get(id) ?? { period: p, keys, amounts: new Map(), unit: item.unit ?? 'USD' };
        for (const m of q.metrics) g.amounts.set(m, (g.amounts.get(m) ?? 0n) + toUnits(item.metrics?.[m] ?? (m === 'UsageQuantity' ? '0' : item.amount)));
        byKey.set(id, g);
      }
      groups.push(...[...byKey.values()].sort((a, b) => (a.keys.join('\u0000') < b.keys.join('\u0000') ? -1 : 1)));
    }
    return { periods, groups };
  };

  const queryHash = (body: Record<string, any>) =>
    createHash('sha256')
      .update(JSON.stringify({ ...body, NextPageToken: undefined }))
      .digest('hex')
      .slice(0, 16);

  const handle = (req: IncomingMessage, raw: Buffer, res: ServerResponse) => {
    const scope = sigV4Scope(req);
    let body: Record<string, any> = {};
    const seen: CeSeenRequest = {
      target: req.headers['x-amz-target'] as string | undefined,
      body,
      accessKey: scope?.accessKeyId,
      region: scope?.region,
      status: 0,
    };
    requests.push(seen);
    const refuse = (type: string, message: string, status = 400) => {
      seen.status = status;
      sendAwsJsonError(res, JSON11, status, `${NS}${type}`, message);
    };
    // CE-1: the JSON 1.1 operation, signed for `ce`.
    if (req.method !== 'POST' || seen.target !== TARGET || req.headers['content-type'] !== JSON11)
      return refuse('UnknownOperationException', `unknown operation ${seen.target}`);
    if (scope?.service !== 'ce') return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    // CE-2: the aws partition's one endpoint signs for us-east-1.
    if (scope.region !== 'us-east-1') return refuse('InvalidSignatureException', 'Credential should be scoped to a valid region.', 403);
    if (opts.requireAccessKey && scope.accessKeyId !== opts.requireAccessKey)
      return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
      seen.body = body;
    } catch {
      return refuse('SerializationException', 'Start of structure or map found where not expected.');
    }
    const scripted = opts.always ?? opts.script?.[n];
    n++;
    if (scripted) {
      const messages: Record<CeScriptedError, [number, string]> = {
        LimitExceededException: [400, 'Rate exceeded'],
        ThrottlingException: [400, 'Rate exceeded'],
        DataUnavailableException: [
          400,
          'Data is not available. Please try to adjust the time period. If just enabled Cost Explorer, data might not be ingested yet',
        ],
        BillExpirationException: [400, 'The requested report expired. Update the date interval and try again.'],
        AccessDeniedException: [400, `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ce:GetCostAndUsage`],
        UnrecognizedClientException: [400, 'The security token included in the request is invalid.'],
        InternalFailure: [500, 'An internal error occurred'],
      };
      const [status, message] = messages[scripted];
      return refuse(scripted, message, status);
    }
    let q: Query;
    try {
      q = validate(body);
    } catch (err) {
      if (err instanceof Refusal) return refuse(err.type, err.message, err.status);
      throw err;
    }
    // CE-13: a token is the offset into this query's groups, bound to the query it came from.
    let offset = 0;
    if (body.NextPageToken !== undefined) {
      let token: { o?: unknown; q?: unknown };
      try {
        token = JSON.parse(Buffer.from(String(body.NextPageToken), 'base64').toString('utf8'));
      } catch {
        return refuse('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
      }
      if (typeof token.o !== 'number' || typeof token.q !== 'string')
        return refuse('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
      if (token.q !== queryHash(body))
        return refuse(
          'RequestChangedException',
          'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.',
        );
      offset = token.o;
    }
    const { periods, groups } = answer(q, queryHash(body));
    const size = opts.pageSize ?? 1000;
    const slice = groups.slice(offset, offset + size);
    const more = offset + size < groups.length;
    const estimatedAfter = opts.estimatedAfter ?? firstOfMonth(today());
    // Every page carries the periods of its groups; the first also the periods without any.
    const shown = periods.filter((p) => slice.some((g) => g.period === p) || (offset === 0 && !groups.some((g) => g.period === p)));
    const metricMap = (amounts: Map<CeMetric, bigint>, unit: string) =>
      Object.fromEntries(q.metrics.map((m) => [m, { Amount: fromUnits(amounts.get(m) ?? 0n), Unit: m === 'UsageQuantity' ? 'N/A' : unit }])); // CE-16
    const grouped = q.groupBy.length > 0;
    seen.status = 200;
    billed++;
    res.writeHead(200, { 'content-type': JSON11, 'x-amzn-requestid': `standin-${n}` });
    res.end(
      JSON.stringify({
        GroupDefinitions: q.groupBy,
        ResultsByTime: shown.map((p) => {
          const inPeriod = slice.filter((g) => g.period === p);
          const total = new Map<CeMetric, bigint>();
          if (!grouped) for (const g of inPeriod) for (const [m, v] of g.amounts) total.set(m, (total.get(m) ?? 0n) + v);
          return {
            TimePeriod: p,
            Total: grouped ? {} : metricMap(total, inPeriod[0]?.unit ?? 'USD'), // CE-14
            Groups: grouped ? inPeriod.map((g) => ({ Keys: g.keys, Metrics: metricMap(g.amounts, g.unit) })) : [],
            Estimated: p.End > estimatedAfter, // CE-17
          };
        }),
        DimensionValueAttributes: [],
        ...(more ? { NextPageToken: Buffer.from(JSON.stringify({ o: offset + size, q: queryHash(body) })).toString('base64') } : {}),
      }),
    );
  };

  const server = await listenLocal(handle);
  return { endpoint: server.endpoint, requests, billed: () => billed, stop: server.stop };
}
