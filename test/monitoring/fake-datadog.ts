import { sendJson, startLocalServer, tenantIds, type LocalServer } from '../standins/local-server';

/** What the fake Datadog org contains; tests change it per scenario. */
export interface DatadogState {
  apiKey: string;
  appKey: string;
  /** Signals with datapoints in the window. */
  signals: { latency: boolean; errors: boolean; throughput: boolean };
  /** Tenants whose hits carry the tenant tag (empty: the tag is missing). */
  tenants: string[];
  monitors: Record<string, unknown>[];
  /** Answer this many requests with 429 (X-RateLimit-Reset: 1) before serving. */
  rateLimited: number;
  /** Answer every request with this 5xx status. */
  failWith?: number;
}

export function healthyDatadog(): DatadogState {
  return {
    apiKey: 'dd-api-key-0123456789abcdef',
    appKey: 'dd-app-key-fedcba9876543210fedcba98',
    signals: { latency: true, errors: true, throughput: true },
    tenants: tenantIds(12),
    monitors: [
      {
        id: 101,
        name: 'API error rate high',
        type: 'query alert',
        query: 'sum(last_5m):sum:trace.http.request.errors{env:prod}.as_count() / sum:trace.http.request.hits{env:prod}.as_count() > 0.05',
        message: 'Error rate above 5%. @pagerduty-api-oncall @slack-sre-alerts',
        overall_state: 'OK',
        options: { silenced: {} },
        matching_downtimes: [],
      },
      {
        id: 102,
        name: 'API p95 latency',
        type: 'query alert',
        query: 'percentile(last_10m):p95:trace.http.request.duration{env:prod} > 1.5',
        message: 'p95 latency above 1.5 s. Notify @oncall@example.com',
        overall_state: 'OK',
        options: { silenced: {} },
        matching_downtimes: [],
      },
    ],
    rateLimited: 0,
    failWith: undefined,
  };
}

/**
 * A local stand-in for the Datadog API v1 (validate, query, monitor) that checks the DD-API-KEY and
 * DD-APPLICATION-KEY headers and answers in Datadog's JSON shapes.
 */
export async function startFakeDatadog(state: DatadogState): Promise<LocalServer> {
  return startLocalServer(({ url, headers }, res) => {
    if (state.failWith) return sendJson(res, state.failWith, { errors: ['Service Unavailable'] });
    if (state.rateLimited > 0) {
      state.rateLimited--;
      return sendJson(res, 429, { errors: ['Rate limit exceeded'] }, {
        'x-ratelimit-limit': '100',
        'x-ratelimit-period': '60',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1',
        'x-ratelimit-name': 'query',
      });
    }
    if (headers['dd-api-key'] !== state.apiKey) return sendJson(res, 403, { errors: ['Forbidden'] });
    if (url.pathname === '/api/v1/validate') return sendJson(res, 200, { valid: true });
    if (headers['dd-application-key'] !== state.appKey) return sendJson(res, 403, { errors: ['Forbidden'] });

    if (url.pathname === '/api/v1/query') {
      const query = url.searchParams.get('query') ?? '';
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      if (!from || !to || !query) return sendJson(res, 400, { errors: ['from, to and query are required'] });
      const points = (v: number): [number, number][] => [[(to - 120) * 1000, v], [(to - 60) * 1000, v]];
      const metric = /duration/.test(query) ? 'latency' : /errors/.test(query) ? 'errors' : 'throughput';
      let series: unknown[] = [];
      const grouped = / by \{([^}]+)\}/.exec(query);
      if (grouped) {
        const tag = grouped[1];
        series = state.tenants.map((t) => ({ metric: 'trace.http.request.hits', scope: `${tag}:${t}`, tag_set: [`${tag}:${t}`], pointlist: points(40), length: 2 }));
        if (state.tenants.length === 0) series = [{ metric: 'trace.http.request.hits', scope: `${tag}:N/A`, tag_set: [], pointlist: points(400), length: 2 }];
      } else if (state.signals[metric]) {
        series = [{ metric: `trace.http.request.${metric}`, scope: '*', tag_set: [], pointlist: points(metric === 'errors' ? 0 : 12), length: 2 }];
      }
      return sendJson(res, 200, { status: 'ok', res_type: 'time_series', query, from_date: from * 1000, to_date: to * 1000, series, message: '' });
    }
    if (url.pathname === '/api/v1/monitor') {
      const page = Number(url.searchParams.get('page') ?? 0);
      const size = Number(url.searchParams.get('page_size') ?? 100);
      const withDowntimes = url.searchParams.get('with_downtimes') === 'true';
      const list = state.monitors.slice(page * size, (page + 1) * size).map((m) => {
        if (withDowntimes) return m;
        const { matching_downtimes: _drop, ...rest } = m;
        return rest;
      });
      return sendJson(res, 200, list);
    }
    return sendJson(res, 404, { errors: ['Not found'] });
  });
}
