import { sendJson, startLocalServer, tenantIds, type LocalServer } from '../standins/local-server';

export interface NewRelicState {
  apiKey: string;
  accountId: number;
  /** Events counted per signal in the window. */
  signals: { latency: number; errors: number; throughput: number };
  tenants: string[];
  conditions: { id: string; name: string; enabled: boolean; policyId: string; nrql: { query: string } }[];
  policies: { id: string; name: string }[];
  mutingRules: Record<string, unknown>[];
  workflows: Record<string, unknown>[];
  /** How a rejected key is answered: NerdGraph's HTTP 200 with errors[], or HTTP 401. */
  rejectAs: 'graphql' | 'http';
  rateLimited: number;
  failWith?: number;
}

export function healthyNewRelic(): NewRelicState {
  return {
    apiKey: 'NRAK-TESTKEY0123456789ABCDEFGHIJ',
    accountId: 1234567,
    signals: { latency: 5400, errors: 5400, throughput: 5400 },
    tenants: tenantIds(12),
    policies: [{ id: '77', name: 'Production API' }],
    conditions: [
      { id: '9001', name: 'Error percentage', enabled: true, policyId: '77', nrql: { query: "SELECT percentage(count(*), WHERE error IS true) FROM Transaction WHERE appName = 'api'" } },
      { id: '9002', name: 'p95 response time', enabled: true, policyId: '77', nrql: { query: "SELECT percentile(duration, 95) FROM Transaction WHERE appName = 'api'" } },
    ],
    mutingRules: [],
    workflows: [
      {
        id: 'wf-1',
        name: 'Production API to PagerDuty',
        workflowEnabled: true,
        destinationsEnabled: true,
        mutingRulesHandling: 'DONT_NOTIFY_FULLY_MUTED_ISSUES',
        destinationConfigurations: [{ channelId: 'ch-1', name: 'api-oncall', type: 'PAGERDUTY_SERVICE_INTEGRATION' }],
        issuesFilter: { predicates: [{ attribute: 'labels.policyIds', operator: 'EXACTLY_MATCHES', values: ['77'] }] },
      },
    ],
    rejectAs: 'graphql',
    rateLimited: 0,
    failWith: undefined,
  };
}

/**
 * A local NerdGraph: POST /graphql with {query, variables} and the API-Key header; answers
 * {data} or {errors} like NerdGraph (errors, auth errors included, with HTTP 200).
 */
export async function startFakeNewRelic(state: NewRelicState): Promise<LocalServer> {
  return startLocalServer(({ method, url, headers, body }, res) => {
    if (state.failWith) return sendJson(res, state.failWith, { errors: [{ message: 'Service Unavailable' }] });
    if (state.rateLimited > 0) {
      state.rateLimited--;
      return sendJson(res, 429, { errors: [{ message: 'Too many requests' }] }, { 'retry-after': '1' });
    }
    if (method !== 'POST' || url.pathname !== '/graphql' || !String(headers['content-type']).startsWith('application/json')) {
      return sendJson(res, 404, { errors: [{ message: 'not found' }] });
    }
    if (headers['api-key'] !== state.apiKey) {
      const rejected = { errors: [{ message: 'Invalid API key', extensions: { error_code: 'BAD_API_KEY' } }] };
      return sendJson(res, state.rejectAs === 'http' ? 401 : 200, rejected);
    }
    const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
    if (variables.id !== state.accountId) {
      return sendJson(res, 200, { data: { actor: { account: null } }, errors: [{ message: 'Access denied.', path: ['actor', 'account'], extensions: { errorClass: 'FORBIDDEN' } }] });
    }
    if (query.includes('user { email }')) {
      return sendJson(res, 200, { data: { actor: { user: { email: 'sre@example.com' }, account: { id: state.accountId, name: 'Acme Production' } } } });
    }
    if (query.includes('nrql(query: $latency')) {
      const account: Record<string, unknown> = {};
      for (const k of ['latency', 'errors', 'throughput'] as const) {
        if (!/SINCE \d+ UNTIL \d+$/.test(String(variables[k]))) return sendJson(res, 200, { errors: [{ message: `NRQL Syntax Error: ${variables[k]}` }] });
        const name = k === 'throughput' ? 'count' : k === 'latency' ? 'count.duration' : 'count.error';
        account[k] = { results: [{ [name]: state.signals[k] }] };
      }
      return sendJson(res, 200, { data: { actor: { account } } });
    }
    if (query.includes('$nrql')) {
      const nrql = String(variables.nrql);
      const facet = / FACET (\w+)/.exec(nrql)?.[1] ?? 'tenant';
      const results = state.tenants.length
        ? state.tenants.map((t) => ({ facet: t, [facet]: t, count: 450 }))
        : [{ facet: null, [facet]: null, count: 5400 }];
      return sendJson(res, 200, { data: { actor: { account: { nrql: { results } } } } });
    }
    if (query.includes('nrqlConditionsSearch')) {
      return sendJson(res, 200, {
        data: {
          actor: {
            account: {
              alerts: {
                nrqlConditionsSearch: { nextCursor: null, nrqlConditions: state.conditions },
                policiesSearch: { policies: state.policies },
                mutingRules: state.mutingRules,
              },
              aiWorkflows: { workflows: { nextCursor: null, entities: state.workflows } },
            },
          },
        },
      });
    }
    return sendJson(res, 200, { errors: [{ message: 'Cannot query field' }] });
  });
}
