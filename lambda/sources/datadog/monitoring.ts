import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import {
  KeyRejectedError,
  SIGNALS,
  type AlertRule,
  type MonitoringProvider,
  type SignalKind,
  type SignalReading,
  type TenantBreakdown,
  type TimeWindow,
} from '../../checks/monitoring/ports';
import { ApiError, isRecord, requestJson, typeName } from '../http/json-request';

/** Datadog sites and their API hosts (`https://api.<site>`). */
export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;

/** `sources.<name>` with `type: datadog`. An empty apiKey means "not configured" (see the gate). */
export interface DatadogSourceConfig extends SourceConfig {
  type: 'datadog';
  apiKey: string;
  appKey?: string;
  site?: string;
  apiUrl?: string;
}

export const datadogSourceSchema: JsonSchema = {
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    type: { const: 'datadog' },
    apiKey: { type: 'string', description: 'DD-API-KEY: ${env:DATADOG_API_KEY} or ${secret:ARN#key}. Empty means not configured.' },
    appKey: { type: 'string', description: 'DD-APPLICATION-KEY (metric queries, monitors): ${env:DATADOG_APP_KEY} or ${secret:…}.' },
    site: { enum: [...DATADOG_SITES, ''], default: 'datadoghq.com', description: 'Datadog site; the API host is api.<site>.' },
    apiUrl: { type: 'string', pattern: '^(https?://.+)?$', description: 'API base URL override (proxy, private link); default https://api.<site> or DATADOG_API_URL.' },
  },
};

/**
 * The API base URL: explicit apiUrl, else DATADOG_API_URL (read here, as the AWS SDK reads
 * AWS_ENDPOINT_URL_*), else https://api.<site>.
 */
export function datadogApiUrl(src: Pick<DatadogSourceConfig, 'site' | 'apiUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  if (src.apiUrl) return src.apiUrl.replace(/\/+$/, '');
  if (env.DATADOG_API_URL) return env.DATADOG_API_URL.replace(/\/+$/, '');
  return `https://api.${src.site || 'datadoghq.com'}`;
}

/** Metric queries (Datadog query syntax) for the three signals and the tenant breakdown. */
export interface DatadogQueries {
  latency?: string;
  errors?: string;
  throughput?: string;
  /** Throughput grouped by the tenant tag. Default: the throughput query with ` by {<tenantTag>}` inserted. */
  tenants?: string;
}

/** APM trace metrics of a web service (the default `http.request` span). */
export const DATADOG_DEFAULT_QUERIES: Required<Omit<DatadogQueries, 'tenants'>> = {
  latency: 'avg:trace.http.request.duration{*}',
  errors: 'sum:trace.http.request.errors{*}.as_count()',
  throughput: 'sum:trace.http.request.hits{*}.as_count()',
};

export interface DatadogMonitoringOptions {
  apiKey: string;
  appKey: string;
  baseUrl: string;
  site: string;
  queries?: DatadogQueries;
  tenantTag: string;
  /** Only monitors carrying all these tags (`monitor_tags`), e.g. service:api. */
  monitorTags?: string[];
  deadline: number;
}

interface QueryResponse {
  status?: string;
  error?: string;
  series?: { scope?: string; tag_set?: string[]; pointlist?: [number, number | null][] }[];
}

interface Monitor {
  id: number;
  name?: string;
  query?: string;
  message?: string;
  overall_state?: string;
  options?: { silenced?: Record<string, number | null> };
  matching_downtimes?: { id?: number; active?: boolean; scope?: string[] | string; end?: number | null }[];
}

const MONITOR_PAGE_SIZE = 1000;
const MAX_MONITOR_PAGES = 20;

/** Datadog over its REST API v1: key validation, metric queries and monitors. */
export class DatadogMonitoring implements MonitoringProvider {
  readonly id = 'datadog';
  readonly label: string;
  readonly credentialsTitle = 'Datadog API and application keys valid';
  private readonly queries: Required<DatadogQueries>;

  constructor(private readonly opts: DatadogMonitoringOptions) {
    this.label = `Datadog (${opts.site})`;
    const q = { ...DATADOG_DEFAULT_QUERIES, ...opts.queries };
    this.queries = { ...q, tenants: opts.queries?.tenants ?? groupByTag(q.throughput, opts.tenantTag) };
  }

  async verifyCredentials(signal: AbortSignal): Promise<string> {
    const doc = await this.get('/api/v1/validate', {}, signal, 'Datadog API key');
    // Only an explicit `valid: false` is a verdict on the key; any other shape is a broken answer.
    const valid = isRecord(doc) ? doc.valid : undefined;
    if (typeof valid !== 'boolean') throw malformed('GET /api/v1/validate', isRecord(doc) ? `valid is ${typeName(valid)}, not true or false` : `the answer is ${typeName(doc)}, not an object`);
    if (!valid) throw new KeyRejectedError('Datadog API key', 'GET /api/v1/validate did not answer valid: true');
    // The application key is only checked by an endpoint that needs it; one monitor is the cheapest.
    await this.get('/api/v1/monitor', { page: '0', page_size: '1' }, signal);
    return `API key valid (GET /api/v1/validate) and application key accepted (GET /api/v1/monitor) at ${this.opts.baseUrl}`;
  }

  async readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    const entries = await Promise.all(
      SIGNALS.map(async (kind) => {
        const res = await this.query(this.queries[kind], window, signal);
        let samples = 0;
        let last = 0;
        for (const s of res.series ?? []) {
          for (const [t, v] of s.pointlist ?? []) {
            if (v === null || v === undefined) continue;
            samples++;
            last = Math.max(last, t);
          }
        }
        const reading: SignalReading = { query: this.queries[kind], samples, unit: 'datapoints', ...(last ? { lastAt: new Date(last) } : {}) };
        return [kind, reading] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<SignalKind, SignalReading>;
  }

  async tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const res = await this.query(this.queries.tenants, window, signal);
    const prefix = `${this.opts.tenantTag}:`;
    const tenants = new Set<string>();
    for (const s of res.series ?? []) {
      const tags = s.tag_set ?? (s.scope ? s.scope.split(',') : []);
      const tag = tags.find((t) => t.startsWith(prefix));
      const value = tag?.slice(prefix.length);
      if (!value || value === 'N/A') continue;
      const total = (s.pointlist ?? []).reduce((sum, [, v]) => sum + (typeof v === 'number' ? v : 0), 0);
      if (total > 0) tenants.add(value);
    }
    return { query: this.queries.tenants, by: `tag ${this.opts.tenantTag}`, tenants: [...tenants].sort() };
  }

  async alertRules(signal: AbortSignal): Promise<AlertRule[]> {
    const rules: AlertRule[] = [];
    const now = Date.now() / 1000;
    for (let page = 0; page < MAX_MONITOR_PAGES; page++) {
      const params: Record<string, string> = { with_downtimes: 'true', page: String(page), page_size: String(MONITOR_PAGE_SIZE) };
      if (this.opts.monitorTags?.length) params.monitor_tags = this.opts.monitorTags.join(',');
      const monitors = (await this.get('/api/v1/monitor', params, signal)) as Monitor[];
      if (!Array.isArray(monitors)) throw new ApiError(200, 'Datadog GET /api/v1/monitor did not answer a list of monitors');
      monitors.forEach((m, i) => checkMonitor(m, `monitors[${page * MONITOR_PAGE_SIZE + i}]`));
      for (const m of monitors) rules.push(toRule(m, now));
      if (monitors.length < MONITOR_PAGE_SIZE) break;
    }
    return rules;
  }

  private async query(query: string, window: TimeWindow, signal: AbortSignal): Promise<QueryResponse> {
    const res = (await this.get(
      '/api/v1/query',
      { from: String(Math.floor(window.from.getTime() / 1000)), to: String(Math.floor(window.to.getTime() / 1000)), query },
      signal,
    )) as QueryResponse;
    if (!isRecord(res)) throw malformed(`GET /api/v1/query (query ${JSON.stringify(query)})`, `the answer is ${typeName(res)}, not an object`);
    if (res.status === 'error' || res.error) throw new ApiError(200, `Datadog rejected the query ${JSON.stringify(query)}: ${res.error ?? 'status error'}`);
    const problem = seriesProblem(res.series);
    if (problem) throw malformed(`GET /api/v1/query (query ${JSON.stringify(query)})`, problem);
    return res;
  }

  private get(path: string, params: Record<string, string>, signal: AbortSignal, key = 'Datadog API or application key'): Promise<unknown> {
    const url = new URL(this.opts.baseUrl + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'DD-API-KEY': this.opts.apiKey };
    if (path !== '/api/v1/validate') headers['DD-APPLICATION-KEY'] = this.opts.appKey;
    return requestJson({ service: 'Datadog', key, url, headers, signal, deadline: this.opts.deadline });
  }
}

function malformed(operation: string, what: string): ApiError {
  return new ApiError(200, `malformed response from Datadog ${operation}: ${what}`);
}

/** What is wrong with a query answer's `series` (a list of {scope?, tag_set?, pointlist: [ms, number|null][]}), if anything. */
function seriesProblem(series: unknown): string | undefined {
  if (series === undefined || series === null) return undefined;
  if (!Array.isArray(series)) return `series is ${typeName(series)}, not a list`;
  for (let i = 0; i < series.length; i++) {
    const s: unknown = series[i];
    if (!isRecord(s)) return `series[${i}] is ${typeName(s)}, not an object`;
    if (s.scope !== undefined && typeof s.scope !== 'string') return `series[${i}].scope is ${typeName(s.scope)}, not a string`;
    if (s.tag_set !== undefined && (!Array.isArray(s.tag_set) || s.tag_set.some((t) => typeof t !== 'string'))) return `series[${i}].tag_set is not a list of strings`;
    if (s.pointlist === undefined || s.pointlist === null) continue;
    if (!Array.isArray(s.pointlist)) return `series[${i}].pointlist is ${typeName(s.pointlist)}, not a list`;
    for (let j = 0; j < s.pointlist.length; j++) {
      const p: unknown = s.pointlist[j];
      if (!Array.isArray(p) || typeof p[0] !== 'number' || (p[1] !== null && typeof p[1] !== 'number')) {
        return `series[${i}].pointlist[${j}] is ${JSON.stringify(p)?.slice(0, 60)}, not [time, number or null]`;
      }
    }
  }
  return undefined;
}

/** Throws when a monitor lacks the shape `toRule` reads. */
function checkMonitor(m: unknown, where: string): void {
  const bad = (what: string) => malformed('GET /api/v1/monitor', `${where}${what}`);
  if (!isRecord(m)) throw bad(` is ${typeName(m)}, not an object`);
  if (typeof m.id !== 'number' && typeof m.id !== 'string') throw bad(`.id is ${typeName(m.id)}, not a number`);
  for (const k of ['name', 'query', 'message', 'overall_state'] as const) {
    if (m[k] !== undefined && m[k] !== null && typeof m[k] !== 'string') throw bad(`.${k} is ${typeName(m[k])}, not a string`);
  }
  if (m.options !== undefined && m.options !== null) {
    if (!isRecord(m.options)) throw bad(`.options is ${typeName(m.options)}, not an object`);
    const silenced = m.options.silenced;
    if (silenced !== undefined && silenced !== null && !isRecord(silenced)) throw bad(`.options.silenced is ${typeName(silenced)}, not an object`);
  }
  if (m.matching_downtimes !== undefined && m.matching_downtimes !== null && (!Array.isArray(m.matching_downtimes) || !m.matching_downtimes.every(isRecord))) {
    throw bad('.matching_downtimes is not a list of downtimes');
  }
}

/** `sum:m{scope}.as_count()` → `sum:m{scope} by {tag}.as_count()`. */
export function groupByTag(query: string, tag: string): string {
  const close = query.indexOf('}');
  if (close < 0) return `${query} by {${tag}}`;
  return `${query.slice(0, close + 1)} by {${tag}}${query.slice(close + 1)}`;
}

/** Notification handles in a monitor message: @slack-…, @pagerduty-…, @user@example.com, @webhook-…, @team-…. */
export function notificationHandles(message: string | undefined): string[] {
  const handles = new Set<string>();
  for (const m of (message ?? '').matchAll(/(?:^|[\s(,;])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g)) handles.add(`@${m[1].replace(/[.,;]+$/, '')}`);
  return [...handles];
}

function toRule(m: Monitor, nowSeconds: number): AlertRule {
  const silenced = Object.entries(m.options?.silenced ?? {}).filter(([, until]) => until === null || until === undefined || until > nowSeconds);
  const downtimes = (m.matching_downtimes ?? []).filter((d) => d.active !== false && (d.end === null || d.end === undefined || d.end > nowSeconds));
  const muted = [
    ...silenced.map(([scope, until]) => `silenced ${scope}${until ? ` until ${new Date(until * 1000).toISOString()}` : ''}`),
    ...downtimes.map((d) => `downtime ${d.id ?? ''} on ${[d.scope ?? '*'].flat().join(',')}`.replace('  ', ' ')),
  ];
  return {
    id: String(m.id),
    name: m.name ?? `monitor ${m.id}`,
    query: m.query ?? '',
    enabled: true,
    ...(muted.length ? { mutedBy: muted.join(', ') } : {}),
    notifies: notificationHandles(m.message),
    ...(m.overall_state ? { state: m.overall_state } : {}),
  };
}
