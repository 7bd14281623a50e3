/**
 * A local NerdGraph written from docs/contracts/newrelic.md (rule IDs in the comments), not from the
 * adapter. It parses each GraphQL document, validates it against the part of the NerdGraph schema
 * gate 4 touches (unknown fields, unknown or missing arguments, undeclared, unused or mistyped
 * variables are refused with GraphQL's error shape), authenticates the `API-Key` header as NerdGraph
 * does, evaluates the NRQL subset of test/standins/nrql.ts over event batches, pages with cursors,
 * and serves conditions, policies, muting rules, workflows and channels as stored.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, startLocalServer, tenantIds, type LocalServer } from './local-server';
import { NrqlError, runNrql, type EventBatch, type FacetRowShape } from './nrql';

export type { EventBatch } from './nrql';

export interface NrqlConditionRecord {
  id: string;
  name: string;
  enabled: boolean;
  policyId: string;
  nrql: { query: string };
  terms: { priority: 'CRITICAL' | 'WARNING'; operator: string; threshold: number }[];
}
export interface MutingRuleRecord {
  id: string;
  name: string;
  enabled: boolean;
  status: 'ACTIVE' | 'SCHEDULED' | 'ENDED' | 'INACTIVE';
  condition: { operator: 'AND' | 'OR'; conditions: { attribute: string; operator: string; values: string[] }[] };
}
export interface WorkflowRecord {
  id: string;
  name: string;
  workflowEnabled: boolean;
  destinationsEnabled: boolean;
  mutingRulesHandling: 'DONT_NOTIFY_FULLY_MUTED_ISSUES' | 'DONT_NOTIFY_FULLY_OR_PARTIALLY_MUTED_ISSUES' | 'NOTIFY_ALL_ISSUES';
  issuesFilter: { type: 'FILTER' | 'VIEW'; predicates: { attribute: string; operator: string; values: string[] }[] };
  destinationConfigurations: { channelId: string; name: string; type: string; notificationTriggers: string[] }[];
}
export interface ChannelRecord {
  id: string;
  name: string;
  type: string;
  active: boolean;
  status: string;
}

export interface NewRelicState {
  apiKey: string;
  /** NR-06: the key's user (null: NerdGraph knows no user for the key). */
  user: { email: string } | null;
  /** NR-06: the accounts the key's user may view. */
  accounts: { id: number; name: string }[];
  /** The account the telemetry and alerting below belong to. */
  accountId: number;
  events: EventBatch[];
  policies: { id: string; name: string }[];
  conditions: NrqlConditionRecord[];
  mutingRules: MutingRuleRecord[];
  workflows: WorkflowRecord[];
  channels: ChannelRecord[];
  /** Entities per page of every cursor-paged list (NR-14, NR-15, NR-18, NR-22). */
  pageSize: number;
  /** NR-11: facet row shape. */
  facetRows: FacetRowShape;
  /** NR-05: the next N requests are throttled the NerdGraph way (HTTP 200, TOO_MANY_REQUESTS). */
  throttled: number;
  /** NR-05: the next N requests are answered HTTP 429. */
  rateLimited: number;
  /** NR-05: identical NRQL runs allowed per minute before HTTP 429. */
  repeatLimitPerMinute: number;
  /**
   * NR-07: how long NRQL takes, in seconds. Within the request's `timeout` the answer comes that
   * much later; beyond it the field is a TIMEOUT error (answered at once: the stand-in does not
   * wait the timeout out).
   */
  nrqlSeconds: number;
  /** NR-04: fields NerdGraph reports as deprecated (Type.field) while still answering them. */
  deprecated: string[];
  /** Answer every request with this HTTP status (an outage). */
  failWith?: number;
}

const MINUTE = 60_000;
const BUCKET = 15 * MINUTE;

export interface TrafficOptions {
  app?: string;
  tenants?: string[];
  tenantAttribute?: string;
  /** Transactions per tenant per 15 minutes. */
  perTenant?: number;
  /** Transactions with `error: true` per tenant per 15 minutes. */
  errorsPerTenant?: number;
  hours?: number;
  now?: number;
}

/**
 * APM Transaction events as agents report them (NR-10, NR-13): every event has `appName`,
 * `duration` and the `error` flag (true or false); the app adds the tenant as a custom attribute.
 */
export function transactions(o: TrafficOptions = {}): EventBatch[] {
  const { app = 'acme-api', tenants = tenantIds(12), tenantAttribute = 'tenant_id', perTenant = 30, errorsPerTenant = 1, hours = 24, now = Date.now() } = o;
  const batches: EventBatch[] = [];
  for (let k = 0; k < (hours * 3_600_000) / BUCKET; k++) {
    const timestamp = now - k * BUCKET - MINUTE;
    tenants.forEach((tenant, i) => {
      const attributes = { appName: app, name: 'WebTransaction/Expressjs/GET//api/answer', duration: 0.08 + i / 100, [tenantAttribute]: tenant };
      batches.push({ type: 'Transaction', timestamp, count: perTenant - errorsPerTenant, attributes: { ...attributes, error: false } });
      if (errorsPerTenant) batches.push({ type: 'Transaction', timestamp, count: errorsPerTenant, attributes: { ...attributes, error: true, duration: 1.2 } });
    });
  }
  return batches;
}

/**
 * A New Relic account set up the way New Relic documents it: one APM app with tenants tagged,
 * a policy with an error-rate and a latency NRQL condition, and a workflow that routes the policy's
 * critical issues (`labels.policyIds` + `priority`, NR-19/NR-20) to an active PagerDuty channel.
 */
export function healthyNewRelic(): NewRelicState {
  return {
    apiKey: 'NRAK-TESTKEY0123456789ABCDEFGHIJ',
    user: { email: 'sre@example.com' },
    accounts: [{ id: 1234567, name: 'Acme Production' }],
    accountId: 1234567,
    events: transactions(),
    policies: [{ id: '77', name: 'Production API' }],
    conditions: [
      {
        id: '9001',
        name: 'Error percentage',
        enabled: true,
        policyId: '77',
        nrql: { query: "SELECT percentage(count(*), WHERE error IS true) FROM Transaction WHERE appName = 'acme-api'" },
        terms: [{ priority: 'CRITICAL', operator: 'ABOVE', threshold: 5 }],
      },
      {
        id: '9002',
        name: 'p95 response time',
        enabled: true,
        policyId: '77',
        nrql: { query: "SELECT percentile(duration, 95) FROM Transaction WHERE appName = 'acme-api'" },
        terms: [
          { priority: 'CRITICAL', operator: 'ABOVE', threshold: 2 },
          { priority: 'WARNING', operator: 'ABOVE', threshold: 1 },
        ],
      },
    ],
    mutingRules: [],
    workflows: [
      {
        id: 'wf-1',
        name: 'Production API to PagerDuty',
        workflowEnabled: true,
        destinationsEnabled: true,
        mutingRulesHandling: 'DONT_NOTIFY_FULLY_MUTED_ISSUES',
        issuesFilter: {
          type: 'FILTER',
          predicates: [
            { attribute: 'labels.policyIds', operator: 'EXACTLY_MATCHES', values: ['77'] },
            { attribute: 'priority', operator: 'EQUAL', values: ['CRITICAL'] },
          ],
        },
        destinationConfigurations: [
          { channelId: 'ch-1', name: 'api-oncall', type: 'PAGERDUTY_SERVICE_INTEGRATION', notificationTriggers: ['ACTIVATED', 'ACKNOWLEDGED', 'CLOSED'] },
        ],
      },
    ],
    channels: [{ id: 'ch-1', name: 'api-oncall', type: 'PAGERDUTY_SERVICE_INTEGRATION', active: true, status: 'DEFAULT' }],
    pageSize: 50,
    facetRows: 'facet-and-attribute',
    throttled: 0,
    rateLimited: 0,
    repeatLimitPerMinute: 120,
    nrqlSeconds: 0,
    deprecated: [],
  };
}

// ─────────────────────────────── GraphQL: the schema subset ───────────────────────────────

interface Ctx {
  state: NewRelicState;
  now: number;
  errors: GraphqlError[];
  /** How long the answer takes: the slowest NRQL that ran within its timeout. */
  delayMs: number;
}
interface FieldDef {
  type: string;
  args?: Record<string, string>;
  resolve?: (parent: any, args: Record<string, any>, ctx: Ctx) => unknown;
}

/** Leaf types: scalars and enums (returned as JSON as they are). */
const LEAVES = new Set([
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'Nrql',
  'Seconds',
  'NrdbResult',
  'DateTime',
  'EntityGuid',
  'RegionScope',
  'AlertsMutingRuleStatus',
  'AlertsMutingRuleConditionGroupOperator',
  'AlertsMutingRuleConditionOperator',
  'AlertsNrqlConditionPriority',
  'AlertsNRQLConditionTermsOperator',
  'AlertsIncidentPreference',
  'AiWorkflowsMutingRulesHandling',
  'AiWorkflowsFilterType',
  'AiWorkflowsOperator',
  'AiWorkflowsDestinationType',
  'AiWorkflowsNotificationTrigger',
  'AiNotificationsChannelType',
  'AiNotificationsChannelStatus',
]);
/** Input object types: accepted as JSON objects. */
const INPUTS = new Set([
  'AlertsNrqlConditionsSearchCriteriaInput',
  'AlertsPoliciesSearchCriteriaInput',
  'AiWorkflowsFilters',
  'AiNotificationsChannelFilter',
  'AiNotificationsChannelSorter',
  'NrqlQueryOptions',
]);

/** NR-14, NR-15, NR-18, NR-22: one page of `items` from an opaque cursor. */
function page<T>(kind: string, items: T[], cursor: string | undefined, size: number): { items: T[]; nextCursor: string | null } {
  let offset = 0;
  if (cursor !== undefined && cursor !== null) {
    const [k, n] = Buffer.from(String(cursor), 'base64url').toString().split(':');
    if (k !== kind || !/^\d+$/.test(n ?? '')) throw new FieldError('Invalid cursor');
    offset = Number(n);
  }
  const end = offset + size;
  return { items: items.slice(offset, end), nextCursor: end < items.length ? Buffer.from(`${kind}:${end}`).toString('base64url') : null };
}

function accountOf(ctx: Ctx, id: number): NewRelicState | null {
  return id === ctx.state.accountId ? ctx.state : null;
}

const SCHEMA: Record<string, Record<string, FieldDef>> = {
  Query: {
    actor: { type: 'Actor', resolve: () => ({}) },
    requestContext: { type: 'RequestContext', resolve: (_p, _a, ctx) => ({ apiKey: `${ctx.state.apiKey.slice(0, 8)}…` }) },
  },
  RequestContext: { userId: { type: 'ID' }, apiKey: { type: 'String' } },
  Actor: {
    user: { type: 'User', resolve: (_p, _a, ctx) => ctx.state.user },
    accounts: { type: '[AccountOutline]', args: { scope: 'RegionScope' }, resolve: (_p, _a, ctx) => ctx.state.accounts },
    account: {
      type: 'Account',
      args: { id: 'Int!' },
      resolve: (_p, a, ctx) => {
        const account = ctx.state.accounts.find((x) => x.id === a.id);
        // How NerdGraph words a refused account is not documented; modelled as a field error.
        if (!account) throw new FieldError('Access denied.', { errorClass: 'FORBIDDEN' });
        return { ...account, data: accountOf(ctx, a.id) };
      },
    },
  },
  User: { id: { type: 'Int' }, email: { type: 'String' }, name: { type: 'String' } },
  AccountOutline: { id: { type: 'Int' }, name: { type: 'String' } },
  Account: {
    id: { type: 'Int' },
    name: { type: 'String' },
    nrql: {
      type: 'NrdbResultContainer',
      args: { query: 'Nrql!', timeout: 'Seconds', async: 'Boolean', options: 'NrqlQueryOptions' },
      resolve: (p, a, ctx) => nrql(p.data, a, ctx),
    },
    alerts: { type: 'AlertsAccountStitchedFields', resolve: (p) => p.data ?? {} },
    aiWorkflows: { type: 'AiWorkflowsAccountStitchedFields', resolve: (p) => p.data ?? {} },
    aiNotifications: { type: 'AiNotificationsAccountStitchedFields', resolve: (p) => p.data ?? {} },
  },
  NrdbResultContainer: {
    results: { type: '[NrdbResult]' },
    otherResult: { type: 'NrdbResult' },
    totalResult: { type: 'NrdbResult' },
    nrql: { type: 'Nrql' },
    metadata: { type: 'NrdbMetadata' },
  },
  NrdbMetadata: { eventTypes: { type: '[String]' }, facets: { type: '[String]' }, messages: { type: '[String]' } },
  AlertsAccountStitchedFields: {
    nrqlConditionsSearch: {
      type: 'AlertsNrqlConditionsSearchResultSet',
      args: { cursor: 'String', searchCriteria: 'AlertsNrqlConditionsSearchCriteriaInput' },
      resolve: (s: Partial<NewRelicState>, a, ctx) => {
        const all = s.conditions ?? [];
        const p = page('conditions', all, a.cursor, ctx.state.pageSize);
        return { nextCursor: p.nextCursor, totalCount: all.length, nrqlConditions: p.items };
      },
    },
    policiesSearch: {
      type: 'AlertsPoliciesSearchResultSet',
      args: { cursor: 'String', searchCriteria: 'AlertsPoliciesSearchCriteriaInput' },
      resolve: (s: Partial<NewRelicState>, a, ctx) => {
        const all = s.policies ?? [];
        const p = page('policies', all, a.cursor, ctx.state.pageSize);
        return { nextCursor: p.nextCursor, totalCount: all.length, policies: p.items };
      },
    },
    mutingRules: { type: '[AlertsMutingRule]', resolve: (s: Partial<NewRelicState>) => s.mutingRules ?? [] },
  },
  AlertsNrqlConditionsSearchResultSet: { nextCursor: { type: 'String' }, totalCount: { type: 'Int' }, nrqlConditions: { type: '[AlertsNrqlCondition]' } },
  AlertsNrqlCondition: {
    id: { type: 'ID' },
    name: { type: 'String' },
    enabled: { type: 'Boolean' },
    policyId: { type: 'ID' },
    description: { type: 'String' },
    runbookUrl: { type: 'String' },
    entityGuid: { type: 'EntityGuid' },
    nrql: { type: 'AlertsNrqlConditionQuery' },
    terms: { type: '[AlertsNrqlConditionTerms]' },
  },
  AlertsNrqlConditionQuery: { query: { type: 'String' }, evaluationOffset: { type: 'Int' }, dataAccountId: { type: 'Int' } },
  AlertsNrqlConditionTerms: {
    operator: { type: 'AlertsNRQLConditionTermsOperator' },
    priority: { type: 'AlertsNrqlConditionPriority' },
    threshold: { type: 'Float' },
    thresholdDuration: { type: 'Int' },
  },
  AlertsPoliciesSearchResultSet: { nextCursor: { type: 'String' }, totalCount: { type: 'Int' }, policies: { type: '[AlertsPolicy]' } },
  AlertsPolicy: {
    id: { type: 'ID' },
    name: { type: 'String' },
    accountId: { type: 'Int' },
    incidentPreference: { type: 'AlertsIncidentPreference' },
    entityGuid: { type: 'EntityGuid' },
  },
  AlertsMutingRule: {
    id: { type: 'ID' },
    name: { type: 'String' },
    description: { type: 'String' },
    enabled: { type: 'Boolean' },
    status: { type: 'AlertsMutingRuleStatus' },
    accountId: { type: 'Int' },
    condition: { type: 'AlertsMutingRuleConditionGroup' },
  },
  AlertsMutingRuleConditionGroup: { operator: { type: 'AlertsMutingRuleConditionGroupOperator' }, conditions: { type: '[AlertsMutingRuleCondition]' } },
  AlertsMutingRuleCondition: { attribute: { type: 'String' }, operator: { type: 'AlertsMutingRuleConditionOperator' }, values: { type: '[String]' } },
  AiWorkflowsAccountStitchedFields: {
    workflows: {
      type: 'AiWorkflowsWorkflows',
      args: { cursor: 'String', filters: 'AiWorkflowsFilters' },
      resolve: (s: Partial<NewRelicState>, a, ctx) => {
        const all = s.workflows ?? [];
        const p = page('workflows', all, a.cursor, ctx.state.pageSize);
        return { nextCursor: p.nextCursor, totalCount: all.length, entities: p.items };
      },
    },
  },
  AiWorkflowsWorkflows: { entities: { type: '[AiWorkflowsWorkflow]' }, nextCursor: { type: 'String' }, totalCount: { type: 'Int' } },
  AiWorkflowsWorkflow: {
    id: { type: 'ID' },
    name: { type: 'String' },
    accountId: { type: 'Int' },
    workflowEnabled: { type: 'Boolean' },
    destinationsEnabled: { type: 'Boolean' },
    enrichmentsEnabled: { type: 'Boolean' },
    mutingRulesHandling: { type: 'AiWorkflowsMutingRulesHandling' },
    issuesFilter: { type: 'AiWorkflowsFilter' },
    destinationConfigurations: { type: '[AiWorkflowsDestinationConfiguration]' },
  },
  AiWorkflowsFilter: { id: { type: 'ID' }, name: { type: 'String' }, type: { type: 'AiWorkflowsFilterType' }, predicates: { type: '[AiWorkflowsPredicate]' } },
  AiWorkflowsPredicate: { attribute: { type: 'String' }, operator: { type: 'AiWorkflowsOperator' }, values: { type: '[String]' } },
  AiWorkflowsDestinationConfiguration: {
    channelId: { type: 'ID' },
    name: { type: 'String' },
    type: { type: 'AiWorkflowsDestinationType' },
    notificationTriggers: { type: '[AiWorkflowsNotificationTrigger]' },
    updateOriginalMessage: { type: 'Boolean' },
  },
  AiNotificationsAccountStitchedFields: {
    channels: {
      type: 'AiNotificationsChannelsResponse',
      args: { cursor: 'String', filters: 'AiNotificationsChannelFilter', sorter: 'AiNotificationsChannelSorter' },
      resolve: (s: Partial<NewRelicState>, a, ctx) => {
        const ids: string[] | undefined = a.filters?.ids;
        const all = (s.channels ?? []).filter((c) => !ids || ids.includes(c.id));
        const p = page('channels', all, a.cursor, ctx.state.pageSize);
        return { nextCursor: p.nextCursor, totalCount: all.length, entities: p.items };
      },
    },
  },
  AiNotificationsChannelsResponse: { entities: { type: '[AiNotificationsChannel]' }, nextCursor: { type: 'String' }, totalCount: { type: 'Int' } },
  AiNotificationsChannel: {
    id: { type: 'ID' },
    name: { type: 'String' },
    type: { type: 'AiNotificationsChannelType' },
    active: { type: 'Boolean' },
    status: { type: 'AiNotificationsChannelStatus' },
    destinationId: { type: 'ID' },
  },
};

/** NR-07 … NR-12: one `nrql` field. */
function nrql(data: NewRelicState | null, a: Record<string, any>, ctx: Ctx): unknown {
  const timeout = a.timeout ?? 5;
  if (!Number.isInteger(timeout) || timeout < 5 || timeout > 120) throw new FieldError(`timeout must be between 5 and 120 seconds, got ${timeout}`);
  if (ctx.state.nrqlSeconds > timeout) throw new FieldError('NRDB query duration exceeded the timeout', { errorClass: 'TIMEOUT' });
  ctx.delayMs = Math.max(ctx.delayMs, ctx.state.nrqlSeconds * 1000);
  try {
    const answer = runNrql(String(a.query), data?.events ?? [], ctx.now, ctx.state.facetRows);
    return { ...answer, nrql: a.query, metadata: { eventTypes: answer.eventTypes, facets: answer.facets, messages: [] } };
  } catch (err) {
    if (err instanceof NrqlError) throw new FieldError(err.message);
    throw err;
  }
}

// ─────────────────────────────── GraphQL: parsing and validation ───────────────────────────────

interface GraphqlError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}
class FieldError extends Error {
  constructor(
    message: string,
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
  }
}
class DocumentError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

type Value =
  | { kind: 'variable'; name: string; line: number; column: number }
  | { kind: 'literal'; value: unknown }
  | { kind: 'list'; items: Value[] }
  | { kind: 'object'; fields: Record<string, Value> };
interface Selection {
  alias?: string;
  name: string;
  args: Record<string, Value>;
  selections?: Selection[];
  line: number;
  column: number;
}
interface Operation {
  variables: Record<string, { type: string; line: number; column: number }>;
  selections: Selection[];
}

class Document {
  private i = 0;
  private readonly tokens: { text: string; kind: 'name' | 'punct' | 'string' | 'number'; line: number; column: number }[] = [];

  constructor(source: string) {
    let line = 1;
    let lineStart = 0;
    const re = /(\s+|,|#[^\n]*)|(\.\.\.|[{}()[\]:!$=@])|([_A-Za-z][_0-9A-Za-z]*)|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|("(?:[^"\\\n]|\\.)*")/y;
    while (re.lastIndex < source.length) {
      const at = re.lastIndex;
      const m = re.exec(source);
      if (!m) throw new DocumentError(`Syntax Error: Unexpected character: "${source[at]}".`, line, at - lineStart + 1);
      const column = at - lineStart + 1;
      if (m[1]) {
        for (let k = 0; k < m[1].length; k++) if (m[1][k] === '\n') (line += 1), (lineStart = at + k + 1);
        continue;
      }
      if (m[2]) this.tokens.push({ text: m[2], kind: 'punct', line, column });
      else if (m[3]) this.tokens.push({ text: m[3], kind: 'name', line, column });
      else if (m[4]) this.tokens.push({ text: m[4], kind: 'number', line, column });
      else this.tokens.push({ text: JSON.parse(m[5]) as string, kind: 'string', line, column });
    }
  }

  private peek() {
    return this.tokens[this.i];
  }
  private next() {
    const t = this.tokens[this.i++];
    if (!t) {
      const last = this.tokens[this.tokens.length - 1];
      throw new DocumentError('Syntax Error: Expected Name, found <EOF>.', last?.line ?? 1, (last?.column ?? 0) + 1);
    }
    return t;
  }
  private expect(text: string) {
    const t = this.next();
    if (t.text !== text || t.kind === 'string') throw new DocumentError(`Syntax Error: Expected "${text}", found "${t.text}".`, t.line, t.column);
    return t;
  }
  private name() {
    const t = this.next();
    if (t.kind !== 'name') throw new DocumentError(`Syntax Error: Expected Name, found "${t.text}".`, t.line, t.column);
    return t;
  }

  operation(): Operation {
    const op: Operation = { variables: {}, selections: [] };
    const first = this.peek();
    if (first?.kind === 'name') {
      if (first.text !== 'query') throw new DocumentError(`Syntax Error: Unexpected Name "${first.text}".`, first.line, first.column);
      this.i++;
      if (this.peek()?.kind === 'name') this.i++;
      if (this.peek()?.text === '(') {
        this.i++;
        while (this.peek()?.text !== ')') {
          const dollar = this.expect('$');
          const name = this.name().text;
          this.expect(':');
          op.variables[name] = { type: this.type(), line: dollar.line, column: dollar.column };
        }
        this.i++;
      }
    }
    op.selections = this.selectionSet();
    const extra = this.peek();
    if (extra) throw new DocumentError(`stand-in: one operation per document (found "${extra.text}")`, extra.line, extra.column);
    return op;
  }

  private type(): string {
    let type: string;
    if (this.peek()?.text === '[') {
      this.i++;
      type = `[${this.type()}]`;
      this.expect(']');
    } else type = this.name().text;
    if (this.peek()?.text === '!') {
      this.i++;
      type += '!';
    }
    return type;
  }

  private selectionSet(): Selection[] {
    this.expect('{');
    const out: Selection[] = [];
    while (this.peek()?.text !== '}') {
      if (this.peek()?.text === '...') {
        const t = this.peek()!;
        throw new DocumentError('stand-in: fragments are outside the modelled subset', t.line, t.column);
      }
      const first = this.name();
      let sel: Selection = { name: first.text, args: {}, line: first.line, column: first.column };
      if (this.peek()?.text === ':') {
        this.i++;
        const real = this.name();
        sel = { alias: first.text, name: real.text, args: {}, line: first.line, column: first.column };
      }
      if (this.peek()?.text === '(') {
        this.i++;
        while (this.peek()?.text !== ')') {
          const arg = this.name().text;
          this.expect(':');
          sel.args[arg] = this.value();
        }
        this.i++;
      }
      if (this.peek()?.text === '{') sel.selections = this.selectionSet();
      out.push(sel);
    }
    this.i++;
    return out;
  }

  private value(): Value {
    const t = this.next();
    if (t.text === '$' && t.kind === 'punct') {
      const name = this.name();
      return { kind: 'variable', name: name.text, line: t.line, column: t.column };
    }
    if (t.kind === 'string') return { kind: 'literal', value: t.text };
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.text) };
    if (t.kind === 'name') return { kind: 'literal', value: t.text === 'true' ? true : t.text === 'false' ? false : t.text === 'null' ? null : t.text };
    if (t.text === '[') {
      const items: Value[] = [];
      while (this.peek()?.text !== ']') items.push(this.value());
      this.i++;
      return { kind: 'list', items };
    }
    if (t.text === '{') {
      const fields: Record<string, Value> = {};
      while (this.peek()?.text !== '}') {
        const key = this.name().text;
        this.expect(':');
        fields[key] = this.value();
      }
      this.i++;
      return { kind: 'object', fields };
    }
    throw new DocumentError(`Syntax Error: Unexpected "${t.text}".`, t.line, t.column);
  }
}

const named = (type: string) => type.replace(/[[\]!]/g, '');

/** GraphQL's rules: a variable may be non-null where a nullable type is expected, not the reverse. */
function variableFits(varType: string, argType: string): boolean {
  if (argType.endsWith('!') && !varType.endsWith('!')) return false;
  return named(varType) === named(argType) && varType.startsWith('[') === argType.startsWith('[');
}

/** NR-03: document validation as a GraphQL server does it, collecting every error. */
function validate(op: Operation, variables: Record<string, unknown>): GraphqlError[] {
  const errors: GraphqlError[] = [];
  const used = new Set<string>();
  const at = (x: { line: number; column: number }) => [{ line: x.line, column: x.column }];
  const checkValue = (v: Value, argType: string): void => {
    if (v.kind === 'variable') {
      used.add(v.name);
      const decl = op.variables[v.name];
      if (!decl) errors.push({ message: `Variable "$${v.name}" is not defined.`, locations: at(v) });
      else if (!variableFits(decl.type, argType)) {
        errors.push({
          message: `Variable "$${v.name}" of type "${decl.type}" used in position expecting type "${argType}".`,
          locations: [...at(decl), ...at(v)],
        });
      }
    } else if (v.kind === 'list') v.items.forEach((item) => checkValue(item, named(argType)));
    else if (v.kind === 'object') Object.values(v.fields).forEach(markUsed);
  };
  /** Input object fields are not typed here; their variables must still be declared. */
  const markUsed = (v: Value): void => {
    if (v.kind === 'variable') {
      used.add(v.name);
      if (!op.variables[v.name]) errors.push({ message: `Variable "$${v.name}" is not defined.`, locations: at(v) });
    } else if (v.kind === 'list') v.items.forEach(markUsed);
    else if (v.kind === 'object') Object.values(v.fields).forEach(markUsed);
  };
  const walk = (sels: Selection[], type: string) => {
    for (const sel of sels) {
      const def = SCHEMA[type]?.[sel.name];
      if (!def) {
        errors.push({ message: `Cannot query field "${sel.name}" on type "${type}".`, locations: at(sel) });
        continue;
      }
      for (const [arg, value] of Object.entries(sel.args)) {
        const argType = def.args?.[arg];
        if (!argType) errors.push({ message: `Unknown argument "${arg}" on field "${type}.${sel.name}".`, locations: at(sel) });
        else checkValue(value, argType);
      }
      for (const [arg, argType] of Object.entries(def.args ?? {})) {
        if (argType.endsWith('!') && !(arg in sel.args)) {
          errors.push({ message: `Field "${sel.name}" argument "${arg}" of type "${argType}" is required, but it was not provided.`, locations: at(sel) });
        }
      }
      const target = named(def.type);
      if (LEAVES.has(target) && sel.selections) {
        errors.push({ message: `Field "${sel.name}" must not have a selection since type "${def.type}" has no subfields.`, locations: at(sel) });
      } else if (!LEAVES.has(target) && !sel.selections) {
        errors.push({
          message: `Field "${sel.name}" of type "${def.type}" must have a selection of subfields. Did you mean "${sel.name} { ... }"?`,
          locations: at(sel),
        });
      } else if (sel.selections) walk(sel.selections, target);
    }
  };
  walk(op.selections, 'Query');
  for (const [name, decl] of Object.entries(op.variables)) {
    if (!used.has(name)) errors.push({ message: `Variable "$${name}" is never used.`, locations: at(decl) });
    const value = variables[name];
    if ((value === undefined || value === null) && decl.type.endsWith('!')) {
      errors.push({ message: `Variable "$${name}" of required type "${decl.type}" was not provided.`, locations: at(decl) });
    } else if (value !== undefined && value !== null) {
      const bad = coercionProblem(decl.type, value);
      if (bad) errors.push({ message: `Variable "$${name}" got invalid value ${JSON.stringify(value)}; ${bad}`, locations: at(decl) });
    }
  }
  return errors;
}

function coercionProblem(type: string, value: unknown): string | undefined {
  const base = named(type);
  if (type.startsWith('[')) {
    if (!Array.isArray(value)) return `Expected type "${type}" to be a list.`;
    return value.map((v) => coercionProblem(type.slice(1, type.lastIndexOf(']')), v)).find(Boolean);
  }
  if (base === 'Int' || base === 'Seconds') return Number.isInteger(value) ? undefined : `Int cannot represent non-integer value: ${JSON.stringify(value)}`;
  if (base === 'String' || base === 'Nrql')
    return typeof value === 'string' ? undefined : `String cannot represent a non string value: ${JSON.stringify(value)}`;
  if (base === 'ID') return typeof value === 'string' || Number.isInteger(value) ? undefined : `ID cannot represent value: ${JSON.stringify(value)}`;
  if (base === 'Boolean') return typeof value === 'boolean' ? undefined : `Boolean cannot represent a non boolean value: ${JSON.stringify(value)}`;
  if (INPUTS.has(base)) return typeof value === 'object' && !Array.isArray(value) ? undefined : `Expected type "${base}" to be an object.`;
  return undefined;
}

function argValue(v: Value, variables: Record<string, unknown>): unknown {
  if (v.kind === 'variable') return variables[v.name];
  if (v.kind === 'literal') return v.value;
  if (v.kind === 'list') return v.items.map((x) => argValue(x, variables));
  return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, argValue(x, variables)]));
}

function execute(
  sels: Selection[],
  type: string,
  parent: any,
  ctx: Ctx,
  variables: Record<string, unknown>,
  path: (string | number)[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const sel of sels) {
    const key = sel.alias ?? sel.name;
    const def = SCHEMA[type][sel.name];
    const here = [...path, key];
    if (ctx.state.deprecated.includes(`${type}.${sel.name}`)) {
      ctx.errors.push({
        message: `This field is deprecated! Please use another field instead.`,
        path: here,
        locations: [{ line: sel.line, column: sel.column }],
      });
    }
    let value: unknown;
    try {
      const args = Object.fromEntries(Object.entries(sel.args).map(([k, v]) => [k, argValue(v, variables)]));
      value = def.resolve ? def.resolve(parent, args, ctx) : parent?.[sel.name];
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      ctx.errors.push({
        message: err.message,
        path: here,
        locations: [{ line: sel.line, column: sel.column }],
        ...(err.extensions ? { extensions: err.extensions } : {}),
      });
      out[key] = null;
      continue;
    }
    out[key] = complete(value, def.type, sel, ctx, variables, here);
  }
  return out;
}

function complete(value: unknown, type: string, sel: Selection, ctx: Ctx, variables: Record<string, unknown>, path: (string | number)[]): unknown {
  if (value === undefined || value === null) return null;
  const bare = type.replace(/!$/, '');
  if (bare.startsWith('[')) {
    const inner = bare.slice(1, -1);
    return (value as unknown[]).map((v, i) => complete(v, inner, sel, ctx, variables, [...path, i]));
  }
  if (LEAVES.has(bare)) return value;
  return execute(sel.selections!, bare, value, ctx, variables, path);
}

// ─────────────────────────────── HTTP ───────────────────────────────

/** NR-02: how NerdGraph answers a missing or bad key. */
export const BAD_API_KEY_ANSWER = { errors: [{ extensions: { error_code: 'BAD_API_KEY' }, message: 'Bad API Key or no API Key provided' }] };

/**
 * Starts the stand-in on 127.0.0.1. `state` is read on every request, so tests change it in place.
 * `now` is the stand-in's clock (NRQL `NOW` and the default window).
 */
export async function startNewRelic(state: NewRelicState, now: () => number = Date.now): Promise<LocalServer> {
  const recentQueries = new Map<string, number[]>();
  return startLocalServer(({ method, url, headers, body }, res) => {
    if (state.failWith) return sendJson(res, state.failWith, { errors: [{ message: 'Service Unavailable' }] });
    if (method !== 'POST' || url.pathname !== '/graphql') return sendJson(res, 404, { errors: [{ message: 'Not Found' }] });
    if (headers['api-key'] !== state.apiKey) return sendJson(res, 401, BAD_API_KEY_ANSWER);
    if (state.rateLimited > 0) {
      state.rateLimited--;
      return sendJson(res, 429, { errors: [{ message: 'Too Many Requests' }] }, { 'retry-after': '1' });
    }
    if (state.throttled > 0) {
      state.throttled--;
      return sendJson(res, 200, { errors: [{ message: 'Too many requests, please try again later.', extensions: { errorClass: 'TOO_MANY_REQUESTS' } }] });
    }
    let request: { query?: unknown; variables?: unknown };
    try {
      request = JSON.parse(body);
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'Body is not valid JSON' }] });
    }
    if (typeof request.query !== 'string') return sendJson(res, 400, { errors: [{ message: 'Must provide query string.' }] });
    const variables = (request.variables ?? {}) as Record<string, unknown>;
    return answer(res, request.query, variables);
  });

  function answer(res: ServerResponse, source: string, variables: Record<string, unknown>): void {
    let op: Operation;
    try {
      op = new Document(source).operation();
    } catch (err) {
      if (!(err instanceof DocumentError)) throw err;
      return sendJson(res, 200, { errors: [{ message: err.message, locations: [{ line: err.line, column: err.column }] }] });
    }
    const invalid = validate(op, variables);
    if (invalid.length) return sendJson(res, 200, { errors: invalid });
    const t = now();
    for (const q of Object.values(variables).filter((v): v is string => typeof v === 'string' && /^\s*(SELECT|FROM)\b/i.test(v))) {
      const runs = (recentQueries.get(q) ?? []).filter((at) => at > t - MINUTE);
      runs.push(t);
      recentQueries.set(q, runs);
      if (runs.length > state.repeatLimitPerMinute) return sendJson(res, 429, { errors: [{ message: 'Too Many Requests: repetitive query' }] });
    }
    const ctx: Ctx = { state, now: t, errors: [], delayMs: 0 };
    const data = execute(op.selections, 'Query', {}, ctx, variables, []);
    const send = () => sendJson(res, 200, ctx.errors.length ? { data, errors: ctx.errors } : { data });
    if (ctx.delayMs > 0) setTimeout(send, ctx.delayMs);
    else send();
  }
}
