import { sendJson, startLocalServer, tenantIds, type LocalServer } from './local-server';

/**
 * A local Datadog org behind the endpoints gate 4 reads, answering as docs/contracts/datadog.md
 * says (rule ids in the comments). It is written from that contract, not from the adapter: it
 * checks the keys per endpoint, refuses what the spec refuses with `{"errors": [...]}`, computes
 * trace metrics from APM services (which carry only the documented tags), and aggregates spans by
 * their attributes.
 */

/** One instrumented service: what its tracer reports per minute, and the attributes on its spans. */
export interface ApmService {
  service: string;
  env: string;
  /** Operation name of its entry span (`express.request`, `flask.request`, …): trace.<spanName>.* (T1). */
  spanName: string;
  hitsPerMinute: number;
  /** 0 for a healthy service: then trace.<span>.errors has no points (T4). */
  errorsPerMinute: number;
  latencySeconds: number;
  /** Span attributes set by the application, e.g. { tenant_id: [...] }: one value per request, round robin (T6). */
  spanAttributes: Record<string, string[]>;
}

/** A metric the org sends itself (a span-based metric, DogStatsD): per-minute value per tag set. */
export interface CustomMetric {
  name: string;
  series: { tags: string[]; perMinute: number }[];
}

export interface DatadogOrg {
  apiKey: string;
  appKey: string;
  services: ApmService[];
  customMetrics: CustomMetric[];
  monitors: Record<string, unknown>[];
  notificationRules: Record<string, unknown>[];
  /** Answer this many requests with 429 (X-RateLimit-Reset: 1) before serving (D7). */
  rateLimited: number;
  /** Answer every request with this 5xx status. */
  failWith?: number;
}

/** Tags trace metrics carry (T3); every other span tag or attribute never reaches them. */
const TRACE_METRIC_TAGS = new Set(['env', 'service', 'version', 'resource', 'resource_name', 'http.status_code', 'http.status_class', 'host']);

/**
 * A healthy org set up as Datadog documents it: the `api` service traced with DD_ENV=prod and
 * DD_SERVICE=api (Express, so its entry span is `express.request`), every request span tagged
 * `tenant_id`, no errors right now; an error monitor that pages inside `{{#is_alert}}` and a latency
 * monitor routed only by a notification rule. A staging twin has monitors of its own with handles.
 */
export function healthyDatadog(): DatadogOrg {
  return {
    apiKey: 'dd-api-key-0123456789abcdef',
    appKey: 'dd-app-key-fedcba9876543210fedcba98',
    services: [
      {
        service: 'api',
        env: 'prod',
        spanName: 'express.request',
        hitsPerMinute: 120,
        errorsPerMinute: 0,
        latencySeconds: 0.12,
        spanAttributes: { tenant_id: tenantIds(12) },
      },
      {
        service: 'api',
        env: 'staging',
        spanName: 'express.request',
        hitsPerMinute: 6,
        errorsPerMinute: 1,
        latencySeconds: 0.3,
        spanAttributes: { tenant_id: ['tenant-stg'] },
      },
    ],
    customMetrics: [],
    monitors: [
      {
        id: 101,
        name: 'Service api has a high error rate on env:prod',
        type: 'query alert',
        query:
          'sum(last_5m):sum:trace.express.request.errors{env:prod,service:api}.as_count() / sum:trace.express.request.hits{env:prod,service:api}.as_count() > 0.05',
        message: 'Error rate above 5%.\n{{#is_alert}}@pagerduty-sre{{/is_alert}}\n{{#is_recovery}}@slack-api-recovered{{/is_recovery}}',
        tags: ['service:api', 'env:prod', 'team:api'],
        overall_state: 'OK',
        draft_status: 'published',
        options: { notify_no_data: false },
        matching_downtimes: [],
      },
      {
        id: 102,
        name: 'Service api has a high p95 latency on env:prod',
        type: 'query alert',
        query: 'percentile(last_10m):p95:trace.express.request{env:prod,service:api} > 1.5',
        message: 'p95 latency above 1.5 s.',
        tags: ['service:api', 'env:prod', 'team:api'],
        overall_state: 'OK',
        draft_status: 'published',
        options: {},
        matching_downtimes: [],
      },
      {
        id: 201,
        name: 'Staging api error rate',
        type: 'query alert',
        query: 'sum(last_5m):sum:trace.express.request.errors{env:staging,service:api}.as_count() > 10',
        message: '@slack-staging-alerts',
        tags: ['service:api', 'env:staging'],
        overall_state: 'Alert',
        options: {},
        matching_downtimes: [],
      },
      {
        id: 202,
        name: 'Staging api latency',
        type: 'query alert',
        query: 'avg(last_10m):avg:trace.express.request{env:staging,service:api} > 2',
        message: '@slack-staging-alerts',
        tags: ['service:api', 'env:staging'],
        overall_state: 'OK',
        options: {},
        matching_downtimes: [],
      },
    ],
    notificationRules: [
      {
        type: 'monitor-notification-rule',
        id: '9b5d6c1e-0000-4000-8000-000000000001',
        attributes: {
          name: 'api team, production',
          filter: { tags: ['team:api', 'env:prod'] },
          recipients: ['pagerduty-api-oncall', 'slack-api-alerts'],
          created_at: '2026-10-01T09:00:00+00:00',
          modified_at: '2026-10-01T09:00:00+00:00',
        },
      },
    ],
    rateLimited: 0,
    failWith: undefined,
  };
}

const FORBIDDEN = { errors: ['Forbidden'] };

export async function startDatadog(org: DatadogOrg): Promise<LocalServer> {
  return startLocalServer(({ method, url, headers, body }, res) => {
    if (org.failWith) return sendJson(res, org.failWith, { errors: ['Service Unavailable'] });
    if (org.rateLimited > 0) {
      org.rateLimited--;
      return sendJson(
        res,
        429,
        { errors: ['Rate limit exceeded'] },
        {
          'x-ratelimit-limit': '100',
          'x-ratelimit-period': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1',
          'x-ratelimit-name': 'query',
        },
      );
    }
    const route = `${method} ${url.pathname}`;
    // D3, D4, D6: the API key everywhere, the application key everywhere but validate.
    if (headers['dd-api-key'] !== org.apiKey) return sendJson(res, 403, FORBIDDEN);
    if (route === 'GET /api/v1/validate') return sendJson(res, 200, { valid: true });
    if (headers['dd-application-key'] !== org.appKey) return sendJson(res, 403, FORBIDDEN);
    const q = url.searchParams;
    switch (route) {
      case 'GET /api/v1/metrics':
        return activeMetrics(org, q, res);
      case 'GET /api/v1/query':
        return queryMetrics(org, q, res);
      case 'GET /api/v1/monitor':
        return listMonitors(org, q, res);
      case 'GET /api/v2/monitor/notification_rule':
        return listNotificationRules(org, q, res);
      case 'POST /api/v2/spans/analytics/aggregate':
        return aggregateSpans(org, body, res);
      default:
        return sendJson(res, 404, { errors: ['Not found'] });
    }
  });
}

type Res = Parameters<typeof sendJson>[0];

const serviceTags = (s: ApmService) => [`env:${s.env}`, `service:${s.service}`];

/** M1: names of metrics reporting since `from` whose tags satisfy tag_filter (AND / OR of key:value). */
function activeMetrics(org: DatadogOrg, q: URLSearchParams, res: Res): void {
  const from = q.get('from');
  if (!from || !/^\d+$/.test(from)) return sendJson(res, 400, { errors: ["Missing or invalid 'from' parameter"] });
  const filter = q.get('tag_filter');
  const matches = (tags: string[]) => !filter || tagFilterMatches(filter, tags);
  const names = new Set<string>();
  for (const s of org.services) {
    if (!matches(serviceTags(s))) continue;
    for (const suffix of ['', '.hits', '.duration', ...(s.errorsPerMinute > 0 ? ['.errors'] : [])]) names.add(`trace.${s.spanName}${suffix}`);
  }
  for (const m of org.customMetrics) if (m.series.some((x) => matches(x.tags))) names.add(m.name);
  return sendJson(res, 200, { from, metrics: [...names].sort() });
}

function tagFilterMatches(filter: string, tags: string[]): boolean {
  return filter.split(/\s+OR\s+/).some((all) => all.split(/\s+AND\s+/).every((term) => tags.includes(term.trim())));
}

/** M2–M5: evaluates comma-joined metric queries over the org's trace and custom metrics. */
function queryMetrics(org: DatadogOrg, q: URLSearchParams, res: Res): void {
  const query = q.get('query');
  const from = Number(q.get('from'));
  const to = Number(q.get('to'));
  if (!query || !Number.isInteger(from) || !Number.isInteger(to) || !from || !to)
    return sendJson(res, 400, { errors: ['from, to and query are required (seconds since the epoch)'] });
  const series: unknown[] = [];
  const parts = splitTopLevel(query);
  for (const [index, part] of parts.entries()) {
    const parsed = /^(avg|sum|min|max|p50|p75|p90|p95|p99):([\w.]+)\{([^}]*)\}(?: by \{([^}]*)\})?(\.as_count\(\)|\.as_rate\(\))?$/.exec(part.trim());
    if (!parsed) return sendJson(res, 200, { status: 'error', error: `Error parsing query: ${part.trim()}`, query, series: [] });
    const [, aggr, metric, scope, by] = parsed;
    const scopeTags = scope.trim() === '*' ? [] : scope.split(',').map((t) => t.trim());
    const groupBy = by ? by.split(',').map((t) => t.trim()) : [];
    for (const s of seriesOf(org, metric, aggr, scopeTags, groupBy, from, to)) series.push({ ...s, metric, query_index: index, aggr, expression: part.trim() });
  }
  return sendJson(res, 200, { status: 'ok', res_type: 'time_series', query, from_date: from * 1000, to_date: to * 1000, group_by: [], series, message: '' });
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

interface Source {
  tags: string[];
  /** Value of one point covering `seconds`, or null where nothing was counted. */
  value(seconds: number): number | null;
}

/** Per-minute sources a metric name stands for: trace.<span>.<suffix> per service, or a custom metric. */
function sourcesOf(org: DatadogOrg, metric: string): Source[] {
  const out: Source[] = [];
  for (const s of org.services) {
    const base = `trace.${s.spanName}`;
    const tags = serviceTags(s);
    if (metric === `${base}.hits`) out.push({ tags, value: (sec) => (s.hitsPerMinute * sec) / 60 });
    else if (metric === `${base}.errors`) out.push({ tags, value: (sec) => (s.errorsPerMinute > 0 ? (s.errorsPerMinute * sec) / 60 : null) });
    else if (metric === base || metric === `${base}.duration`) out.push({ tags, value: () => s.latencySeconds });
  }
  for (const m of org.customMetrics) {
    if (m.name === metric) for (const x of m.series) out.push({ tags: x.tags, value: (sec) => (x.perMinute * sec) / 60 });
  }
  return out;
}

function seriesOf(org: DatadogOrg, metric: string, aggr: string, scope: string[], groupBy: string[], from: number, to: number) {
  const isTrace = metric.startsWith('trace.');
  const matching = sourcesOf(org, metric).filter((src) => scope.every((t) => src.tags.includes(t)));
  if (matching.length === 0) return [];
  const groups = new Map<string, Source[]>();
  for (const src of matching) {
    // T3: a tag that is not on the metric groups as N/A; trace metrics never carry span attributes.
    const key = groupBy
      .map((k) => {
        const tag = isTrace && !TRACE_METRIC_TAGS.has(k) ? undefined : src.tags.find((t) => t.startsWith(`${k}:`));
        return tag ?? `${k}:N/A`;
      })
      .join(',');
    groups.set(key, [...(groups.get(key) ?? []), src]);
  }
  const step = Math.max(60, Math.ceil((to - from) / 150 / 60) * 60);
  const out = [];
  for (const [key, sources] of groups) {
    const pointlist: [number, number | null][] = [];
    for (let t = Math.ceil(from / step) * step; t < to; t += step) {
      const values = sources.map((src) => src.value(step)).filter((v): v is number => v !== null);
      if (values.length === 0) continue; // T4: a count with nothing counted has no point
      const v = aggr === 'sum' ? values.reduce((a, b) => a + b, 0) : values.reduce((a, b) => a + b, 0) / values.length;
      pointlist.push([t * 1000, v]);
    }
    if (pointlist.length === 0) continue;
    const tagSet = key ? key.split(',').filter((t) => !t.endsWith(':N/A')) : [];
    out.push({
      scope: key || scope.join(',') || '*',
      tag_set: tagSet,
      pointlist,
      length: pointlist.length,
      interval: step,
      start: pointlist[0][0],
      end: pointlist[pointlist.length - 1][0],
    });
  }
  return out;
}

/** N1–N4: the monitors list, with its paging rules and filters. */
function listMonitors(org: DatadogOrg, q: URLSearchParams, res: Res): void {
  const monitorTags =
    q
      .get('monitor_tags')
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean) ?? [];
  let list = org.monitors.filter((m) => monitorTags.every((t) => ((m.tags as string[] | undefined) ?? []).includes(t)));
  if (q.has('page')) {
    const page = Number(q.get('page'));
    const size = q.has('page_size') ? Number(q.get('page_size')) : 100;
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1 || size > 1000) {
      return sendJson(res, 400, { errors: ['page must be >= 0 and page_size between 1 and 1000'] });
    }
    list = list.slice(page * size, (page + 1) * size);
  }
  const withDowntimes = q.get('with_downtimes') === 'true';
  return sendJson(
    res,
    200,
    list.map((m) => {
      if (withDowntimes) return m;
      const { matching_downtimes: _dropped, ...rest } = m;
      return rest;
    }),
  );
}

/** N8: notification rules, paged by page (from 0) and per_page (default 100). */
function listNotificationRules(org: DatadogOrg, q: URLSearchParams, res: Res): void {
  const page = q.has('page') ? Number(q.get('page')) : 0;
  const perPage = q.has('per_page') ? Number(q.get('per_page')) : 100;
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(perPage) || perPage < 1) return sendJson(res, 400, { errors: ['invalid page or per_page'] });
  return sendJson(res, 200, { data: org.notificationRules.slice(page * perPage, (page + 1) * perPage) });
}

/** T7: counts of the spans matching `filter.query` in [from, to], grouped by one facet. */
function aggregateSpans(org: DatadogOrg, body: string, res: Res): void {
  let doc: any;
  try {
    doc = JSON.parse(body);
  } catch {
    return sendJson(res, 400, { errors: ['Malformed JSON'] });
  }
  const attrs = doc?.data?.attributes;
  if (doc?.data?.type !== 'aggregate_request' || !attrs) return sendJson(res, 400, { errors: ["data.type must be 'aggregate_request'"] });
  const compute = attrs.compute ?? [{ aggregation: 'count' }];
  if (!Array.isArray(compute) || compute.some((c: any) => c?.aggregation !== 'count')) return sendJson(res, 400, { errors: ['only count is served here'] });
  const from = Number(attrs.filter?.from);
  const to = Number(attrs.filter?.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
    return sendJson(res, 400, { errors: ['filter.from and filter.to must be ms timestamps, from < to'] });
  const terms = String(attrs.filter?.query ?? '*')
    .split(/\s+/)
    .filter((t) => t && t !== '*');
  const groupBy = attrs.group_by ?? [];
  if (!Array.isArray(groupBy) || groupBy.length > 1 || groupBy.some((g: any) => typeof g?.facet !== 'string'))
    return sendJson(res, 400, { errors: ['group_by: one facet served here'] });
  const facet: string | undefined = groupBy[0]?.facet;
  const limit = Number(groupBy[0]?.limit ?? 10);
  const minutes = (to - from) / 60_000;
  const counts = new Map<string, number>();
  for (const s of org.services) {
    const reserved: Record<string, string> = { env: s.env, service: s.service, operation_name: s.spanName };
    if (!terms.every((t) => reserved[t.split(':')[0]] === t.split(':').slice(1).join(':'))) continue;
    const spans = Math.round(s.hitsPerMinute * minutes);
    if (!facet) {
      counts.set('', (counts.get('') ?? 0) + spans);
      continue;
    }
    const values = facet.startsWith('@') ? s.spanAttributes[facet.slice(1)] : reserved[facet] !== undefined ? [reserved[facet]] : undefined;
    if (!values?.length) continue; // spans without the facet are left out (no `missing`)
    values.forEach((v, i) => counts.set(v, (counts.get(v) ?? 0) + Math.floor(spans / values.length) + (i < spans % values.length ? 1 : 0)));
  }
  const buckets = [...counts.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([value, n], i) => ({ type: 'bucket', id: `bucket-${i}`, attributes: { by: facet ? { [facet]: value } : {}, compute: { c0: n } } }));
  return sendJson(res, 200, { data: buckets, meta: { elapsed: 12, request_id: 'req-standin', status: 'done' } });
}
