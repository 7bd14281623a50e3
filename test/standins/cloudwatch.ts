import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sendJson, startLocalServer, tenantIds, type LocalServer } from './local-server';

/**
 * A local Amazon CloudWatch for GetMetricData and DescribeAlarms, built from docs/contracts/cloudwatch.md
 * (rule ids in the comments). It speaks what the locked @aws-sdk/client-cloudwatch sends (AWS JSON 1.0,
 * query-compatible errors), keeps metrics as per-minute statistic sets, evaluates metric stats,
 * Metrics Insights `SELECT` and `SEARCH` the way the contract describes, rejects what CloudWatch
 * rejects with its error shape, and pages both operations.
 */

/** One period's statistic set, as CloudWatch stores it: sum, sample count, minimum, maximum. */
export interface Datapoint {
  /** Epoch seconds. */
  t: number;
  sum: number;
  n: number;
  min: number;
  max: number;
}

export interface MetricSeries {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  points: Datapoint[];
}

export interface CloudWatchState {
  /** Requests must be signed with this access key (SigV4 `Credential=<key>/…`), else AccessDenied. */
  accessKeyId: string;
  metrics: MetricSeries[];
  /** As DescribeAlarms returns them (timestamps in epoch seconds). */
  metricAlarms: Record<string, unknown>[];
  compositeAlarms: Record<string, unknown>[];
  /** Namespaces the caller may not read: their results come back `StatusCode: Forbidden` (G13). */
  forbiddenNamespaces: string[];
  /** Query Ids whose next evaluation answers `InternalError` with a NextToken to retry with (G13). */
  internalErrorOnce: string[];
  /** Answer this many requests with Throttling before serving (P4). */
  throttled: number;
  /** Answer every request with InternalServiceError at this HTTP status. */
  failWith?: number;
}

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const ONCALL_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:api-oncall`;
const JSON10 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const TWO_WEEKS = 14 * 86_400;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const DEFAULT_ALARM_PAGE = 50;
const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'];
const INSIGHTS_FUNCTIONS = new Set(['AVG', 'COUNT', 'MAX', 'MIN', 'SUM']);

const minute = (epochSeconds: number) => Math.floor(epochSeconds / 60) * 60;

/**
 * A REST API as API Gateway reports it (A1, A2): every minute with traffic, `Count`, `Latency`,
 * `IntegrationLatency`, `4XXError` and `5XXError` (one 0/1 sample per request) under `{ApiName}`
 * and `{ApiName, Stage}`. No traffic, no datapoints.
 */
export function restApiMetrics(o: {
  apiName: string;
  stage: string;
  now: number;
  minutes: number;
  requestsPerMinute: number;
  errorsPerMinute?: number;
  latencyMs?: number;
}): MetricSeries[] {
  return apiGatewayMetrics(o, { '4xx': '4XXError', '5xx': '5XXError' }, [{ ApiName: o.apiName }, { ApiName: o.apiName, Stage: o.stage }]);
}

/** An HTTP API (A3): metrics `4xx`, `5xx`, `Count`, `Latency`, `IntegrationLatency` under `{ApiId}` and `{ApiId, Stage}`. */
export function httpApiMetrics(o: {
  apiId: string;
  stage: string;
  now: number;
  minutes: number;
  requestsPerMinute: number;
  errorsPerMinute?: number;
  latencyMs?: number;
}): MetricSeries[] {
  return apiGatewayMetrics(o, { '4xx': '4xx', '5xx': '5xx' }, [{ ApiId: o.apiId }, { ApiId: o.apiId, Stage: o.stage }]);
}

function apiGatewayMetrics(
  o: { now: number; minutes: number; requestsPerMinute: number; errorsPerMinute?: number; latencyMs?: number },
  names: { '4xx': string; '5xx': string },
  dimensionSets: Record<string, string>[],
): MetricSeries[] {
  const req = o.requestsPerMinute;
  const errors = o.errorsPerMinute ?? 0;
  const latency = o.latencyMs ?? 85;
  const stamps = req > 0 ? Array.from({ length: o.minutes }, (_, i) => minute(o.now) - 60 * (i + 1)) : [];
  const counted = (sum: number, max: number): Datapoint[] => stamps.map((t) => ({ t, sum, n: req, min: sum === req * max ? max : 0, max }));
  const timed = (ms: number): Datapoint[] => stamps.map((t) => ({ t, sum: ms * req, n: req, min: ms / 2, max: ms * 3 }));
  const perSet = (dimensions: Record<string, string>): MetricSeries[] => [
    { namespace: 'AWS/ApiGateway', metricName: 'Count', dimensions, points: counted(req, 1) },
    { namespace: 'AWS/ApiGateway', metricName: names['5xx'], dimensions, points: counted(errors, errors > 0 ? 1 : 0) },
    { namespace: 'AWS/ApiGateway', metricName: names['4xx'], dimensions, points: counted(0, 0) },
    { namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensions, points: timed(latency) },
    { namespace: 'AWS/ApiGateway', metricName: 'IntegrationLatency', dimensions, points: timed(latency * 0.8) },
  ];
  return dimensionSets.flatMap(perSet);
}

/** A per-tenant request metric published by the app (e.g. EMF), hourly totals over `hours`. */
export function tenantMetrics(o: {
  namespace: string;
  metricName: string;
  dimension: string;
  tenants: string[];
  now: number;
  hours: number;
  requestsPerHour?: number;
  /** More dimensions on every series, e.g. `{ service: 'api' }` as Powertools adds by default. */
  extraDimensions?: Record<string, string>;
}): MetricSeries[] {
  const perHour = o.requestsPerHour ?? 30;
  return o.tenants.map((tenant) => ({
    namespace: o.namespace,
    metricName: o.metricName,
    dimensions: { ...o.extraDimensions, [o.dimension]: tenant },
    points: Array.from({ length: o.hours }, (_, i) => ({ t: minute(o.now) - 3600 * (i + 1) + 60, sum: perHour, n: perHour, min: 1, max: 1 })),
  }));
}

/** A metric alarm as DescribeAlarms returns it. */
export function metricAlarm(
  name: string,
  o: {
    namespace: string;
    metricName: string;
    dimensions?: Record<string, string>;
    statistic?: string;
    extendedStatistic?: string;
    actions?: string[];
    actionsEnabled?: boolean;
    state?: string;
    threshold?: number;
  },
): Record<string, unknown> {
  const at = Math.floor(Date.now() / 1000) - 86_400;
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    AlarmConfigurationUpdatedTimestamp: at,
    ActionsEnabled: o.actionsEnabled ?? true,
    OKActions: [],
    AlarmActions: o.actions ?? [ONCALL_TOPIC],
    InsufficientDataActions: [],
    StateValue: o.state ?? 'OK',
    StateReason: 'Threshold Crossed: 1 datapoint was not greater than the threshold.',
    StateUpdatedTimestamp: at,
    StateTransitionedTimestamp: at,
    MetricName: o.metricName,
    Namespace: o.namespace,
    ...(o.extendedStatistic ? { ExtendedStatistic: o.extendedStatistic } : { Statistic: o.statistic ?? 'Sum' }),
    Dimensions: Object.entries(o.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
    Period: 60,
    EvaluationPeriods: 5,
    DatapointsToAlarm: 3,
    Threshold: o.threshold ?? 5,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  };
}

/** A composite alarm as DescribeAlarms returns it. */
export function compositeAlarm(
  name: string,
  o: {
    rule: string;
    actions?: string[];
    actionsEnabled?: boolean;
    suppressedBy?: 'WaitPeriod' | 'ExtensionPeriod' | 'Alarm';
    suppressor?: string;
    state?: string;
  },
): Record<string, unknown> {
  const at = Math.floor(Date.now() / 1000) - 3_600;
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
    AlarmConfigurationUpdatedTimestamp: at,
    ActionsEnabled: o.actionsEnabled ?? true,
    AlarmActions: o.actions ?? [ONCALL_TOPIC],
    OKActions: [],
    InsufficientDataActions: [],
    AlarmRule: o.rule,
    StateValue: o.state ?? 'OK',
    StateReason: 'arn:aws:cloudwatch alarm rule evaluated to OK',
    StateUpdatedTimestamp: at,
    StateTransitionedTimestamp: at,
    ...(o.suppressor
      ? {
          ActionsSuppressor: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${o.suppressor}`,
          ActionsSuppressorWaitPeriod: 120,
          ActionsSuppressorExtensionPeriod: 180,
        }
      : {}),
    ...(o.suppressedBy ? { ActionsSuppressedBy: o.suppressedBy, ActionsSuppressedReason: 'Actions suppressed by the suppressor alarm' } : {}),
  };
}

/**
 * A healthy setup configured as AWS documents it: a REST API `acme-api` (stage `prod`) with an
 * hour of traffic and no errors (5XXError datapoints of 0), 12 tenants reporting `Requests` in
 * `SaaS/Api` by `tenant_id` over 24 h, and 5XXError and p99 latency alarms notifying an SNS topic.
 */
export function healthyCloudWatch(now = Date.now() / 1000): CloudWatchState {
  return {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    metrics: [
      ...restApiMetrics({ apiName: 'acme-api', stage: 'prod', now, minutes: 60, requestsPerMinute: 40 }),
      ...tenantMetrics({ namespace: 'SaaS/Api', metricName: 'Requests', dimension: 'tenant_id', tenants: tenantIds(12), now, hours: 24 }),
    ],
    metricAlarms: [
      metricAlarm('api-5xx-errors', { namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: { ApiName: 'acme-api' } }),
      metricAlarm('api-p99', {
        namespace: 'AWS/ApiGateway',
        metricName: 'Latency',
        dimensions: { ApiName: 'acme-api' },
        extendedStatistic: 'p99',
        threshold: 1500,
      }),
    ],
    compositeAlarms: [],
    forbiddenNamespaces: [],
    internalErrorOnce: [],
    throttled: 0,
    failWith: undefined,
  };
}

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly type: string,
    message: string,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}
const validation = (message: string) => new ServiceError(400, 'ValidationError', 'com.amazonaws.cloudwatch#ValidationException', message);
const missing = (message: string) => new ServiceError(400, 'MissingParameter', 'com.amazonaws.cloudwatch#MissingRequiredParameterException', message);
const badToken = () =>
  new ServiceError(400, 'InvalidNextToken', 'com.amazonaws.cloudwatch#InvalidNextToken', 'The service cannot process the NextToken it was given.');

/** P3: the status of the error, `{__type, message}`, and `x-amzn-query-error: <Code>;<Sender|Receiver>`. */
function sendError(res: ServerResponse, e: ServiceError): void {
  sendJson(res, e.status, { __type: e.type, message: e.message }, { 'content-type': JSON10, 'x-amzn-query-error': `${e.code};${e.fault}` });
}

export async function startCloudWatch(state: CloudWatchState): Promise<LocalServer> {
  const metricPages = new Map<string, PendingSeries[]>();
  const alarmPages = new Map<string, number>();
  return startLocalServer(({ method, url, headers, body }, res) => {
    const target = String(headers['x-amz-target'] ?? '');
    // P1: AWS JSON 1.0, POST to the root with the service's target prefix.
    if (method !== 'POST' || url.pathname !== '/' || headers['content-type'] !== JSON10 || !target.startsWith(TARGET_PREFIX)) {
      return sendError(res, new ServiceError(400, 'UnknownOperation', 'com.amazon.coral.service#UnknownOperationException', 'Unknown operation'));
    }
    if (state.failWith)
      return sendError(
        res,
        new ServiceError(state.failWith, 'InternalServiceError', 'com.amazonaws.cloudwatch#InternalServiceFault', 'Internal failure', 'Receiver'),
      );
    if (state.throttled > 0) {
      state.throttled--;
      return sendError(res, new ServiceError(400, 'Throttling', 'com.amazon.coral.availability#ThrottlingException', 'Rate exceeded'));
    }
    const op = target.slice(TARGET_PREFIX.length);
    if (!String(headers.authorization ?? '').includes(`Credential=${state.accessKeyId}/`)) {
      return sendError(
        res,
        new ServiceError(400, 'AccessDenied', 'com.amazon.coral.service#AccessDeniedException', `User is not authorized to perform: cloudwatch:${op}`),
      );
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body || '{}');
    } catch {
      return sendError(
        res,
        new ServiceError(
          400,
          'SerializationException',
          'com.amazon.coral.service#SerializationException',
          'Start of structure or map found where not expected.',
        ),
      );
    }
    try {
      const now = Date.now() / 1000;
      if (op === 'GetMetricData') return sendJson(res, 200, getMetricData(input, state, metricPages, now), { 'content-type': JSON10 });
      if (op === 'DescribeAlarms') return sendJson(res, 200, describeAlarms(input, state, alarmPages), { 'content-type': JSON10 });
      return sendError(res, new ServiceError(400, 'UnknownOperation', 'com.amazon.coral.service#UnknownOperationException', `Unknown operation ${op}`));
    } catch (err) {
      if (err instanceof ServiceError) return sendError(res, err);
      throw err;
    }
  });
}

// ─────────────────────────────── GetMetricData ───────────────────────────────

interface Query {
  Id?: unknown;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
    Period?: number;
    Stat?: string;
    Unit?: string;
  };
  Expression?: unknown;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
}

/** One series still to be delivered: its datapoints in delivery order. */
interface PendingSeries {
  id: string;
  label: string;
  stamps: number[];
  values: number[];
  /** Forbidden / InternalError answers carry no data. */
  status?: 'Forbidden' | 'InternalError';
  messages?: { Code: string; Value: string }[];
  /** The series an InternalError placeholder withholds until the retry. */
  withheld?: PendingSeries[];
}

const isInsights = (e: unknown) => typeof e === 'string' && /^\s*SELECT\b/i.test(e);
const isSearch = (e: unknown) => typeof e === 'string' && /^\s*SEARCH\s*\(/i.test(e);

function getMetricData(input: Record<string, unknown>, state: CloudWatchState, pages: Map<string, PendingSeries[]>, now: number) {
  const maxDatapoints = input.MaxDatapoints === undefined ? DEFAULT_MAX_DATAPOINTS : Number(input.MaxDatapoints);
  if (input.NextToken !== undefined) {
    const rest = pages.get(String(input.NextToken));
    if (!rest) throw badToken();
    pages.delete(String(input.NextToken));
    return respond(rest, maxDatapoints, pages);
  }
  const queries = validateMetricDataRequest(input);
  const start = Number(input.StartTime);
  const end = Number(input.EndTime);
  const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
  const all: PendingSeries[] = [];
  queries.forEach((q) => {
    if (q.ReturnData === false) return;
    const id = String(q.Id);
    const evaluated = evaluate(q, state, start, end, now).map((s) =>
      descending ? s : { ...s, stamps: [...s.stamps].reverse(), values: [...s.values].reverse() },
    );
    const i = state.internalErrorOnce.indexOf(id);
    if (i >= 0 && !evaluated.some((s) => s.status)) {
      state.internalErrorOnce.splice(i, 1);
      all.push({
        id,
        label: q.Label ?? id,
        stamps: [],
        values: [],
        status: 'InternalError',
        messages: [{ Code: 'InternalError', Value: 'An internal error occurred. Retry with the NextToken.' }],
        withheld: evaluated,
      });
      return;
    }
    all.push(...evaluated);
  });
  return respond(all, maxDatapoints, pages);
}

/** G12: up to `maxDatapoints` datapoints per page; cut series answer PartialData and continue behind NextToken. */
function respond(all: PendingSeries[], maxDatapoints: number, pages: Map<string, PendingSeries[]>) {
  let budget = maxDatapoints;
  const results: Record<string, unknown>[] = [];
  const rest: PendingSeries[] = [];
  for (const s of all) {
    if (s.status) {
      results.push({ Id: s.id, Label: s.label, Timestamps: [], Values: [], StatusCode: s.status, Messages: s.messages ?? [] });
      if (s.withheld) rest.push(...s.withheld);
      continue;
    }
    const take = Math.min(s.values.length, budget);
    budget -= take;
    const complete = take === s.values.length;
    results.push({
      Id: s.id,
      Label: s.label,
      Timestamps: s.stamps.slice(0, take),
      Values: s.values.slice(0, take),
      StatusCode: complete ? 'Complete' : 'PartialData',
    });
    if (!complete) rest.push({ ...s, stamps: s.stamps.slice(take), values: s.values.slice(take) });
  }
  const out: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
  if (rest.length) {
    const token = randomUUID();
    pages.set(token, rest);
    out.NextToken = token;
  }
  return out;
}

const STAT = /^(Sum|Average|SampleCount|Minimum|Maximum|IQM|p\d{1,2}(\.\d+)?|p100|(tm|wm|tc|ts|pr)\d{1,2}(\.\d+)?)$/;
const periodOk = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && ([1, 5, 10, 30].includes(p as number) || (p as number) % 60 === 0);

/** G1–G5, G8, G9, G11: everything CloudWatch rejects before evaluating. Messages join one per line. */
function validateMetricDataRequest(input: Record<string, unknown>): Query[] {
  const queries = input.MetricDataQueries as Query[] | undefined;
  if (!Array.isArray(queries) || queries.length === 0) throw missing('The parameter MetricDataQueries is required.');
  if (input.StartTime === undefined) throw missing('The parameter StartTime is required.');
  if (input.EndTime === undefined) throw missing('The parameter EndTime is required.');
  if (queries.length > 500) throw validation('Maximum number of queries (500) exceeded');
  if (queries.filter((q) => isInsights(q.Expression)).length > 1) throw validation('Maximum number of queries (1) exceeded');
  const start = Number(input.StartTime);
  const end = Number(input.EndTime);
  if (start === end) throw validation('The parameter StartTime must not equal parameter EndTime.');
  if (end < start) throw validation('The parameter EndTime must be greater than StartTime.');
  const problems: string[] = [];
  const seen = new Set<string>();
  queries.forEach((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    const id = q.Id;
    if (typeof id !== 'string' || id.length > 255 || !/^[a-z][a-zA-Z0-9_]*$/.test(id)) {
      problems.push(`The value ${String(id)} for parameter ${at}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.`);
    } else if (seen.has(id)) {
      problems.push(`The value ${id} for parameter ${at}.Id is used more than once in the request.`);
    } else seen.add(id);
    if (!q.MetricStat && q.Expression === undefined) problems.push(`The parameter ${at}.MetricStat is required.`);
    if (q.MetricStat && q.Expression !== undefined)
      problems.push(`The parameters ${at}.MetricStat and ${at}.Expression are mutually exclusive and you have specified both.`);
    if (q.MetricStat) {
      const m = q.MetricStat;
      if (!m.Metric?.MetricName) problems.push(`The parameter ${at}.MetricStat.Metric.MetricName is required.`);
      if (m.Period === undefined) problems.push(`The parameter ${at}.MetricStat.Period is required.`);
      else if (!periodOk(m.Period)) problems.push(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.`);
      if (!m.Stat) problems.push(`The parameter ${at}.MetricStat.Stat is required.`);
      else if (!STAT.test(m.Stat)) problems.push(`The value ${m.Stat} for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
    }
    if (q.Expression !== undefined) {
      const e = String(q.Expression);
      if (e.length < 1 || e.length > 2048) problems.push(`The value for parameter ${at}.Expression must be between 1 and 2048 characters long.`);
      if (q.Period !== undefined && !periodOk(q.Period)) problems.push(`The parameter ${at}.Period must be 1, 5, 10, 30 or a multiple of 60.`);
      if (isSearch(e)) {
        const problem = parseSearch(e).problem;
        if (problem) problems.push(`${at}.Expression: ${problem}`);
      } else if (isInsights(e)) {
        const problem = parseInsights(e).problem;
        if (problem) problems.push(`${at}.Expression: ${problem}`);
      } else {
        problems.push(`${at}.Expression: this stand-in evaluates metric stats, Metrics Insights SELECT and SEARCH only, not metric math.`);
      }
    }
  });
  if (problems.length) throw validation(problems.join('\n'));
  return queries;
}

function evaluate(q: Query, state: CloudWatchState, start: number, end: number, now: number): PendingSeries[] {
  const id = String(q.Id);
  const forbidden = (namespace: string): PendingSeries[] => [
    {
      id,
      label: q.Label ?? id,
      stamps: [],
      values: [],
      status: 'Forbidden',
      messages: [{ Code: 'Forbidden', Value: `Not authorized to read metrics in namespace ${namespace}` }],
    },
  ];
  if (q.MetricStat) {
    const m = q.MetricStat;
    const ns = m.Metric?.Namespace ?? '';
    if (state.forbiddenNamespaces.includes(ns)) return forbidden(ns);
    const wanted = Object.fromEntries((m.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const series = state.metrics.filter((s) => s.namespace === ns && s.metricName === m.Metric?.MetricName && sameDimensions(s.dimensions, wanted));
    const points = bucketed(
      series.flatMap((s) => s.points),
      start,
      end,
      m.Period!,
      statOf(m.Stat!),
    );
    return [{ id, label: resolveLabel(q.Label, series[0], m.Metric?.MetricName ?? id), ...points }];
  }
  const expression = String(q.Expression);
  if (isSearch(expression)) {
    const s = parseSearch(expression).search!;
    if (state.forbiddenNamespaces.includes(s.namespace ?? '')) return forbidden(s.namespace!);
    // G9: only metrics with data in the past two weeks, at most 500 series.
    const found = state.metrics.filter((m) => matchesSearch(m, s) && m.points.some((p) => p.t >= now - TWO_WEEKS)).slice(0, 500);
    // The query's Period overrides the one inside the SEARCH.
    const period = q.Period ?? s.period ?? 300;
    return found.map((m) => ({ id, label: resolveLabel(q.Label, m, defaultSearchLabel(m)), ...bucketed(m.points, start, end, period, statOf(s.stat)) }));
  }
  const insights = parseInsights(expression).query!;
  if (state.forbiddenNamespaces.includes(insights.namespace)) return forbidden(insights.namespace);
  const matching = state.metrics.filter(
    (m) =>
      m.namespace === insights.namespace &&
      m.metricName === insights.metricName &&
      (!insights.schemaKeys || sameKeys(Object.keys(m.dimensions), insights.schemaKeys)) &&
      insights.where.every(([k, v]) => m.dimensions[k] === v),
  );
  // G6: the lookback is two weeks; older datapoints are simply not returned.
  const recent = matching.flatMap((m) => m.points).filter((p) => p.t >= now - TWO_WEEKS);
  return [{ id, label: q.Label ?? id, ...bucketed(recent, start, end, q.Period ?? 300, insightsStat(insights.fn)) }];
}

type StatFn = (points: Datapoint[]) => number;
const total = (ps: Datapoint[], k: 'sum' | 'n') => ps.reduce((a, p) => a + p[k], 0);
function statOf(stat: string): StatFn {
  if (stat === 'Sum') return (ps) => total(ps, 'sum');
  if (stat === 'SampleCount') return (ps) => total(ps, 'n');
  if (stat === 'Minimum') return (ps) => Math.min(...ps.map((p) => p.min));
  if (stat === 'Average') return (ps) => total(ps, 'sum') / total(ps, 'n');
  // Maximum, and percentiles approximated by the maximum (the stand-in keeps no distributions).
  return (ps) => Math.max(...ps.map((p) => p.max));
}
const insightsStat = (fn: string): StatFn => statOf({ AVG: 'Average', COUNT: 'SampleCount', MAX: 'Maximum', MIN: 'Minimum', SUM: 'Sum' }[fn]!);

/** Datapoints in [start, end) aggregated into periods aligned on start (G11), newest first (G15). */
function bucketed(points: Datapoint[], start: number, end: number, period: number, stat: StatFn): { stamps: number[]; values: number[] } {
  const from = minute(start);
  const buckets = new Map<number, Datapoint[]>();
  for (const p of points) {
    if (p.t < from || p.t >= end || p.n === 0) continue;
    const b = from + Math.floor((p.t - from) / period) * period;
    buckets.set(b, [...(buckets.get(b) ?? []), p]);
  }
  const stamps = [...buckets.keys()].sort((a, b) => b - a);
  return { stamps, values: stamps.map((b) => stat(buckets.get(b)!)) };
}

const sameKeys = (a: string[], b: string[]) => a.length === b.length && a.every((k) => b.includes(k));
const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
  sameKeys(Object.keys(a), Object.keys(b)) && Object.keys(a).every((k) => a[k] === b[k]);

/** G10: `${PROP('Dim.<name>')}`, `${PROP('MetricName')}`, `${PROP('Namespace')}`. */
function resolveLabel(template: string | undefined, m: MetricSeries | undefined, fallback: string): string {
  if (template === undefined) return fallback;
  return template.replace(/\$\{PROP\('([^']+)'\)\}/g, (_, prop: string) => {
    if (!m) return '';
    if (prop.startsWith('Dim.')) return m.dimensions[prop.slice(4)] ?? '';
    if (prop === 'MetricName') return m.metricName;
    if (prop === 'Namespace') return m.namespace;
    return '';
  });
}
const defaultSearchLabel = (m: MetricSeries) => [m.metricName, ...Object.values(m.dimensions)].join(' ');

// ─────────────────────────── SEARCH and Metrics Insights ───────────────────────────

interface Search {
  namespace?: string;
  schemaDimensions?: string[];
  terms: { field?: 'MetricName'; value: string; exact: boolean }[];
  stat: string;
  period?: number;
}

/** Splits `a,"b c",d` on commas outside double quotes; returns undefined for a bare name that needs quotes (G8). */
function schemaNames(inside: string): { names: string[]; problem?: string } {
  const names: string[] = [];
  for (const raw of inside.match(/("(?:[^"\\]|\\.)*"|[^,]+)/g) ?? []) {
    const part = raw.trim();
    if (part.startsWith('"')) names.push(part.slice(1, -1).replace(/\\"/g, '"'));
    else if (/^[A-Za-z0-9]+$/.test(part)) names.push(part);
    else return { names, problem: `the metric schema name ${part} has non-alphanumeric characters and must be enclosed in double quotes` };
  }
  return { names };
}

/** G8, G9: `SEARCH('{Namespace,Dim…} term…', 'Statistic'[, Period])`. */
function parseSearch(expression: string): { search?: Search; problem?: string } {
  const m = /^\s*SEARCH\s*\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'([^']+)'\s*(?:,\s*(\d+)\s*)?\)\s*$/i.exec(expression);
  if (!m) return { problem: `not a valid search expression: ${expression}` };
  const [, query, stat, period] = m;
  if (query.length > 1024) return { problem: 'the search expression query is longer than 1024 characters' };
  if (!STAT.test(stat)) return { problem: `${stat} is not a valid statistic` };
  if (period !== undefined && !periodOk(Number(period))) return { problem: 'the search period must be 1, 5, 10, 30 or a multiple of 60' };
  let rest = query.trim();
  const search: Search = { terms: [], stat, ...(period ? { period: Number(period) } : {}) };
  const schema = /^\{([^}]*)\}/.exec(rest);
  if (schema) {
    const { names, problem } = schemaNames(schema[1]);
    if (problem) return { problem };
    if (names.length === 0) return { problem: 'the metric schema must name a namespace' };
    search.namespace = names[0];
    search.schemaDimensions = names.slice(1);
    rest = rest.slice(schema[0].length).trim();
  }
  for (const t of rest.match(/(MetricName=)?("(?:[^"\\]|\\.)*"|[^\s"]+)/g) ?? []) {
    const field = t.startsWith('MetricName=') ? 'MetricName' : undefined;
    const v = field ? t.slice('MetricName='.length) : t;
    const exact = v.startsWith('"');
    search.terms.push({ ...(field ? { field } : {}), value: exact ? v.slice(1, -1).replace(/\\"/g, '"') : v, exact });
  }
  if (!schema && search.terms.length === 0) return { problem: 'a search needs a metric schema, a search term, or both' };
  return { search };
}

/** Words of a name as search matches them partially: `RequestsRejected` → requests, rejected. */
const tokens = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
function termMatches(value: string, exact: boolean, candidate: string): boolean {
  if (exact) return candidate === value;
  const have = tokens(candidate);
  return tokens(value).every((w) => have.includes(w));
}

function matchesSearch(m: MetricSeries, s: Search): boolean {
  if (s.namespace !== undefined && m.namespace !== s.namespace) return false;
  // The schema names the metric's dimension set exactly.
  if (s.schemaDimensions && !sameKeys(Object.keys(m.dimensions), s.schemaDimensions)) return false;
  return s.terms.every((t) =>
    t.field === 'MetricName'
      ? termMatches(t.value, t.exact, m.metricName)
      : [m.metricName, ...Object.values(m.dimensions)].some((c) => termMatches(t.value, t.exact, c)),
  );
}

interface Insights {
  fn: string;
  metricName: string;
  namespace: string;
  schemaKeys?: string[];
  where: [string, string][];
}

const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1) : s);

/** G7: `SELECT FUNC(metric) FROM ns | SCHEMA(ns, keys…) [WHERE k = 'v' [AND …]]`; other clauses are not evaluated here. */
function parseInsights(expression: string): { query?: Insights; problem?: string } {
  const name = `("[^"]+"|[A-Za-z0-9_]+)`;
  const m = new RegExp(`^\\s*SELECT\\s+(\\w+)\\s*\\(\\s*${name}\\s*\\)\\s+FROM\\s+(SCHEMA\\s*\\(([^)]*)\\)|${name})\\s*(?:WHERE\\s+(.+?))?\\s*$`, 'i').exec(
    expression,
  );
  if (!m) {
    if (/\b(GROUP\s+BY|ORDER\s+BY|LIMIT)\b/i.test(expression)) return { problem: 'this stand-in does not evaluate GROUP BY, ORDER BY or LIMIT' };
    return { problem: `could not parse the Metrics Insights query ${expression}` };
  }
  const [, fn, metric, , schemaArgs, plainNamespace, where] = m;
  if (!INSIGHTS_FUNCTIONS.has(fn.toUpperCase())) return { problem: `${fn} is not a Metrics Insights function (AVG, COUNT, MAX, MIN, SUM)` };
  const metricName = unquote(metric);
  if (!metric.startsWith('"') && /^\d/.test(metricName))
    return { problem: `the metric name ${metricName} starts with a digit and must be enclosed in double quotes` };
  let namespace: string;
  let schemaKeys: string[] | undefined;
  if (schemaArgs !== undefined) {
    const parts = schemaArgs
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length === 0) return { problem: 'SCHEMA needs a namespace' };
    namespace = unquote(parts[0]);
    schemaKeys = parts.slice(1).map(unquote);
  } else namespace = unquote(plainNamespace);
  if (!/^"/.test(schemaArgs?.trim() ?? plainNamespace) && /[^A-Za-z0-9_]/.test(namespace)) {
    return { problem: `the namespace ${namespace} has special characters and must be enclosed in double quotes` };
  }
  const conditions: [string, string][] = [];
  if (where) {
    for (const c of where.split(/\s+AND\s+/i)) {
      const eq = /^\s*("[^"]+"|\w+)\s*=\s*'([^']*)'\s*$/.exec(c);
      if (!eq) return { problem: `this stand-in evaluates WHERE key = 'value' [AND …] only, not ${c.trim()}` };
      conditions.push([unquote(eq[1]), eq[2]]);
    }
  }
  return { query: { fn: fn.toUpperCase(), metricName, namespace, ...(schemaKeys ? { schemaKeys } : {}), where: conditions } };
}

// ─────────────────────────────── DescribeAlarms ───────────────────────────────

/** D1–D4: MaxRecords 1–100, AlarmTypes (default metric alarms only), name prefix / names, paging. */
function describeAlarms(input: Record<string, unknown>, state: CloudWatchState, pages: Map<string, number>) {
  if (input.MaxRecords !== undefined) {
    const n = Number(input.MaxRecords);
    if (n < 1)
      throw validation(
        `1 validation error detected: Value '${n}' at 'maxRecords' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    if (n > 100)
      throw validation(
        `1 validation error detected: Value '${n}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100`,
      );
  }
  const types = (input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
  const bad = types.filter((t) => !ALARM_TYPES.includes(t));
  if (bad.length)
    throw validation(
      `1 validation error detected: Value '[${types.join(', ')}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${ALARM_TYPES.join(', ')}]]`,
    );
  if (input.AlarmNames !== undefined && input.AlarmNamePrefix !== undefined) {
    throw new ServiceError(
      400,
      'InvalidParameterCombination',
      'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
      'AlarmNames and AlarmNamePrefix cannot be specified together.',
    );
  }
  let offset = 0;
  if (input.NextToken !== undefined) {
    const at = pages.get(String(input.NextToken));
    if (at === undefined) throw badToken();
    pages.delete(String(input.NextToken));
    offset = at;
  }
  const prefix = input.AlarmNamePrefix as string | undefined;
  const names = input.AlarmNames as string[] | undefined;
  const keep = (a: Record<string, unknown>) => {
    const name = String(a.AlarmName);
    if (prefix !== undefined && !name.startsWith(prefix)) return false;
    if (names && !names.includes(name)) return false;
    if (input.StateValue !== undefined && a.StateValue !== input.StateValue) return false;
    if (input.ActionPrefix !== undefined && !((a.AlarmActions as string[] | undefined) ?? []).some((x) => x.startsWith(String(input.ActionPrefix))))
      return false;
    return true;
  };
  const all = [
    ...(types.includes('MetricAlarm') ? state.metricAlarms.filter(keep).map((a) => ({ kind: 'metric' as const, a })) : []),
    ...(types.includes('CompositeAlarm') ? state.compositeAlarms.filter(keep).map((a) => ({ kind: 'composite' as const, a })) : []),
  ].sort((x, y) => String(x.a.AlarmName).localeCompare(String(y.a.AlarmName)));
  const size = input.MaxRecords === undefined ? DEFAULT_ALARM_PAGE : Number(input.MaxRecords);
  const page = all.slice(offset, offset + size);
  const out: Record<string, unknown> = {
    MetricAlarms: page.filter((x) => x.kind === 'metric').map((x) => x.a),
    CompositeAlarms: page.filter((x) => x.kind === 'composite').map((x) => x.a),
  };
  if (offset + size < all.length) {
    const token = randomUUID();
    pages.set(token, offset + size);
    out.NextToken = token;
  }
  return out;
}
