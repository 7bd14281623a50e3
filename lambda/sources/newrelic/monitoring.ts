import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { excerpt, redact } from '../../core/redact';
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

/** `sources.<name>` with `type: newrelic`. An empty apiKey means "not configured" (see the gate). */
export interface NewRelicSourceConfig extends SourceConfig {
  type: 'newrelic';
  apiKey: string;
  accountId?: string | number;
  region?: 'US' | 'EU' | '';
  apiUrl?: string;
}

export const newRelicSourceSchema: JsonSchema = {
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    type: { const: 'newrelic' },
    apiKey: { type: 'string', description: 'User API key (NRAK-…) sent as API-Key: ${env:NEW_RELIC_KEY} or ${secret:…}. Empty means not configured.' },
    accountId: { type: ['string', 'integer'], pattern: '^[0-9]*$', description: 'Account queried with NRQL: ${env:NEW_RELIC_ACCOUNT_ID}.' },
    region: { enum: ['US', 'EU', 'us', 'eu', ''], default: 'US', description: 'Data center: US (api.newrelic.com) or EU (api.eu.newrelic.com).' },
    apiUrl: { type: 'string', pattern: '^(https?://.+)?$', description: 'NerdGraph base URL override (proxy); default by region or NEW_RELIC_API_URL.' },
  },
};

/** The NerdGraph endpoint: explicit apiUrl, else NEW_RELIC_API_URL (read here, like DATADOG_API_URL), else by region. */
export function newRelicGraphqlUrl(src: Pick<NewRelicSourceConfig, 'region' | 'apiUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  const base = src.apiUrl || env.NEW_RELIC_API_URL || (String(src.region).toUpperCase() === 'EU' ? 'https://api.eu.newrelic.com' : 'https://api.newrelic.com');
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/graphql') ? trimmed : `${trimmed}/graphql`;
}

/**
 * NRQL for the three signals (each counts events; > 0 means the signal flows) and the tenant
 * breakdown. Queries carry no SINCE/UNTIL: the gate appends its window.
 */
export interface NewRelicQueries {
  latency?: string;
  errors?: string;
  throughput?: string;
  /** Default: the throughput query with `FACET <tenantAttribute> LIMIT MAX`. */
  tenants?: string;
}

/** APM transactions: `duration` and `error` are set on every Transaction event. */
export const NEW_RELIC_DEFAULT_QUERIES: Required<Omit<NewRelicQueries, 'tenants'>> = {
  latency: 'SELECT count(duration) FROM Transaction',
  errors: 'SELECT count(error) FROM Transaction',
  throughput: 'SELECT count(*) FROM Transaction',
};

export interface NewRelicMonitoringOptions {
  apiKey: string;
  accountId: number;
  url: string;
  queries?: NewRelicQueries;
  tenantAttribute: string;
  deadline: number;
}

interface GraphqlError {
  message?: string;
  path?: (string | number)[];
  extensions?: { errorClass?: string; error_code?: string; code?: string };
}

interface Condition {
  id: string;
  name: string;
  enabled: boolean;
  policyId: string;
  nrql?: { query?: string };
}
interface MutingRule {
  id: string;
  name: string;
  enabled: boolean;
  status?: string;
  condition?: { operator?: string; conditions?: { attribute: string; operator: string; values: string[] }[] };
}
interface Workflow {
  id: string;
  name: string;
  workflowEnabled: boolean;
  destinationsEnabled: boolean;
  mutingRulesHandling?: string;
  destinationConfigurations?: { channelId?: string; name?: string; type?: string }[];
  issuesFilter?: { predicates?: { attribute: string; operator: string; values: string[] }[] };
}

const AUTH_CODES = /^(BAD_API_KEY|UNAUTHORIZED|UNAUTHENTICATED|FORBIDDEN|ACCESS_DENIED)$/i;
const MAX_PAGES = 20;

const CONDITIONS_FIELDS = 'nextCursor nrqlConditions { id name enabled policyId nrql { query } }';
const WORKFLOWS_FIELDS =
  'nextCursor entities { id name workflowEnabled destinationsEnabled mutingRulesHandling destinationConfigurations { channelId name type } issuesFilter { predicates { attribute operator values } } }';

/** New Relic over NerdGraph (GraphQL): user check, NRQL, NRQL alert conditions, muting rules and workflows. */
export class NewRelicMonitoring implements MonitoringProvider {
  readonly id = 'newrelic';
  readonly label: string;
  readonly credentialsTitle = 'New Relic API key valid for the account';
  private readonly queries: Required<NewRelicQueries>;

  constructor(private readonly opts: NewRelicMonitoringOptions) {
    this.label = `New Relic (account ${opts.accountId}, ${new URL(opts.url).host})`;
    const q = { ...NEW_RELIC_DEFAULT_QUERIES, ...opts.queries };
    this.queries = { ...q, tenants: opts.queries?.tenants ?? `${q.throughput} FACET ${opts.tenantAttribute} LIMIT MAX` };
  }

  async verifyCredentials(signal: AbortSignal): Promise<string> {
    const data = (await this.graphql(
      'query($id: Int!) { actor { user { email } account(id: $id) { id name } } }',
      { id: this.opts.accountId },
      signal,
    )) as { actor?: { user?: { email?: string }; account?: { id?: number; name?: string } | null } };
    if (!isRecord(data.actor)) throw malformed('user check', `actor is ${typeName(data.actor)}, not an object`);
    const user: unknown = data.actor.user;
    if (user !== undefined && user !== null && (!isRecord(user) || (user.email !== undefined && user.email !== null && typeof user.email !== 'string'))) {
      throw malformed('user check', 'actor.user is not {email: string}');
    }
    const email = data.actor?.user?.email;
    if (!email) throw new KeyRejectedError('New Relic API key', 'NerdGraph returned no user for the key (is it a User key, NRAK-…?)');
    const account = data.actor?.account;
    if (!account) throw new KeyRejectedError('New Relic API key', `the key's user ${email} has no access to account ${this.opts.accountId}`);
    return `key belongs to ${email}; account ${this.opts.accountId}${account.name ? ` (${account.name})` : ''} readable`;
  }

  async readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    const since = this.since(window);
    const nrql = Object.fromEntries(SIGNALS.map((k) => [k, `${this.queries[k]} ${since}`]));
    const data = (await this.graphql(
      `query($id: Int!, $latency: Nrql!, $errors: Nrql!, $throughput: Nrql!) { actor { account(id: $id) { ${SIGNALS.map(
        (k) => `${k}: nrql(query: $${k}, timeout: 30) { results }`,
      ).join(' ')} } } }`,
      { id: this.opts.accountId, ...nrql },
      signal,
    )) as { actor?: { account?: Record<string, { results?: Record<string, unknown>[] } | null> } };
    const account = data.actor?.account;
    if (!isRecord(account)) throw malformed('signals NRQL', `actor.account is ${typeName(account)}, not an object`);
    return Object.fromEntries(
      SIGNALS.map((k) => [k, { query: this.queries[k], samples: eventCount(account[k], k), unit: 'events' } satisfies SignalReading]),
    ) as Record<SignalKind, SignalReading>;
  }

  async tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    const data = (await this.graphql(
      'query($id: Int!, $nrql: Nrql!) { actor { account(id: $id) { nrql(query: $nrql, timeout: 60) { results } } } }',
      { id: this.opts.accountId, nrql: `${this.queries.tenants} ${this.since(window)}` },
      signal,
    )) as { actor?: { account?: { nrql?: { results?: Record<string, unknown>[] } } } };
    const tenants = new Set<string>();
    const rows: unknown = data.actor?.account?.nrql?.results;
    if (!Array.isArray(rows)) throw malformed('tenant breakdown NRQL', `actor.account.nrql.results is ${typeName(rows)}, not a list`);
    rows.forEach((row, i) => {
      if (!isRecord(row)) throw malformed('tenant breakdown NRQL', `results[${i}] is ${typeName(row)}, not an object`);
    });
    for (const row of rows as Record<string, unknown>[]) {
      const facet = Array.isArray(row.facet) ? row.facet[0] : row.facet;
      if (facet === null || facet === undefined || facet === '' || facet === 'Other') continue;
      const count = Object.entries(row).find(([k, v]) => k !== 'facet' && k !== this.opts.tenantAttribute && typeof v === 'number')?.[1] as number | undefined;
      if (count === undefined || count > 0) tenants.add(String(facet));
    }
    return { query: this.queries.tenants, by: `attribute ${this.opts.tenantAttribute}`, tenants: [...tenants].sort() };
  }

  async alertRules(signal: AbortSignal): Promise<AlertRule[]> {
    const first = (await this.graphql(
      `query($id: Int!) { actor { account(id: $id) {
        alerts {
          nrqlConditionsSearch { ${CONDITIONS_FIELDS} }
          policiesSearch { policies { id name } }
          mutingRules { id name enabled status condition { operator conditions { attribute operator values } } }
        }
        aiWorkflows { workflows { ${WORKFLOWS_FIELDS} } }
      } } }`,
      { id: this.opts.accountId },
      signal,
    )) as any;
    const account = first?.actor?.account;
    if (!isRecord(account as unknown)) throw malformed('alert conditions', `actor.account is ${typeName(account)}, not an object`);
    const conditions: Condition[] = [...objects(account.alerts?.nrqlConditionsSearch?.nrqlConditions, 'alerts.nrqlConditionsSearch.nrqlConditions')];
    const workflows: Workflow[] = [...objects(account.aiWorkflows?.workflows?.entities, 'aiWorkflows.workflows.entities')];
    let conditionCursor: string | null = account.alerts?.nrqlConditionsSearch?.nextCursor ?? null;
    let workflowCursor: string | null = account.aiWorkflows?.workflows?.nextCursor ?? null;
    for (let page = 1; page < MAX_PAGES && conditionCursor; page++) {
      const next = (await this.graphql(
        `query($id: Int!, $cursor: String) { actor { account(id: $id) { alerts { nrqlConditionsSearch(cursor: $cursor) { ${CONDITIONS_FIELDS} } } } } }`,
        { id: this.opts.accountId, cursor: conditionCursor },
        signal,
      )) as any;
      const search = next?.actor?.account?.alerts?.nrqlConditionsSearch;
      conditions.push(...objects(search?.nrqlConditions, 'alerts.nrqlConditionsSearch.nrqlConditions'));
      conditionCursor = search?.nextCursor ?? null;
    }
    for (let page = 1; page < MAX_PAGES && workflowCursor; page++) {
      const next = (await this.graphql(
        `query($id: Int!, $cursor: String) { actor { account(id: $id) { aiWorkflows { workflows(cursor: $cursor) { ${WORKFLOWS_FIELDS} } } } } }`,
        { id: this.opts.accountId, cursor: workflowCursor },
        signal,
      )) as any;
      const list = next?.actor?.account?.aiWorkflows?.workflows;
      workflows.push(...objects(list?.entities, 'aiWorkflows.workflows.entities'));
      workflowCursor = list?.nextCursor ?? null;
    }
    const policyNames = new Map<string, string>(
      objects(account.alerts?.policiesSearch?.policies, 'alerts.policiesSearch.policies').map((p: { id: string; name: string }) => [String(p.id), p.name]),
    );
    const mutingRules: MutingRule[] = objects(account.alerts?.mutingRules, 'alerts.mutingRules');
    return conditions.map((c) => toRule(c, policyNames.get(String(c.policyId)), workflows, mutingRules));
  }

  /** NRQL window as epoch milliseconds. */
  private since(window: TimeWindow): string {
    return `SINCE ${window.from.getTime()} UNTIL ${window.to.getTime()}`;
  }

  /**
   * One NerdGraph request. GraphQL reports failures as HTTP 200 with `errors`: authentication
   * errors become KeyRejectedError, any other error fails the request (partial data is not evidence).
   */
  private async graphql(query: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const doc = (await requestJson({
      service: 'New Relic',
      key: 'New Relic API key',
      url: new URL(this.opts.url),
      method: 'POST',
      headers: { 'API-Key': this.opts.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ query: query.replace(/\s+/g, ' ').trim(), variables }),
      signal,
      deadline: this.opts.deadline,
    })) as { data?: unknown; errors?: GraphqlError[] };
    if (!isRecord(doc as unknown)) throw new ApiError(200, `malformed NerdGraph response: the answer is ${typeName(doc)}, not an object`);
    const rawErrors: unknown = doc.errors;
    if (rawErrors !== undefined && rawErrors !== null && (!Array.isArray(rawErrors) || !rawErrors.every((e) => isRecord(e)))) {
      throw new ApiError(200, 'malformed NerdGraph response: errors is not a list of objects');
    }
    const errors = Array.isArray(doc.errors) ? doc.errors : [];
    const auth = errors.find((e) => AUTH_CODES.test(e.extensions?.error_code ?? e.extensions?.errorClass ?? e.extensions?.code ?? ''));
    if (auth) throw new KeyRejectedError('New Relic API key', `NerdGraph: ${redact(auth.message ?? 'unauthorized')}`);
    if (errors.length) {
      const where = errors[0].path?.length ? ` at ${errors[0].path.join('.')}` : '';
      throw new ApiError(200, `NerdGraph error${where}: ${excerpt(errors.map((e) => e.message ?? 'unknown').join('; '), 300)}`);
    }
    if (!isRecord(doc.data)) throw new ApiError(200, `malformed NerdGraph response: data is ${typeName(doc.data)}, not an object, and there are no errors`);
    return doc.data;
  }
}

function malformed(operation: string, what: string): ApiError {
  return new ApiError(200, `malformed NerdGraph response to the ${operation} query: ${what}`);
}

/** A list of objects, or [] when absent; anything else is a malformed answer. */
function objects(value: unknown, what: string): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed('alert conditions', `${what} is ${typeName(value)}, not a list`);
  const i = value.findIndex((v) => !isRecord(v));
  if (i >= 0) throw malformed('alert conditions', `${what}[${i}] is ${typeName(value[i])}, not an object`);
  return value;
}

/**
 * The first numeric value of the first NRQL result row (e.g. `count` of `SELECT count(*)`); 0 when
 * there is no row or only nulls. A row of non-numbers (e.g. "5400") is a malformed answer, not "no data".
 */
function eventCount(entry: unknown, signal: string): number {
  const results = isRecord(entry) ? entry.results : undefined;
  if (!Array.isArray(results)) throw malformed('signals NRQL', `${signal}.results is ${typeName(results)}, not a list`);
  if (results.length === 0) return 0;
  const row: unknown = results[0];
  if (!isRecord(row)) throw malformed('signals NRQL', `${signal}.results[0] is ${typeName(row)}, not an object`);
  const values = Object.values(row);
  const value = values.find((v) => typeof v === 'number');
  if (typeof value === 'number') return value;
  if (values.every((v) => v === null)) return 0;
  throw malformed('signals NRQL', `${signal}.results[0] has no numeric value (${JSON.stringify(row).slice(0, 80)})`);
}

function toRule(c: Condition, policyName: string | undefined, workflows: Workflow[], mutingRules: MutingRule[]): AlertRule {
  const routed = workflows.filter((w) => w.workflowEnabled && w.destinationsEnabled && routesPolicy(w, String(c.policyId)));
  const notifies = routed.flatMap((w) => (w.destinationConfigurations ?? []).map((d) => `${w.name} → ${d.type ?? 'destination'} ${d.name ?? d.channelId ?? ''}`.trim()));
  const muting = mutingRules.filter((r) => r.enabled && (r.status ?? 'ACTIVE') === 'ACTIVE' && mutes(r, c, policyName));
  // A workflow set to NOTIFY_ALL_ISSUES still notifies for muted issues.
  const stillNotifies = routed.some((w) => w.mutingRulesHandling === 'NOTIFY_ALL_ISSUES');
  return {
    id: String(c.id),
    name: `${c.name}${policyName ? ` (policy ${policyName})` : ''}`,
    query: `${c.name} ${c.nrql?.query ?? ''}`,
    enabled: c.enabled,
    ...(muting.length && !stillNotifies ? { mutedBy: muting.map((r) => `muting rule ${r.name}`).join(', ') } : {}),
    notifies,
  };
}

/** A workflow routes a policy's issues when its filter is empty or only matches on that policy's ID. */
function routesPolicy(w: Workflow, policyId: string): boolean {
  const predicates = w.issuesFilter?.predicates ?? [];
  return predicates.every((p) => /policyIds$/i.test(p.attribute) && p.values.map(String).includes(policyId));
}

/** Whether an active muting rule applies to the whole condition (rules on other attributes do not count). */
function mutes(rule: MutingRule, c: Condition, policyName: string | undefined): boolean {
  const values: Record<string, string | undefined> = { conditionid: String(c.id), policyid: String(c.policyId), conditionname: c.name, policyname: policyName };
  const verdicts = (rule.condition?.conditions ?? []).map((cond) => {
    const actual = values[cond.attribute.toLowerCase()];
    if (actual === undefined) return undefined;
    const op = cond.operator.toUpperCase();
    if (op === 'EQUALS' || op === 'IN') return cond.values.map(String).includes(actual);
    if (op === 'CONTAINS') return cond.values.some((v) => actual.includes(String(v)));
    return undefined;
  });
  if (verdicts.length === 0) return false;
  if ((rule.condition?.operator ?? 'AND').toUpperCase() === 'OR') return verdicts.some((v) => v === true);
  return verdicts.every((v) => v === true);
}
