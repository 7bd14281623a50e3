import { type CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import {
  SIGNALS,
  type AlertRule,
  type MonitoringProvider,
  type SignalKind,
  type SignalReading,
  type TenantBreakdown,
  type TimeWindow,
} from '../../checks/monitoring/ports';
import { isRecord, typeName } from '../http/json-request';
export { cloudWatchSourceSchema, DEFAULT_TENANT_DIMENSION, type CloudWatchSourceConfig } from './schema';
import { DEFAULT_TENANT_DIMENSION } from './schema';

/** One signal: a metric, or an expression (Metrics Insights SQL, metric math, SEARCH). */
export type CloudWatchSignal = { expression: string } | { namespace: string; metricName: string; dimensions?: Record<string, string>; stat?: string };

/** The per-tenant metric: e.g. Requests in namespace SaaS/Api with a tenant_id dimension. */
export interface CloudWatchTenantMetric {
  namespace: string;
  metricName: string;
  /** Default {@link DEFAULT_TENANT_DIMENSION}. */
  dimension?: string;
  /** Default Sum. */
  stat?: string;
}

/**
 * API Gateway REST APIs, across all APIs of the account and region (Metrics Insights over the
 * `{ApiName}` dimension set every REST API publishes; docs/contracts/cloudwatch.md A1–A3, G7).
 */
export const CLOUDWATCH_DEFAULT_SIGNALS: Record<SignalKind, CloudWatchSignal> = {
  latency: { expression: 'SELECT AVG(Latency) FROM SCHEMA("AWS/ApiGateway", ApiName)' },
  errors: { expression: 'SELECT SUM("5XXError") FROM SCHEMA("AWS/ApiGateway", ApiName)' },
  throughput: { expression: 'SELECT SUM("Count") FROM SCHEMA("AWS/ApiGateway", ApiName)' },
};

export interface CloudWatchMonitoringOptions {
  signals?: Partial<Record<SignalKind, CloudWatchSignal>>;
  tenantMetric: CloudWatchTenantMetric;
  /** Only alarms whose names start with this prefix (DescribeAlarms AlarmNamePrefix). */
  alarmNamePrefix?: string;
  region: string;
}

const MAX_PAGES = 50;

/**
 * AlarmActions that reach a person: SNS topics, Lambda functions, Systems Manager OpsItems and
 * Incident Manager response plans. EC2, Auto Scaling and investigation actions notify nobody (D6).
 */
const NOTIFYING_ACTION = /^arn:aws[a-z-]*:(sns|lambda|ssm|ssm-incidents):/;

/** A Metrics Insights query: CloudWatch takes only one per GetMetricData request (G5). */
const METRICS_INSIGHTS = /^\s*SELECT\b/i;

/** A SEARCH expression: it answers one result per series it found (G15). */
const SEARCH = /^\s*SEARCH\s*\(/i;

/** How complete a query's answer was, worst first (G13). */
const STATUS_RANK = ['Forbidden', 'InternalError', 'PartialData', 'Complete'];

/** Everything GetMetricData answered for one query Id, over all pages. */
interface QueryAnswer {
  results: MetricDataResult[];
  /** Worst StatusCode on the last page that carried this Id. */
  status: string;
  messages: string[];
}

/** CloudWatch through the AWS SDK v3: GetMetricData and DescribeAlarms (endpoint: AWS_ENDPOINT_URL_CLOUDWATCH). */
export class CloudWatchMonitoring implements MonitoringProvider {
  readonly id = 'cloudwatch';
  readonly label: string;
  /** The runner's own AWS credentials are the means of measuring here, so a denial is ERROR, not FAIL. */
  readonly credentialsTitle = "CloudWatch readable with the runner's AWS credentials";
  readonly access = "the runner's IAM identity allows cloudwatch:GetMetricData, cloudwatch:ListMetrics and cloudwatch:DescribeAlarms";
  private readonly signals: Record<SignalKind, CloudWatchSignal>;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly opts: CloudWatchMonitoringOptions,
  ) {
    this.label = `CloudWatch (${opts.region})`;
    this.signals = { ...CLOUDWATCH_DEFAULT_SIGNALS, ...opts.signals };
  }

  async verifyCredentials(signal: AbortSignal): Promise<string> {
    await this.describeAlarms(new DescribeAlarmsCommand({ MaxRecords: 1 }), signal);
    return `DescribeAlarms answered in ${this.opts.region}`;
  }

  async readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    const queries = SIGNALS.map((kind) => toQuery(kind, this.signals[kind], 60));
    // One request per Metrics Insights query, the other signals together (G5); concurrently, and
    // a failure is reported for the first signal in SIGNALS order whatever finished first.
    const batched = queries.filter((q) => !isMetricsInsights(q));
    const requests = [...(batched.length ? [batched] : []), ...queries.filter(isMetricsInsights).map((q) => [q])];
    const settled = await Promise.allSettled(requests.map((r) => this.metricData(r, window, signal)));
    const failedAt = (i: number) => Math.min(...requests[i].map((q) => SIGNALS.indexOf(q.Id as SignalKind)));
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ at: failedAt(i), reason: s.reason as unknown }] : [])).sort((a, b) => a.at - b.at);
    if (failures.length) throw failures[0].reason;
    const answers = new Map(settled.flatMap((s) => (s.status === 'fulfilled' ? [...s.value] : [])));
    return Object.fromEntries(
      SIGNALS.map((kind) => {
        const answer = answers.get(kind)!;
        const stamps = answer.results.flatMap((r) => (r.Timestamps ?? []).filter((_, i) => typeof r.Values?.[i] === 'number'));
        if (stamps.length === 0 && answer.status !== 'Complete') {
          throw new Error(`GetMetricData answered ${kind} with ${answer.status} and no datapoints${because(answer.messages)}`);
        }
        const last = stamps.reduce((max, t) => Math.max(max, t.getTime()), 0);
        const reading: SignalReading = {
          query: describeSignal(this.signals[kind]),
          samples: stamps.length,
          unit: 'datapoints',
          ...(last ? { lastAt: new Date(last) } : {}),
        };
        return [kind, reading];
      }),
    ) as Record<SignalKind, SignalReading>;
  }

  async tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const m = this.opts.tenantMetric;
    const dimension = m.dimension ?? DEFAULT_TENANT_DIMENSION;
    // Names with non-alphanumerics are double-quoted in the schema; a quoted metric name is an exact match (G8).
    const search = `SEARCH('{${quote(m.namespace)},${quote(dimension)}} MetricName=${exact(m.metricName)}', '${m.stat ?? 'Sum'}', 3600)`;
    const answers = await this.metricData(
      [{ Id: 'tenants', Expression: search, Label: `\${PROP('Dim.${dimension}')}`, Period: 3600, ReturnData: true }],
      window,
      signal,
    );
    const totals = new Map<string, number>();
    for (const r of answers.get('tenants')!.results) {
      if (r.Label) totals.set(r.Label, (totals.get(r.Label) ?? 0) + (r.Values ?? []).reduce((sum, v) => sum + v, 0));
    }
    const tenants = [...totals].filter(([, total]) => total > 0).map(([tenant]) => tenant);
    return { query: search, by: `dimension ${dimension}`, tenants: tenants.sort() };
  }

  async alertRules(signal: AbortSignal): Promise<AlertRule[]> {
    const rules: AlertRule[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.describeAlarms(
        new DescribeAlarmsCommand({
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: 100,
          NextToken: token,
          ...(this.opts.alarmNamePrefix ? { AlarmNamePrefix: this.opts.alarmNamePrefix } : {}),
        }),
        signal,
      );
      for (const a of out.MetricAlarms ?? []) {
        const watched = [
          a.Namespace && a.MetricName ? `${a.Namespace}/${a.MetricName}` : '',
          ...(a.Metrics ?? []).map((q) => q.Expression ?? (q.MetricStat?.Metric ? `${q.MetricStat.Metric.Namespace}/${q.MetricStat.Metric.MetricName}` : '')),
        ].filter(Boolean);
        rules.push({
          id: a.AlarmArn ?? a.AlarmName ?? '',
          name: a.AlarmName ?? '(unnamed alarm)',
          query: `${a.AlarmName ?? ''} ${watched.join(' ')}`,
          enabled: a.ActionsEnabled === true,
          notifies: notifying(a.AlarmActions),
          ...(a.StateValue ? { state: a.StateValue } : {}),
        });
      }
      for (const a of out.CompositeAlarms ?? []) {
        rules.push({
          id: a.AlarmArn ?? a.AlarmName ?? '',
          name: a.AlarmName ?? '(unnamed alarm)',
          query: `${a.AlarmName ?? ''} ${a.AlarmRule ?? ''}`,
          enabled: a.ActionsEnabled === true,
          ...(a.ActionsSuppressedBy
            ? { mutedBy: `actions suppressed (${a.ActionsSuppressedBy}${a.ActionsSuppressor ? ` by ${a.ActionsSuppressor}` : ''})` }
            : {}),
          notifies: notifying(a.AlarmActions),
          ...(a.StateValue ? { state: a.StateValue } : {}),
        });
      }
      token = out.NextToken;
      if (!token) return rules;
    }
    throw new Error(`DescribeAlarms still had more alarms after ${MAX_PAGES} pages of 100; narrow them with gates.monitoring.cloudwatch.alarmNamePrefix`);
  }

  private async describeAlarms(command: DescribeAlarmsCommand, signal: AbortSignal) {
    const out = await sendChecked('DescribeAlarms', () => this.client.send(command, { abortSignal: signal }));
    checkAlarms(out);
    return out;
  }

  /**
   * One GetMetricData request, followed through its NextToken pages (G12). Forbidden is final; an
   * InternalError page is retried through its NextToken (G13); every Id asked for must be answered
   * (a SEARCH that found nothing has no result).
   */
  private async metricData(queries: MetricDataQuery[], window: TimeWindow, signal: AbortSignal): Promise<Map<string, QueryAnswer>> {
    const answers = new Map<string, QueryAnswer>();
    const general: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await sendChecked('GetMetricData', () =>
        this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.from, EndTime: window.to, NextToken: token, ScanBy: 'TimestampDescending' }),
          { abortSignal: signal },
        ),
      );
      checkMetricDataResults(out.MetricDataResults);
      general.push(...messageTexts(out.Messages));
      const worstOnThisPage = new Map<string, string>();
      for (const r of out.MetricDataResults ?? []) {
        if (r.StatusCode === 'Forbidden') throw new Error(`GetMetricData could not evaluate ${r.Id}: Forbidden${because(messageTexts(r.Messages))}`);
        const id = r.Id!;
        const answer = answers.get(id) ?? { results: [], status: 'Complete', messages: [] };
        answers.set(id, answer);
        answer.results.push(r);
        answer.messages.push(...messageTexts(r.Messages));
        const status = r.StatusCode ?? 'Complete';
        const worst = worstOnThisPage.get(id);
        if (!worst || STATUS_RANK.indexOf(status) < STATUS_RANK.indexOf(worst)) worstOnThisPage.set(id, status);
      }
      for (const [id, status] of worstOnThisPage) answers.get(id)!.status = status;
      token = out.NextToken;
      if (!token) {
        for (const q of queries) {
          const answer = answers.get(q.Id!);
          // A SEARCH answers one result per series it found, so none when it found none (G15).
          if (!answer && SEARCH.test(q.Expression ?? '')) answers.set(q.Id!, { results: [], status: 'Complete', messages: [] });
          else if (!answer) throw new Error(`GetMetricData returned no result for ${q.Id}${because(general)}`);
          else if (answer.status === 'InternalError') throw new Error(`GetMetricData could not evaluate ${q.Id}: InternalError${because(answer.messages)}`);
        }
        return answers;
      }
    }
    throw new Error(`GetMetricData still had more pages after ${MAX_PAGES} requests for ${queries.map((q) => q.Id).join(', ')}`);
  }
}

/**
 * The SDK passes most wrong types through untouched (e.g. `Values: ["a"]`), so answers are checked
 * before they are counted; a malformed answer names the operation instead of becoming "no data".
 */
function malformed(operation: string, what: string): Error {
  return new Error(`malformed ${operation} response from CloudWatch: ${what}`);
}

/** Runs one SDK call; the SDK's own deserialization failures become one line naming the operation. */
async function sendChecked<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const { message, code } = (err ?? {}) as { message?: unknown; code?: unknown };
    if (typeof message !== 'string' || !/Deserialization error/.test(message)) throw err;
    const first = message.split('\n')[0].trim();
    // The status line arrived but the connection dropped before the body ended: not a malformed answer.
    if (code === 'ECONNRESET' || /\baborted$|socket hang up|ECONNRESET/.test(first))
      throw new Error(`CloudWatch ${operation} answer broken off: the connection closed before the body ended`);
    throw malformed(operation, first);
  }
}

function checkMetricDataResults(results: unknown): void {
  if (!Array.isArray(results)) throw malformed('GetMetricData', `MetricDataResults is ${typeName(results)}, not a list`);
  results.forEach((r: unknown, i) => {
    const at = `MetricDataResults[${i}]`;
    if (!isRecord(r)) throw malformed('GetMetricData', `${at} is ${typeName(r)}, not an object`);
    if (typeof r.Id !== 'string') throw malformed('GetMetricData', `${at}.Id is ${typeName(r.Id)}, not a string`);
    if (r.Label !== undefined && typeof r.Label !== 'string') throw malformed('GetMetricData', `${at}.Label is ${typeName(r.Label)}, not a string`);
    const values: unknown = r.Values ?? [];
    const stamps: unknown = r.Timestamps ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) throw malformed('GetMetricData', `${at}.Values is not a list of numbers`);
    if (!Array.isArray(stamps) || stamps.some((t) => Object.prototype.toString.call(t) !== '[object Date]' || Number.isNaN((t as Date).getTime())))
      throw malformed('GetMetricData', `${at}.Timestamps is not a list of times`);
    if (values.length !== stamps.length) throw malformed('GetMetricData', `${at} has ${values.length} values for ${stamps.length} timestamps`);
  });
}

function checkAlarms(out: { MetricAlarms?: unknown; CompositeAlarms?: unknown }): void {
  for (const key of ['MetricAlarms', 'CompositeAlarms'] as const) {
    const list = out[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw malformed('DescribeAlarms', `${key} is ${typeName(list)}, not a list`);
    list.forEach((a: unknown, i) => {
      const at = `${key}[${i}]`;
      if (!isRecord(a)) throw malformed('DescribeAlarms', `${at} is ${typeName(a)}, not an object`);
      if (a.AlarmName !== undefined && typeof a.AlarmName !== 'string')
        throw malformed('DescribeAlarms', `${at}.AlarmName is ${typeName(a.AlarmName)}, not a string`);
      const actions: unknown = a.AlarmActions ?? [];
      if (!Array.isArray(actions) || actions.some((x) => typeof x !== 'string')) throw malformed('DescribeAlarms', `${at}.AlarmActions is not a list of ARNs`);
      if (a.ActionsEnabled !== undefined && typeof a.ActionsEnabled !== 'boolean')
        throw malformed('DescribeAlarms', `${at}.ActionsEnabled is ${typeName(a.ActionsEnabled)}, not true or false`);
    });
  }
}

function toQuery(id: SignalKind, s: CloudWatchSignal, period: number): MetricDataQuery {
  if ('expression' in s) return { Id: id, Expression: s.expression, Period: period, ReturnData: true };
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: s.namespace, MetricName: s.metricName, Dimensions: Object.entries(s.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })) },
      Period: period,
      Stat: s.stat ?? 'Sum',
    },
  };
}

function describeSignal(s: CloudWatchSignal): string {
  if ('expression' in s) return s.expression;
  const dims = Object.entries(s.dimensions ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${s.stat ?? 'Sum'}(${s.namespace}/${s.metricName}${dims ? `{${dims}}` : ''})`;
}

function isMetricsInsights(q: MetricDataQuery): boolean {
  return METRICS_INSIGHTS.test(q.Expression ?? '');
}

/** Only the alarm actions that notify someone (D6). */
function notifying(actions: string[] | undefined): string[] {
  return (actions ?? []).filter((arn) => NOTIFYING_ACTION.test(arn));
}

function messageTexts(messages: { Code?: string; Value?: string }[] | undefined): string[] {
  return (messages ?? []).map((m) => m.Value || m.Code || '').filter(Boolean);
}

function because(messages: string[]): string {
  return messages.length ? ` (${[...new Set(messages)].join('; ')})` : '';
}

/** A SEARCH schema name: bare only when letters and digits, else double-quoted (G8). */
function quote(name: string): string {
  return /^[A-Za-z0-9]+$/.test(name) ? name : exact(name);
}

/** A double-quoted SEARCH term: an exact match (G8). */
function exact(term: string): string {
  return `"${term.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
