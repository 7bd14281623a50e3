import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
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

/** `sources.<name>` with `type: cloudwatch`: the account and region of the runner's AWS credentials. */
export interface CloudWatchSourceConfig extends SourceConfig {
  type: 'cloudwatch';
  region?: string;
}

export const cloudWatchSourceSchema: JsonSchema = {
  additionalProperties: false,
  properties: {
    type: { const: 'cloudwatch' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'AWS region (default: the SDK default chain, AWS_REGION).' },
  },
};

/** One signal: a metric, or an expression (Metrics Insights SQL, metric math, SEARCH). */
export type CloudWatchSignal =
  | { expression: string }
  | { namespace: string; metricName: string; dimensions?: Record<string, string>; stat?: string };

/** The per-tenant metric: e.g. Requests in namespace SaaS/Api with a TenantId dimension. */
export interface CloudWatchTenantMetric {
  namespace: string;
  metricName: string;
  /** Default TenantId. */
  dimension?: string;
  /** Default Sum. */
  stat?: string;
}

/** API Gateway REST APIs, across all APIs of the account and region (Metrics Insights). */
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

/** CloudWatch through the AWS SDK v3: GetMetricData and DescribeAlarms (endpoint: AWS_ENDPOINT_URL_CLOUDWATCH). */
export class CloudWatchMonitoring implements MonitoringProvider {
  readonly id = 'cloudwatch';
  readonly label: string;
  /** The runner's own AWS credentials are the means of measuring here, so a denial is ERROR, not FAIL. */
  readonly credentialsTitle = 'CloudWatch readable with the runner\'s AWS credentials';
  private readonly signals: Record<SignalKind, CloudWatchSignal>;

  constructor(private readonly client: CloudWatchClient, private readonly opts: CloudWatchMonitoringOptions) {
    this.label = `CloudWatch (${opts.region})`;
    this.signals = { ...CLOUDWATCH_DEFAULT_SIGNALS, ...opts.signals };
  }

  async verifyCredentials(signal: AbortSignal): Promise<string> {
    await this.describeAlarms(new DescribeAlarmsCommand({ MaxRecords: 1 }), signal);
    return `DescribeAlarms answered in ${this.opts.region}`;
  }

  async readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    const queries: MetricDataQuery[] = SIGNALS.map((kind) => toQuery(kind, this.signals[kind], 60));
    const results = await this.metricData(queries, window, signal);
    return Object.fromEntries(
      SIGNALS.map((kind) => {
        const mine = results.filter((r) => r.Id === kind);
        const stamps = mine.flatMap((r) => (r.Timestamps ?? []).filter((_, i) => typeof r.Values?.[i] === 'number'));
        const last = stamps.reduce((max, t) => Math.max(max, t.getTime()), 0);
        const reading: SignalReading = { query: describeSignal(this.signals[kind]), samples: stamps.length, unit: 'datapoints', ...(last ? { lastAt: new Date(last) } : {}) };
        return [kind, reading];
      }),
    ) as Record<SignalKind, SignalReading>;
  }

  async tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const m = this.opts.tenantMetric;
    const dimension = m.dimension ?? 'TenantId';
    const search = `SEARCH('{${quote(m.namespace)},${quote(dimension)}} MetricName=${quote(m.metricName)}', '${m.stat ?? 'Sum'}', 3600)`;
    const results = await this.metricData(
      [{ Id: 'tenants', Expression: search, Label: `\${PROP('Dim.${dimension}')}`, Period: 3600, ReturnData: true }],
      window,
      signal,
    );
    const tenants = new Set<string>();
    for (const r of results) {
      const total = (r.Values ?? []).reduce((sum, v) => sum + v, 0);
      if (r.Label && total > 0) tenants.add(r.Label);
    }
    return { query: search, by: `dimension ${dimension}`, tenants: [...tenants].sort() };
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
          notifies: a.AlarmActions ?? [],
          ...(a.StateValue ? { state: a.StateValue } : {}),
        });
      }
      for (const a of out.CompositeAlarms ?? []) {
        rules.push({
          id: a.AlarmArn ?? a.AlarmName ?? '',
          name: a.AlarmName ?? '(unnamed alarm)',
          query: `${a.AlarmName ?? ''} ${a.AlarmRule ?? ''}`,
          enabled: a.ActionsEnabled === true,
          ...(a.ActionsSuppressedBy ? { mutedBy: `actions suppressed (${a.ActionsSuppressedBy}${a.ActionsSuppressor ? ` by ${a.ActionsSuppressor}` : ''})` } : {}),
          notifies: a.AlarmActions ?? [],
          ...(a.StateValue ? { state: a.StateValue } : {}),
        });
      }
      token = out.NextToken;
      if (!token) break;
    }
    return rules;
  }

  private async describeAlarms(command: DescribeAlarmsCommand, signal: AbortSignal) {
    const out = await sendChecked('DescribeAlarms', () => this.client.send(command, { abortSignal: signal }));
    checkAlarms(out);
    return out;
  }

  private async metricData(queries: MetricDataQuery[], window: TimeWindow, signal: AbortSignal): Promise<MetricDataResult[]> {
    const results: MetricDataResult[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await sendChecked('GetMetricData', () =>
        this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.from, EndTime: window.to, NextToken: token, ScanBy: 'TimestampDescending' }),
          { abortSignal: signal },
        ),
      );
      checkMetricDataResults(out.MetricDataResults);
      for (const r of out.MetricDataResults ?? []) {
        if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
          const why = (r.Messages ?? []).map((m) => m.Value).filter(Boolean).join('; ');
          throw new Error(`GetMetricData could not evaluate ${r.Id}: ${r.StatusCode}${why ? ` (${why})` : ''}`);
        }
      }
      results.push(...(out.MetricDataResults ?? []));
      token = out.NextToken;
      if (!token) break;
    }
    return results;
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
    if (code === 'ECONNRESET' || /\baborted$|socket hang up|ECONNRESET/.test(first)) throw new Error(`CloudWatch ${operation} answer broken off: the connection closed before the body ended`);
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
    if (!Array.isArray(stamps) || stamps.some((t) => Object.prototype.toString.call(t) !== '[object Date]' || Number.isNaN((t as Date).getTime()))) throw malformed('GetMetricData', `${at}.Timestamps is not a list of times`);
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
      if (a.AlarmName !== undefined && typeof a.AlarmName !== 'string') throw malformed('DescribeAlarms', `${at}.AlarmName is ${typeName(a.AlarmName)}, not a string`);
      const actions: unknown = a.AlarmActions ?? [];
      if (!Array.isArray(actions) || actions.some((x) => typeof x !== 'string')) throw malformed('DescribeAlarms', `${at}.AlarmActions is not a list of ARNs`);
      if (a.ActionsEnabled !== undefined && typeof a.ActionsEnabled !== 'boolean') throw malformed('DescribeAlarms', `${at}.ActionsEnabled is ${typeName(a.ActionsEnabled)}, not true or false`);
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
  const dims = Object.entries(s.dimensions ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return `${s.stat ?? 'Sum'}(${s.namespace}/${s.metricName}${dims ? `{${dims}}` : ''})`;
}

/** Quotes a SEARCH term that has characters other than letters, digits and underscores. */
function quote(term: string): string {
  return /^[A-Za-z0-9_]+$/.test(term) ? term : `"${term.replace(/"/g, '\\"')}"`;
}
