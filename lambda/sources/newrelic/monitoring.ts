import { SettingRequiredError, SourceError } from '../../core/errors';
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
import {
  issuePriorities,
  mutesWholeCondition,
  routeVerdict,
  scopedToOtherApps,
  type ConditionFacts,
  type MutingRule,
  type Predicate,
  type RouteVerdict,
} from './alert-routing';
import { malformed, NerdGraph } from './nerdgraph';
import {
  ANSWER_MARGIN_MS,
  APPS_QUERY,
  BREAKDOWN_TIMEOUT_S,
  defaultQueries,
  facetCount,
  facetValue,
  firstResult,
  nrqlString,
  rows,
  SIGNALS_TIMEOUT_S,
  tenantFacet,
  window,
  type NewRelicQueries,
} from './nrql';
export { newRelicGraphqlUrl, newRelicSourceSchema, type NewRelicSourceConfig } from './schema';

export type { NewRelicQueries } from './nrql';

export interface NewRelicMonitoringOptions {
  apiKey: string;
  accountId: number;
  url: string;
  queries?: NewRelicQueries;
  tenantAttribute: string;
  /** Scopes the default queries and the alert conditions to one APM app (NR-13). */
  appName?: string;
  deadline: number;
  /** Progress lines (a wait on a rate limit), shown on stderr by the CLI. */
  progress?: (message: string) => void;
}

interface Condition {
  id: string;
  name: string;
  enabled: boolean;
  policyId: string;
  nrql?: { query?: string | null } | null;
  terms?: { priority?: string | null }[] | null;
}
interface Destination {
  channelId?: string | null;
  name?: string | null;
  type?: string | null;
  notificationTriggers?: string[] | null;
}
interface Workflow {
  id: string;
  name: string;
  workflowEnabled: boolean;
  destinationsEnabled: boolean;
  mutingRulesHandling?: string | null;
  destinationConfigurations?: Destination[] | null;
  issuesFilter?: { type?: string | null; predicates?: Predicate[] | null } | null;
}
interface Channel {
  id: string;
  name?: string | null;
  active?: boolean | null;
}

/** Pages read per list before the gate gives up (an ERROR, not a verdict on a partial list). */
const MAX_PAGES = 50;

const CONDITIONS = 'nrqlConditionsSearch(cursor: $cursor) { nextCursor nrqlConditions { id name enabled policyId nrql { query } terms { priority } } }';
const POLICIES = 'policiesSearch(cursor: $cursor) { nextCursor policies { id name } }';
const WORKFLOWS =
  'workflows(cursor: $cursor) { nextCursor entities { id name workflowEnabled destinationsEnabled mutingRulesHandling issuesFilter { type predicates { attribute operator values } } destinationConfigurations { channelId name type notificationTriggers } } }';
const CHANNELS = 'channels(cursor: $cursor, filters: $filters) { nextCursor entities { id name active } }';

/** New Relic over NerdGraph (docs/contracts/newrelic.md): the key's user, NRQL, NRQL alert conditions, muting rules, workflows. */
export class NewRelicMonitoring implements MonitoringProvider {
  readonly id = 'newrelic';
  readonly label: string;
  readonly credentialsTitle = 'New Relic API key valid for the account';
  readonly access = 'the key is a User key (NRAK-…) of a user who can read the account';
  private readonly nerdgraph: NerdGraph;
  private readonly queries: Required<NewRelicQueries>;
  /** Whether the signals are the defaults on every app in the account (then one app must be unambiguous). */
  private readonly unscopedDefaults: boolean;

  constructor(private readonly opts: NewRelicMonitoringOptions) {
    this.label = `New Relic (account ${opts.accountId}${opts.appName ? `, app ${opts.appName}` : ''}, ${new URL(opts.url).host})`;
    this.nerdgraph = new NerdGraph({ url: opts.url, apiKey: opts.apiKey, deadline: opts.deadline, progress: opts.progress });
    const q = { ...defaultQueries(opts.appName === undefined ? undefined : nrqlString(opts.appName)), ...opts.queries };
    this.queries = { ...q, tenants: opts.queries?.tenants ?? `${q.throughput} ${tenantFacet(opts.tenantAttribute)}` };
    this.unscopedDefaults = !opts.appName && !opts.queries?.latency && !opts.queries?.errors && !opts.queries?.throughput;
  }

  /** NR-06: the key's user, and the account among those the user may view. */
  async verifyCredentials(signal: AbortSignal): Promise<string> {
    const data = await this.nerdgraph.query('{ actor { user { email } accounts { id name } } }', {}, signal);
    const actor = data.actor;
    if (!isRecord(actor)) throw malformed('user check', `actor is ${typeName(actor)}, not an object`);
    const user: unknown = actor.user;
    if (user !== undefined && user !== null && (!isRecord(user) || (user.email !== undefined && user.email !== null && typeof user.email !== 'string'))) {
      throw malformed('user check', 'actor.user is not {email: string}');
    }
    const accounts: unknown = actor.accounts ?? [];
    if (!Array.isArray(accounts) || !accounts.every(isRecord)) throw malformed('user check', 'actor.accounts is not a list of objects');
    const email = isRecord(user) ? (user.email as string | undefined) : undefined;
    if (!email) throw new SourceError('credentials', 'New Relic API key rejected: NerdGraph returned no user for the key (is it a User key, NRAK-…?)');
    const account = accounts.find((a) => Number(a.id) === this.opts.accountId);
    if (!account) {
      throw new SourceError(
        'credentials',
        `New Relic API key rejected: the key's user ${email} cannot read account ${this.opts.accountId} (it can read ${accounts.length} other account(s); check NEW_RELIC_ACCOUNT_ID and NEW_RELIC_REGION)`,
      );
    }
    const scope = this.opts.appName
      ? `NRQL scoped to appName '${this.opts.appName}'`
      : this.unscopedDefaults
        ? 'NRQL covers every APM app in the account (set NEW_RELIC_APP_NAME to scope it to one)'
        : 'NRQL as configured';
    return `key belongs to ${email}; account ${this.opts.accountId}${account.name ? ` (${account.name})` : ''} readable; ${scope}`;
  }

  async readSignals(window_: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>> {
    this.requireQuotableApp();
    const since = window(window_.from, window_.to);
    const nrql = Object.fromEntries(SIGNALS.map((k) => [k, `${this.queries[k]} ${since}`]));
    const data = await this.nerdgraph.query(
      `query($id: Int!, $latency: Nrql!, $errors: Nrql!, $throughput: Nrql!) { actor { account(id: $id) { ${SIGNALS.map(
        (k) => `${k}: nrql(query: $${k}, timeout: ${SIGNALS_TIMEOUT_S}) { results }`,
      ).join(' ')} } } }`,
      { id: this.opts.accountId, ...nrql },
      signal,
      SIGNALS_TIMEOUT_S * 1000 + ANSWER_MARGIN_MS,
    );
    const account = isRecord(data.actor) ? data.actor.account : undefined;
    if (!isRecord(account)) throw malformed('signals NRQL', `actor.account is ${typeName(account)}, not an object`);
    return Object.fromEntries(
      SIGNALS.map((k) => {
        const { value, name } = firstResult(rows(account[k], 'signals NRQL', k), k);
        // count(…) and uniqueCount(…) count events; average(duration) and the like are values, not events.
        const counted = name === undefined || /^(count|uniqueCount)\b/i.test(name);
        return [
          k,
          {
            query: this.queries[k],
            samples: value,
            unit: counted ? 'events' : 'value',
            ...(counted || !name ? {} : { valueName: name }),
          } satisfies SignalReading,
        ];
      }),
    ) as Record<SignalKind, SignalReading>;
  }

  /**
   * NR-11: throughput faceted by the tenant attribute over the long window. With the default queries
   * and no app name, the same request lists the apps that reported (NR-12): more than one means the
   * account mixes apps (usually environments) and the gate will not guess which one is production.
   */
  async tenantBreakdown(window_: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown> {
    this.requireQuotableApp();
    const since = window(window_.from, window_.to);
    const apps = this.unscopedDefaults ? ` apps: nrql(query: $apps, timeout: ${BREAKDOWN_TIMEOUT_S}) { results }` : '';
    const data = await this.nerdgraph.query(
      `query($id: Int!, $tenants: Nrql!${apps ? ', $apps: Nrql!' : ''}) { actor { account(id: $id) { tenants: nrql(query: $tenants, timeout: ${BREAKDOWN_TIMEOUT_S}) { results }${apps} } } }`,
      { id: this.opts.accountId, tenants: `${this.queries.tenants} ${since}`, ...(apps ? { apps: `${APPS_QUERY} ${since}` } : {}) },
      signal,
      BREAKDOWN_TIMEOUT_S * 1000 + ANSWER_MARGIN_MS,
    );
    const account = isRecord(data.actor) ? data.actor.account : undefined;
    if (!isRecord(account)) throw malformed('tenant breakdown NRQL', `actor.account is ${typeName(account)}, not an object`);
    if (apps) {
      const first = rows(account.apps, 'tenant breakdown NRQL', 'apps')[0] ?? {};
      const seen = first['uniques.appName'] ?? Object.values(first).find(Array.isArray);
      const names = Array.isArray(seen) ? seen.map(String).sort() : [];
      if (names.length > 1) {
        throw new SettingRequiredError(
          'NEW_RELIC_APP_NAME (zero-config) or gates.monitoring.newrelic.appName',
          `${names.length} APM apps report to account ${this.opts.accountId} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); the gate will not guess which is production: set NEW_RELIC_APP_NAME or gates.monitoring.newrelic.appName to it`,
        );
      }
    }
    const tenants = new Set<string>();
    const attribute = this.opts.tenantAttribute;
    for (const row of rows(account.tenants, 'tenant breakdown NRQL', 'tenants')) {
      const value = facetValue(row, attribute);
      if (value === null || value === undefined || value === '') continue;
      const count = facetCount(row, attribute);
      if (count === undefined || count > 0) tenants.add(String(value));
    }
    return { query: this.queries.tenants, by: `attribute ${attribute}`, tenants: [...tenants].sort() };
  }

  /**
   * NR-14 … NR-22: every NRQL condition (of the app, when one is set), with the workflows that route
   * its issues, the destinations they would notify and the muting rules that silence it.
   */
  async alertRules(signal: AbortSignal): Promise<AlertRule[]> {
    this.requireQuotableApp();
    const first = await this.nerdgraph.query(
      `query($id: Int!, $cursor: String) { actor { account(id: $id) {
        alerts { ${CONDITIONS} ${POLICIES} mutingRules { id name enabled status condition { operator conditions { attribute operator values } } } }
        aiWorkflows { ${WORKFLOWS} }
      } } }`,
      { id: this.opts.accountId, cursor: null },
      signal,
    );
    const account = isRecord(first.actor) ? first.actor.account : undefined;
    if (!isRecord(account)) throw malformed('alert conditions', `actor.account is ${typeName(account)}, not an object`);
    const alerts = isRecord(account.alerts) ? account.alerts : {};
    const aiWorkflows = isRecord(account.aiWorkflows) ? account.aiWorkflows : {};
    const [conditions, policies, workflows] = await Promise.all([
      this.allPages<Condition>(alerts.nrqlConditionsSearch, 'nrqlConditions', 'alerts.nrqlConditionsSearch', `alerts { ${CONDITIONS} }`, signal),
      this.allPages<{ id: string; name: string }>(alerts.policiesSearch, 'policies', 'alerts.policiesSearch', `alerts { ${POLICIES} }`, signal),
      this.allPages<Workflow>(aiWorkflows.workflows, 'entities', 'aiWorkflows.workflows', `aiWorkflows { ${WORKFLOWS} }`, signal),
    ]);
    const mutingRules: (MutingRule & { name: string })[] = objects(alerts.mutingRules, 'alerts.mutingRules');
    const policyNames = new Map(policies.map((p) => [String(p.id), p.name]));
    const relevant = conditions.filter((c) => !this.opts.appName || !scopedToOtherApps(c.nrql?.query ?? '', this.opts.appName));
    const facts = relevant.map((c) => ({
      condition: c,
      facts: {
        id: String(c.id),
        name: c.name,
        policyId: String(c.policyId),
        policyName: policyNames.get(String(c.policyId)),
        query: c.nrql?.query ?? '',
        accountId: this.opts.accountId,
        priorities: issuePriorities(c.terms),
      } satisfies ConditionFacts,
    }));
    const enabled = workflows.filter((w) => w.workflowEnabled && w.destinationsEnabled);
    const verdicts = facts.map(({ facts: f }) => enabled.map((w) => ({ workflow: w, verdict: routeVerdict(w.issuesFilter, f) })));
    const channelIds = [
      ...new Set(
        verdicts
          .flat()
          .filter((v) => v.verdict.routes)
          .flatMap((v) => (v.workflow.destinationConfigurations ?? []).map((d) => String(d.channelId ?? ''))),
      ),
    ].filter(Boolean);
    const channels = channelIds.length ? await this.channels(channelIds, signal) : new Map<string, Channel>();
    // Conditions scoped to other apps are read but not judged; the result names them and why.
    const skipped = conditions
      .filter((c) => !relevant.includes(c))
      .map(
        (c): AlertRule => ({
          id: String(c.id),
          name: `${c.name}${policyNames.get(String(c.policyId)) ? ` (policy ${policyNames.get(String(c.policyId))})` : ''}`,
          query: `${c.name} ${c.nrql?.query ?? ''}`,
          enabled: c.enabled,
          notifies: [],
          excluded: `scoped to another app than ${this.opts.appName}`,
        }),
      );
    return [...facts.map(({ condition, facts: f }, i) => toRule(condition, f, workflows, verdicts[i], mutingRules, channels)), ...skipped];
  }

  /** NR-14, NR-15, NR-18: the first page plus every further one, by `nextCursor`. */
  private async allPages<T>(firstPage: unknown, listKey: string, what: string, selection: string, signal: AbortSignal): Promise<T[]> {
    let pageData = firstPage;
    const items: T[] = [];
    for (let pages = 1; ; pages++) {
      const page = isRecord(pageData) ? pageData : {};
      items.push(...(objects(page[listKey], `${what}.${listKey}`) as T[]));
      const cursor = page.nextCursor;
      if (cursor === null || cursor === undefined || cursor === '') return items;
      if (pages >= MAX_PAGES) throw new SourceError('malformed', `NerdGraph ${what} has more than ${MAX_PAGES} pages; stopped before reading them all`);
      const next = await this.nerdgraph.query(
        `query($id: Int!, $cursor: String) { actor { account(id: $id) { ${selection} } } }`,
        { id: this.opts.accountId, cursor },
        signal,
      );
      pageData = what
        .split('.')
        .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), isRecord(next.actor) ? next.actor.account : undefined);
    }
  }

  /** NR-22: the channels the routed destinations use, by ID. */
  private async channels(ids: string[], signal: AbortSignal): Promise<Map<string, Channel>> {
    const byId = new Map<string, Channel>();
    let cursor: unknown = null;
    for (let pages = 1; ; pages++) {
      const data = await this.nerdgraph.query(
        `query($id: Int!, $cursor: String, $filters: AiNotificationsChannelFilter) { actor { account(id: $id) { aiNotifications { ${CHANNELS} } } } }`,
        { id: this.opts.accountId, cursor, filters: { ids } },
        signal,
      );
      const account = isRecord(data.actor) ? data.actor.account : undefined;
      const list = isRecord(account) && isRecord(account.aiNotifications) ? account.aiNotifications.channels : undefined;
      const page = isRecord(list) ? list : {};
      for (const c of objects(page.entities, 'aiNotifications.channels.entities') as Channel[]) byId.set(String(c.id), c);
      cursor = page.nextCursor;
      if (cursor === null || cursor === undefined || cursor === '') return byId;
      if (pages >= MAX_PAGES)
        throw new SourceError('malformed', `NerdGraph aiNotifications.channels has more than ${MAX_PAGES} pages; stopped before reading them all`);
    }
  }

  /** NR-13: NRQL documents no escape for a quote inside a string, so such an app name can be neither queried nor matched. */
  private requireQuotableApp(): void {
    if (this.opts.appName !== undefined && nrqlString(this.opts.appName) === undefined) {
      throw new SettingRequiredError(
        'NEW_RELIC_APP_NAME or gates.monitoring.newrelic.appName',
        `app name ${JSON.stringify(this.opts.appName)} contains a single quote, which NRQL cannot quote`,
      );
    }
  }
}

/** A list of objects, or [] when absent; anything else is a malformed answer. */
// biome-ignore lint/suspicious/noExplicitAny: the caller checks the shape of each NerdGraph object before use
function objects(value: unknown, what: string): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed('alert conditions', `${what} is ${typeName(value)}, not a list`);
  const i = value.findIndex((v) => !isRecord(v));
  if (i >= 0) throw malformed('alert conditions', `${what}[${i}] is ${typeName(value[i])}, not an object`);
  return value;
}

/** NR-21/NR-22: why a destination would not notify when an issue opens, or undefined when it would. */
function destinationProblem(d: Destination, channels: Map<string, Channel>): string | undefined {
  const triggers = d.notificationTriggers ?? [];
  if (triggers.length && !triggers.map((t) => String(t).toUpperCase()).includes('ACTIVATED'))
    return `is not triggered on ACTIVATED (only ${triggers.join(', ')})`;
  const channel = channels.get(String(d.channelId ?? ''));
  if (!channel) return `uses channel ${d.channelId ?? '(none)'}, which does not exist`;
  if (channel.active === false) return `uses channel "${channel.name ?? channel.id}", which is inactive`;
  return undefined;
}

function toRule(
  c: Condition,
  f: ConditionFacts,
  workflows: Workflow[],
  verdicts: { workflow: Workflow; verdict: RouteVerdict }[],
  mutingRules: (MutingRule & { name: string })[],
  channels: Map<string, Channel>,
): AlertRule {
  const muting = mutingRules.filter((r) => mutesWholeCondition(r, f));
  const routed = verdicts.filter((v) => v.verdict.routes);
  // NR-17: a fully muted condition's issues still notify through NOTIFY_ALL_ISSUES workflows only.
  const usable = muting.length ? routed.filter((v) => v.workflow.mutingRulesHandling === 'NOTIFY_ALL_ISSUES') : routed;
  const notifies: string[] = [];
  const problems: string[] = [];
  for (const { workflow: w, verdict } of usable) {
    const caveats = [
      ...(verdict.priorities.length < f.priorities.length ? [`${verdict.priorities.join('/')} issues only`] : []),
      ...verdict.onlyIf.map((p) => `only issues whose ${p}`),
    ];
    for (const d of w.destinationConfigurations ?? []) {
      const problem = destinationProblem(d, channels);
      if (problem) problems.push(`workflow "${w.name}" destination "${d.name ?? d.channelId}" ${problem}`);
      else notifies.push(`${w.name} → ${d.type ?? 'destination'} ${d.name ?? d.channelId ?? ''}`.trim() + (caveats.length ? ` (${caveats.join('; ')})` : ''));
    }
  }
  const rule: AlertRule = {
    id: String(c.id),
    name: `${c.name}${f.policyName ? ` (policy ${f.policyName})` : ''}`,
    query: `${c.name} ${f.query}`,
    enabled: c.enabled,
    notifies,
  };
  if (muting.length && !usable.length && routed.length) rule.mutedBy = muting.map((r) => `muting rule ${r.name}`).join(', ');
  if (!notifies.length) {
    rule.noTargetReason = noTargetReason(f, workflows, verdicts, problems, muting.length > 0);
    // A workflow that would route it but is switched off: disabled, not "no target".
    const off = workflows.filter((w) => !w.workflowEnabled && routeVerdict(w.issuesFilter, f).routes);
    if (off.length && !problems.length) rule.disabledRoute = off.map((w) => `workflow "${w.name}"`).join(', ');
  }
  return rule;
}

/** The most useful few reasons no workflow reaches a target, for the summary. */
function noTargetReason(
  f: ConditionFacts,
  workflows: Workflow[],
  verdicts: { workflow: Workflow; verdict: RouteVerdict }[],
  problems: string[],
  muted: boolean,
): string {
  const reasons = [...problems];
  const disabled = workflows.filter((w) => !(w.workflowEnabled && w.destinationsEnabled) && routeVerdict(w.issuesFilter, f).routes);
  reasons.push(...disabled.map((w) => `workflow "${w.name}" would route it but is ${w.workflowEnabled ? 'without enabled destinations' : 'disabled'}`));
  const near = verdicts.filter((v) => !v.verdict.routes && (v.verdict.selectsCondition || v.verdict.onlyIf.length));
  reasons.push(...near.map((v) => `workflow "${v.workflow.name}": ${v.verdict.reason}`));
  if (muted) reasons.push('muted, and no routing workflow is set to NOTIFY_ALL_ISSUES');
  if (!reasons.length) {
    return workflows.length
      ? `none of the ${workflows.length} workflow(s) routes policy ${f.policyId}${f.policyName ? ` ("${f.policyName}")` : ''}; e.g. filter on labels.policyIds EXACTLY_MATCHES ${f.policyId}`
      : 'the account has no workflow';
  }
  return reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? `; and ${reasons.length - 3} more` : '');
}
