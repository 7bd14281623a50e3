import { ConfigError, SourceError } from '../../core/errors';
import {
  SIGNALS,
  type AlertRule,
  type MonitoringProvider,
  type SignalKind,
  type SignalReading,
  type TenantBreakdown,
  type TimeWindow,
} from '../../checks/monitoring/ports';
import { isRecord, requestJson, typeName } from '../http/json-request';
export { DATADOG_SITES, datadogApiUrl, datadogSourceSchema, type DatadogSourceConfig } from './schema';

/**
 * Metric queries (Datadog query syntax) replacing the defaults. Each signal default is built from
 * the trace span names discovered in the env; the tenant default is the spans aggregate API.
 */
export interface DatadogQueries {
  latency?: string;
  errors?: string;
  throughput?: string;
  /** A metric query grouped by the tenant tag (`… by {tenant_id}`), e.g. a span-based metric. */
  tenants?: string;
}

export interface DatadogMonitoringOptions {
  apiKey: string;
  appKey: string;
  baseUrl: string;
  site: string;
  /** The `env` tag of production (DD_ENV). Required for everything but the credentials check. */
  env?: string;
  /** The `service` tag (DD_SERVICE): narrows the default queries and the span search. */
  service?: string;
  queries?: DatadogQueries;
  /** Span attribute / metric tag carrying the tenant ID. */
  tenantTag: string;
  /** Only monitors carrying all these tags (`monitor_tags`), e.g. service:api. */
  monitorTags?: string[];
  deadline: number;
  /** Progress lines (a wait on a rate limit), shown on stderr by the CLI. */
  progress?: (message: string) => void;
}

interface QueryResponse {
  status?: string;
  error?: string;
  series?: { scope?: string; tag_set?: string[]; query_index?: number; pointlist?: [number, number | null][] }[];
}

interface Monitor {
  id: number;
  name?: string;
  query?: string;
  message?: string;
  tags?: string[];
  overall_state?: string;
  draft_status?: string;
  options?: { silenced?: Record<string, number | null> };
  matching_downtimes?: { id?: number; active?: boolean; scope?: string[] | string; end?: number | null }[];
}

/** N2: page_size is at most 1000. */
const MONITOR_PAGE_SIZE = 1000;
const MAX_MONITOR_PAGES = 20;
const RULE_PAGE_SIZE = 100;
const MAX_RULE_PAGES = 20;
/** T7: group_by.limit defaults to 10; the gate asks for this many tenant buckets. */
const TENANT_BUCKET_LIMIT = 10_000;
/** M1 lists metrics active since `from`; look back at least this far so a quiet minute is not "no metric". */
const DISCOVERY_LOOKBACK_MS = 3_600_000;

/**
 * Datadog over its REST API (docs/contracts/datadog.md): key validation, trace-metric discovery and
 * queries scoped to the production env, tenants from the spans aggregate API, monitors and
 * monitor notification rules.
 */
export class DatadogMonitoring implements MonitoringProvider {
  readonly id = 'datadog';
  readonly label: string;
  readonly credentialsTitle = 'Datadog API and application keys valid';
  readonly access = 'the application key has the read scopes the gate uses (monitors_read, timeseries_query, apm_read)';

  constructor(private readonly opts: DatadogMonitoringOptions) {
    // The host actually called: the site, unless the API URL points elsewhere (a proxy, a stand-in).
    const host = new URL(opts.baseUrl).host;
    this.label = `Datadog (${host === `api.${opts.site}` ? opts.site : host})`;
  }

  async verifyCredentials(signal: AbortSignal): Promise<string> {
    const doc = await this.call('GET', '/api/v1/validate', {}, signal, 'Datadog API key');
    // Only an explicit `valid: false` is a verdict on the key; any other shape is a broken answer.
    const valid = isRecord(doc) ? doc.valid : undefined;
    if (typeof valid !== 'boolean')
      throw malformed(
        'GET /api/v1/validate',
        isRecord(doc) ? `valid is ${typeName(valid)}, not true or false` : `the answer is ${typeName(doc)}, not an object`,
      );
    if (!valid) throw new SourceError('credentials', 'Datadog API key rejected: GET /api/v1/validate did not answer valid: true');
    // The application key is only checked by an endpoint that needs it; one monitor is the cheapest.
    await this.call('GET', '/api/v1/monitor', { page: '0', page_size: '1' }, signal);
    return `API key valid (GET /api/v1/validate) and application key accepted (GET /api/v1/monitor) at ${this.opts.baseUrl}`;
  }

  async readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    const scope = this.scopeTags();
    const custom = this.opts.queries ?? {};
    let queries: Record<SignalKind, string | undefined> = { latency: custom.latency, errors: custom.errors, throughput: custom.throughput };
    let discovery = '';
    if (SIGNALS.some((k) => !queries[k])) {
      const spans = await this.traceSpanNames(window, scope, signal);
      discovery = `no trace.<span>.hits metric reported with ${scope.join(' AND ')} (GET /api/v1/metrics)`;
      if (spans.length) {
        const where = `{${scope.join(',')}}`;
        const each = (f: (span: string) => string) => spans.map(f).join(',');
        queries = {
          latency: queries.latency ?? each((s) => `avg:trace.${s}${where}`),
          errors: queries.errors ?? each((s) => `sum:trace.${s}.errors${where}.as_count()`),
          throughput: queries.throughput ?? each((s) => `sum:trace.${s}.hits${where}.as_count()`),
        };
      }
    }
    const entries = await Promise.all(
      SIGNALS.map(async (kind) => {
        const query = queries[kind];
        if (!query) return [kind, { query: discovery, samples: 0, unit: 'datapoints' } satisfies SignalReading] as const;
        const res = await this.query(query, window, signal);
        let samples = 0;
        let last = 0;
        for (const s of res.series ?? []) {
          for (const [t, v] of s.pointlist ?? []) {
            if (v === null || v === undefined) continue;
            samples++;
            last = Math.max(last, t);
          }
        }
        const reading: SignalReading = {
          query,
          samples,
          unit: 'datapoints',
          ...(last ? { lastAt: new Date(last) } : {}),
          // T4: the default errors count has points only where errors were counted.
          ...(kind === 'errors' && !custom.errors ? { absentMeansZero: true } : {}),
        };
        return [kind, reading] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<SignalKind, SignalReading>;
  }

  async tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const scope = this.scopeTags();
    const grouped = this.opts.queries?.tenants;
    if (grouped) return this.tenantsFromMetric(grouped, window, signal);
    const facet = `@${this.opts.tenantTag}`;
    const filter = scope.join(' ');
    const body = {
      data: {
        type: 'aggregate_request',
        attributes: {
          compute: [{ aggregation: 'count', type: 'total' }],
          filter: { from: String(window.from.getTime()), to: String(window.to.getTime()), query: filter },
          group_by: [{ facet, limit: TENANT_BUCKET_LIMIT }],
        },
      },
    };
    const operation = 'POST /api/v2/spans/analytics/aggregate';
    const doc = await this.call('POST', '/api/v2/spans/analytics/aggregate', {}, signal, undefined, JSON.stringify(body));
    if (!isRecord(doc)) throw malformed(operation, `the answer is ${typeName(doc)}, not an object`);
    const status = isRecord(doc.meta) ? doc.meta.status : undefined;
    if (status !== undefined && status !== 'done')
      throw new SourceError('malformed', `Datadog ${operation} answered status ${JSON.stringify(status)}: the span counts are partial`);
    if (!Array.isArray(doc.data)) throw malformed(operation, `data is ${typeName(doc.data)}, not a list of buckets`);
    const tenants = new Set<string>();
    doc.data.forEach((bucket: unknown, i: number) => {
      const attrs = isRecord(bucket) ? bucket.attributes : undefined;
      if (!isRecord(attrs) || !isRecord(attrs.by)) throw malformed(operation, `data[${i}].attributes.by is missing`);
      const counts = isRecord(attrs.compute) ? attrs.compute : isRecord(attrs.computes) ? attrs.computes : undefined;
      const count = counts?.c0;
      if (typeof count !== 'number') throw malformed(operation, `data[${i}].attributes.compute.c0 is ${typeName(count)}, not a number`);
      const value = attrs.by[facet];
      if (typeof value === 'string' && value && value !== 'N/A' && count > 0) tenants.add(value);
    });
    return { query: `spans ${filter} grouped by ${facet} (${operation})`, by: `span tag ${facet}`, tenants: [...tenants].sort() };
  }

  async alertRules(signal: AbortSignal): Promise<AlertRule[]> {
    const env = this.scopeTags()[0];
    const [monitors, rules] = await Promise.all([this.monitors(signal), this.notificationRules(signal)]);
    const now = Date.now() / 1000;
    // Monitors of other envs are read but not judged; the result names them and why.
    return monitors.map((m) => (watchesEnv(m, env) ? toRule(m, rules, now) : { ...toRule(m, rules, now), excluded: `does not watch ${env}` }));
  }

  /** `env:<env>` and, when set, `service:<service>`; the env has no default that could be right. */
  private scopeTags(): string[] {
    if (!this.opts.env) {
      throw new ConfigError(
        'not set: the Datadog env tag of production (e.g. prod), so that staging data and monitors do not count; zero-config reads DD_ENV',
        'gates.monitoring.datadog.env',
      );
    }
    return [`env:${this.opts.env}`, ...(this.opts.service ? [`service:${this.opts.service}`] : [])];
  }

  /** T1, M1: span names with a `trace.<span>.hits` metric active in the scope. */
  private async traceSpanNames(window: TimeWindow, scope: string[], signal: AbortSignal): Promise<string[]> {
    const from = Math.floor(Math.min(window.from.getTime(), window.to.getTime() - DISCOVERY_LOOKBACK_MS) / 1000);
    const doc = await this.call('GET', '/api/v1/metrics', { from: String(from), tag_filter: scope.join(' AND ') }, signal);
    if (!isRecord(doc) || !Array.isArray(doc.metrics) || doc.metrics.some((m) => typeof m !== 'string')) {
      throw malformed(
        'GET /api/v1/metrics',
        isRecord(doc) ? `metrics is ${typeName(doc.metrics)}, not a list of names` : `the answer is ${typeName(doc)}, not an object`,
      );
    }
    const spans = (doc.metrics as string[]).map((m) => /^trace\.(.+)\.hits$/.exec(m)?.[1]).filter((s): s is string => Boolean(s));
    return [...new Set(spans)].sort();
  }

  private async tenantsFromMetric(query: string, window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const res = await this.query(query, window, signal);
    const prefix = `${this.opts.tenantTag}:`;
    const tenants = new Set<string>();
    for (const s of res.series ?? []) {
      const tags = s.tag_set ?? (s.scope ? s.scope.split(',') : []);
      const value = tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);
      if (!value || value === 'N/A') continue;
      const total = (s.pointlist ?? []).reduce((sum, [, v]) => sum + (typeof v === 'number' ? v : 0), 0);
      if (total > 0) tenants.add(value);
    }
    return { query, by: `tag ${this.opts.tenantTag}`, tenants: [...tenants].sort() };
  }

  private async monitors(signal: AbortSignal): Promise<Monitor[]> {
    const all: Monitor[] = [];
    for (let page = 0; page < MAX_MONITOR_PAGES; page++) {
      const params: Record<string, string> = { with_downtimes: 'true', page: String(page), page_size: String(MONITOR_PAGE_SIZE) };
      if (this.opts.monitorTags?.length) params.monitor_tags = this.opts.monitorTags.join(',');
      const monitors = (await this.call('GET', '/api/v1/monitor', params, signal)) as Monitor[];
      if (!Array.isArray(monitors)) throw new SourceError('malformed', 'Datadog GET /api/v1/monitor did not answer a list of monitors');
      monitors.forEach((m, i) => checkMonitor(m, `monitors[${page * MONITOR_PAGE_SIZE + i}]`));
      all.push(...monitors);
      if (monitors.length < MONITOR_PAGE_SIZE) return all;
    }
    throw new SourceError(
      'malformed',
      `Datadog has more than ${MAX_MONITOR_PAGES * MONITOR_PAGE_SIZE} monitors for this key; narrow them with gates.monitoring.datadog.monitorTags`,
    );
  }

  /** N8: every monitor notification rule, page by page; a page that adds nothing new ends the list. */
  private async notificationRules(signal: AbortSignal): Promise<NotificationRule[]> {
    const byId = new Map<string, NotificationRule>();
    for (let page = 0; page < MAX_RULE_PAGES; page++) {
      const doc = await this.call('GET', '/api/v2/monitor/notification_rule', { page: String(page), per_page: String(RULE_PAGE_SIZE) }, signal);
      const data = isRecord(doc) ? doc.data : undefined;
      if (!Array.isArray(data))
        throw malformed(
          'GET /api/v2/monitor/notification_rule',
          isRecord(doc) ? `data is ${typeName(data)}, not a list of rules` : `the answer is ${typeName(doc)}, not an object`,
        );
      const before = byId.size;
      data.forEach((r: unknown, i: number) => {
        if (!isRecord(r) || !isRecord(r.attributes)) throw malformed('GET /api/v2/monitor/notification_rule', `data[${i}].attributes is missing`);
        byId.set(String(r.id ?? `${page}-${i}`), r as unknown as NotificationRule);
      });
      if (data.length < RULE_PAGE_SIZE || byId.size === before) break;
    }
    return [...byId.values()];
  }

  private async query(query: string, window: TimeWindow, signal: AbortSignal): Promise<QueryResponse> {
    const res = (await this.call(
      'GET',
      '/api/v1/query',
      { from: String(Math.floor(window.from.getTime() / 1000)), to: String(Math.floor(window.to.getTime() / 1000)), query },
      signal,
    )) as QueryResponse;
    if (!isRecord(res)) throw malformed(`GET /api/v1/query (query ${JSON.stringify(query)})`, `the answer is ${typeName(res)}, not an object`);
    if (res.status === 'error' || res.error)
      throw new SourceError('malformed', `Datadog rejected the query ${JSON.stringify(query)}: ${res.error ?? 'status error'}`);
    const problem = seriesProblem(res.series);
    if (problem) throw malformed(`GET /api/v1/query (query ${JSON.stringify(query)})`, problem);
    return res;
  }

  private call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
    signal: AbortSignal,
    key = 'Datadog API or application key',
    body?: string,
  ): Promise<unknown> {
    const url = new URL(this.opts.baseUrl + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'DD-API-KEY': this.opts.apiKey };
    if (path !== '/api/v1/validate') headers['DD-APPLICATION-KEY'] = this.opts.appKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return requestJson({ service: 'Datadog', key, url, method, headers, body, signal, deadline: this.opts.deadline, progress: this.opts.progress });
  }
}

function malformed(operation: string, what: string): SourceError {
  return new SourceError('malformed', `malformed response from Datadog ${operation}: ${what}`);
}

/** What is wrong with a query answer's `series` (a list of {scope?, tag_set?, pointlist: [ms, number|null][]}), if anything. */
function seriesProblem(series: unknown): string | undefined {
  if (series === undefined || series === null) return undefined;
  if (!Array.isArray(series)) return `series is ${typeName(series)}, not a list`;
  for (let i = 0; i < series.length; i++) {
    const s: unknown = series[i];
    if (!isRecord(s)) return `series[${i}] is ${typeName(s)}, not an object`;
    if (s.scope !== undefined && typeof s.scope !== 'string') return `series[${i}].scope is ${typeName(s.scope)}, not a string`;
    if (s.tag_set !== undefined && (!Array.isArray(s.tag_set) || s.tag_set.some((t) => typeof t !== 'string')))
      return `series[${i}].tag_set is not a list of strings`;
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
  for (const k of ['name', 'query', 'message', 'overall_state', 'draft_status'] as const) {
    if (m[k] !== undefined && m[k] !== null && typeof m[k] !== 'string') throw bad(`.${k} is ${typeName(m[k])}, not a string`);
  }
  if (m.tags !== undefined && m.tags !== null && (!Array.isArray(m.tags) || m.tags.some((t) => typeof t !== 'string')))
    throw bad('.tags is not a list of strings');
  if (m.options !== undefined && m.options !== null) {
    if (!isRecord(m.options)) throw bad(`.options is ${typeName(m.options)}, not an object`);
    const silenced = m.options.silenced;
    if (silenced !== undefined && silenced !== null && !isRecord(silenced)) throw bad(`.options.silenced is ${typeName(silenced)}, not an object`);
  }
  if (m.matching_downtimes !== undefined && m.matching_downtimes !== null && (!Array.isArray(m.matching_downtimes) || !m.matching_downtimes.every(isRecord))) {
    throw bad('.matching_downtimes is not a list of downtimes');
  }
}

/**
 * Whether a monitor watches the production env: not when its query or its tags name only other
 * envs, or its query excludes the env. A query grouped by env, or without any env, covers it.
 */
function watchesEnv(m: Monitor, envTag: string): boolean {
  const query = m.query ?? '';
  if (query.includes(`!${envTag}`)) return false;
  if (groupKeys(query).includes('env')) return true;
  const named = [...query.matchAll(/(?<![\w.!-])env:([^,}\s)]+)/g)].map((x) => `env:${x[1]}`);
  const tagged = (m.tags ?? []).filter((t) => t.startsWith('env:'));
  const envs = [...named, ...tagged];
  return envs.length === 0 || envs.includes(envTag);
}

/** Tag keys a monitor query groups by (`… by {a,b}`): its groups may carry any value of them. */
function groupKeys(query: string | undefined): string[] {
  return [...(query ?? '').matchAll(/\bby\s*\{([^}]*)\}/g)].flatMap((x) => x[1].split(',').map((k) => k.trim())).filter(Boolean);
}

/** Conditional variables whose body never renders on an alert notification (N7). */
const NOT_ON_ALERT = new Set([
  'is_warning',
  'is_recovery',
  'is_alert_recovery',
  'is_warning_recovery',
  'is_alert_to_warning',
  'is_no_data',
  'is_no_data_recovery',
  'is_unknown',
  'is_renotify',
]);

/**
 * N6, N7: the @handles of a monitor message that an alert notification reaches (@slack-…,
 * @pagerduty-…, @user@example.com …), read through `{{#…}}`, `{{^…}}` and `{{else}}` blocks.
 */
export function alertHandles(message: string | undefined): string[] {
  const handles = new Set<string>();
  const open: { name: string; negated: boolean; inElse: boolean }[] = [];
  const tokens = /\{\{\s*([#^/])\s*([\w.]+)[^}]*\}\}|\{\{\s*else\s*\}\}|(?<![\w.@+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g;
  for (const t of (message ?? '').matchAll(tokens)) {
    const [whole, sigil, name, handle] = t;
    if (handle) {
      if (open.every(rendersOnAlert)) handles.add(`@${handle.replace(/[.+-]+$/, '')}`);
    } else if (sigil === '/') {
      const at = open.map((f) => f.name).lastIndexOf(name);
      if (at >= 0) open.length = at;
    } else if (sigil) {
      open.push({ name, negated: sigil === '^', inElse: false });
    } else if (/else/.test(whole) && open.length) {
      open[open.length - 1].inElse = true;
    }
  }
  return [...handles];
}

function rendersOnAlert(block: { name: string; negated: boolean; inElse: boolean }): boolean {
  const wantsTrue = block.negated === block.inElse;
  if (block.name === 'is_alert') return wantsTrue;
  if (NOT_ON_ALERT.has(block.name)) return !wantsTrue;
  return true;
}

/** A monitor notification rule as listed by the API v2 (N8). */
interface NotificationRule {
  id?: string;
  attributes: {
    name?: string;
    filter?: { tags?: string[]; scope?: string };
    recipients?: string[];
    conditional_recipients?: { conditions?: { scope?: string; recipients?: string[] }[]; fallback_recipients?: string[] };
  };
}

/**
 * N9: recipients (as @handles) that notification rules add to an alert of this monitor. A rule
 * applies when its tags (all of them) or its scope expression hold on the monitor's tags or on
 * the tags its groups may carry; conditional recipients count when their scope holds on alert.
 */
export function ruleRecipientsFor(monitor: { tags?: string[]; query?: string }, rules: unknown[]): string[] {
  const keys = groupKeys(monitor.query);
  const has = (tag: string) => (monitor.tags ?? []).includes(tag) || keys.includes(tag.split(':')[0]);
  const out = new Set<string>();
  for (const rule of rules) {
    const a = (rule as NotificationRule).attributes ?? {};
    const filter = a.filter ?? {};
    const applies = filter.scope !== undefined ? scopeHolds(filter.scope, has) : (filter.tags ?? []).length > 0 && (filter.tags ?? []).every(has);
    if (!applies) continue;
    let recipients = a.recipients ?? [];
    if (a.conditional_recipients) {
      const onAlert = (a.conditional_recipients.conditions ?? []).filter(
        (c) => c.scope === 'transition_type:is_alert' || (c.scope !== undefined && !c.scope.startsWith('transition_type:') && has(c.scope)),
      );
      recipients = onAlert.length ? onAlert.flatMap((c) => c.recipients ?? []) : (a.conditional_recipients.fallback_recipients ?? []);
    }
    for (const r of recipients) out.add(r.startsWith('@') ? r : `@${r}`);
  }
  return [...out];
}

/** Evaluates a notification-rule scope (`key:value` terms, AND, OR, NOT, parentheses; adjacent terms AND). */
function scopeHolds(scope: string, has: (tag: string) => boolean): boolean {
  const tokens = scope.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === 'OR') {
      i++;
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (i < tokens.length && tokens[i] !== 'OR' && tokens[i] !== ')') {
      if (tokens[i] === 'AND') i++;
      v = not() && v;
    }
    return v;
  };
  const not = (): boolean => {
    if (tokens[i] === 'NOT') {
      i++;
      return !not();
    }
    if (tokens[i] === '(') {
      i++;
      const v = or();
      i++;
      return v;
    }
    return has(tokens[i++] ?? '');
  };
  return tokens.length > 0 && or();
}

function toRule(m: Monitor, rules: NotificationRule[], nowSeconds: number): AlertRule {
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
    // N5: a draft sends no notifications.
    enabled: m.draft_status !== 'draft',
    ...(muted.length ? { mutedBy: muted.join(', ') } : {}),
    notifies: [...new Set([...alertHandles(m.message), ...ruleRecipientsFor(m, rules)])],
    ...(m.overall_state ? { state: m.overall_state } : {}),
  };
}
