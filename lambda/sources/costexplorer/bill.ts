import { plural } from '../../core/plural';
import { CostExplorerClient, GetCostAndUsageCommand, type Expression, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FinalizeHandler, FinalizeHandlerArguments } from '@smithy/types';
import { describeError, SourceError } from '../../core/errors';
import { redact, registerSecret } from '../../core/redact';
import { formatUsd, parseMoney, type Money } from '../../checks/cost/money';
import type { ActualBill, AwsBillQuery, BillSource } from '../../checks/cost/ports';
import { addDays, exclusiveEnd, uncoveredDays, type CostWindow } from '../../checks/cost/window';
export { costExplorerSourceSchema, type CostExplorerSourceConfig } from './schema';
import type { CostExplorerSourceConfig } from './schema';

/** Cost Explorer charges $0.01 per paginated request. */
export const COST_EXPLORER_REQUEST_PRICE: Money = parseMoney('0.01');

interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

const THROTTLING = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);

/**
 * The actual AWS bill from Cost Explorer: one GetCostAndUsage query over the window, MONTHLY,
 * grouped by the tag, following every NextPageToken. A run costs one request per page (a
 * handful), never one per tenant. Retries are the SDK's standard strategy (`maxAttempts`).
 */
export class CostExplorerBill implements BillSource {
  readonly provider = 'aws' as const;
  private client?: CostExplorerClient;
  private sts?: STSClient;
  private answered = 0;
  private throttled = 0;
  /** Every attempt sent, answered or not, and the HTTP statuses of the failed ones (e.g. 500 → 5). */
  private attempts = 0;
  private failedStatuses = new Map<string, number>();

  /**
   * @param budget the most this run may spend on requests (`gates.cost.aws.maxCostExplorerUsd`):
   * a page that would pass it is not asked for, and the run is an ERROR pointing to the exports.
   */
  constructor(
    private readonly src: CostExplorerSourceConfig,
    private readonly query: AwsBillQuery,
    private readonly budget?: Money,
  ) {}

  /** Built on first use, so that the SDK's start-up work overlaps the ledger query instead of delaying it. */
  private costExplorer(): CostExplorerClient {
    if (this.client) return this.client;
    const src = this.src;
    const region = src.region ?? 'us-east-1';
    const client = new CostExplorerClient({
      region,
      maxAttempts: src.maxAttempts ?? 5,
      ...(src.roleArn ? { credentials: this.assumeRole(src.roleArn, src.externalId, region) } : {}),
    });
    // Counted per attempt (inside the retry middleware): answered requests are billed, throttled ones are not.
    client.middlewareStack.addRelativeTo(
      <I extends object, O extends object>(next: FinalizeHandler<I, O>) =>
        async (args: FinalizeHandlerArguments<I>) => {
          this.attempts++;
          try {
            const out = await next(args);
            this.answered++;
            return out;
          } catch (err) {
            if (THROTTLING.has((err as { name?: string }).name ?? '')) this.throttled++;
            else {
              const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
              const key = status && status >= 400 ? `failed with HTTP ${status}` : status ? `unreadable (HTTP ${status})` : 'got no answer';
              this.failedStatuses.set(key, (this.failedStatuses.get(key) ?? 0) + 1);
            }
            throw err;
          }
        },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'countCostExplorerRequests' },
    );
    this.client = client;
    return client;
  }

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const q = this.query;
    const filters: Expression[] = [];
    if (q.excludeRecordTypes.length) filters.push({ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: q.excludeRecordTypes } } });
    if (q.linkedAccounts?.length) filters.push({ Dimensions: { Key: 'LINKED_ACCOUNT', Values: q.linkedAccounts } });
    const filter = filters.length > 1 ? { And: filters } : filters[0];
    const prefix = `${q.tagKey}$`;
    const groups = new Map<string, Money>();
    const estimated = new Set<string>();
    const units = new Set<string>();
    const seenTokens = new Set<string>();
    /** [Start, End) of every period answered: together they must cover the window (CE-8, CE-14). */
    const periods: [string, string][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      this.guard(pages, groups.size);
      let page: GetCostAndUsageCommandOutput;
      try {
        page = await this.costExplorer().send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: window.from, End: exclusiveEnd(window) },
            Granularity: 'MONTHLY',
            Metrics: [q.metric],
            GroupBy: [{ Type: 'TAG', Key: q.tagKey }],
            ...(filter ? { Filter: filter } : {}),
            ...(token ? { NextPageToken: token } : {}),
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        throw this.explain(err, window);
      }
      pages++;
      checkPage(page, q.metric);
      for (const period of page.ResultsByTime!) {
        periods.push([period.TimePeriod!.Start!.slice(0, 10), period.TimePeriod!.End!.slice(0, 10)]);
        if (period.Estimated && period.TimePeriod?.Start && period.TimePeriod.End) {
          estimated.add(`${period.TimePeriod.Start}..${addDays(period.TimePeriod.End, -1)}`);
        }
        for (const g of period.Groups ?? []) {
          const key = g.Keys?.[0] ?? '';
          const value = key.startsWith(prefix) ? key.slice(prefix.length) : key;
          const m = g.Metrics?.[q.metric];
          if (!m?.Amount) throw new SourceError('malformed', `Cost Explorer returned a group without ${q.metric} (${JSON.stringify(key)})`);
          units.add(m.Unit ?? '(none)');
          groups.set(value, (groups.get(value) ?? 0n) + parseMoney(m.Amount));
        }
      }
      token = page.NextPageToken || undefined;
      if (token && seenTokens.has(token)) throw new SourceError('malformed', 'Cost Explorer repeated a NextPageToken; stopped paging');
      if (token) seenTokens.add(token);
    } while (token);
    const uncovered = uncoveredDays(periods, window.from, exclusiveEnd(window));
    if (uncovered.length) {
      throw new SourceError(
        'malformed',
        `Cost Explorer's answer leaves ${uncovered.join(', ')} of the window ${window.from}..${window.to} out: those days were not measured`,
        { remediation: 'Run the check again; if it persists, narrow the window to the days Cost Explorer reports.' },
      );
    }
    const foreign = [...units].filter((u) => u !== 'USD');
    if (foreign.length) {
      throw new SourceError(
        'malformed',
        `Cost Explorer reports amounts in ${[...units].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`,
        { remediation: "Reconcile a USD bill: set the account's preferred currency to USD or use a ledger in the bill's currency." },
      );
    }
    const filterText = [
      q.excludeRecordTypes.length ? `record types ${q.excludeRecordTypes.join(', ')} excluded` : 'all record types',
      q.linkedAccounts?.length ? `linked accounts ${q.linkedAccounts.join(', ')}` : '',
    ].filter(Boolean);
    return {
      source: `Cost Explorer ${q.metric} grouped by tag ${q.tagKey} (${filterText.join('; ')}; ${pages} page(s))`,
      groups,
      estimated: [...estimated],
      requests: this.requests(),
      notes: [],
    };
  }

  /**
   * Stops before a request that would take the run past its budget: Cost Explorer does not
   * document its page size, so the number of pages (and what they cost) grows with tenants × months
   * and is known only as they come.
   */
  private guard(pages: number, groupsRead: number): void {
    if (this.budget === undefined || COST_EXPLORER_REQUEST_PRICE * BigInt(this.answered + 1) <= this.budget) return;
    throw new SourceError(
      'malformed',
      `stopped before page ${pages + 1} of Cost Explorer's answer: ${this.answered} request(s) made (${formatUsd(COST_EXPLORER_REQUEST_PRICE * BigInt(this.answered))}, ${groupsRead} tag value(s) read) and the next would pass maxCostExplorerUsd ${formatUsd(this.budget)}`,
      {
        remediation:
          'At this many tenants read the bill from its export instead: a dataexport source (S3 requests, fractions of a cent a run) or an athena source ($5 per TB scanned, 10 MB minimum); or raise gates.cost.aws.maxCostExplorerUsd.',
      },
    );
  }

  private requests() {
    return { count: this.answered, cost: COST_EXPLORER_REQUEST_PRICE * BigInt(this.answered), throttled: this.throttled };
  }

  /** Names the cause in the user's terms; the SDK has already retried what was retryable. */
  private explain(err: unknown, window: CostWindow): Error {
    if (err instanceof SourceError) return err;
    const name = (err as { name?: string }).name ?? '';
    const failed = [...this.failedStatuses].map(([k, n]) => `${n} ${k}`);
    const made = `${plural(this.attempts, 'attempt')} made: ${this.answered} answered and billed, ${this.throttled} throttled${failed.length ? `, ${failed.join(', ')}` : ''}`;
    if (THROTTLING.has(name) || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429) {
      return new SourceError('throttled', `Cost Explorer throttled the requests (${name || 'HTTP 429'}) and the retries were exhausted (${made})`, {
        remediation:
          'Run the check again later or less often, or raise maxAttempts on the costexplorer source; Cost Explorer allows only a few requests per second per account.',
      });
    }
    if (name === 'DataUnavailableException') {
      return new SourceError('not-found', 'Cost Explorer has no data for the window or is not enabled for this account (DataUnavailableException)', {
        remediation: 'Enable Cost Explorer in the Billing and Cost Management console (data appears within 24 hours), or pick a window that has data.',
      });
    }
    if (name === 'ValidationException') {
      return new SourceError('malformed', `Cost Explorer refused the query for ${window.from}..${window.to} (ValidationException: ${(err as Error).message})`, {
        remediation:
          'Cost Explorer takes windows that start no later than today and end by the last day of the current month, reaching back 13 months before the current one (further only with multi-year data enabled, from the 1st of a month).',
      });
    }
    if (name === 'BillExpirationException') {
      return new SourceError('not-found', `the window is older than Cost Explorer keeps (BillExpirationException)`, {
        remediation: 'Pick a window within the last 13 months.',
      });
    }
    if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException' || name === 'ExpiredTokenException') {
      return new SourceError('credentials', `Cost Explorer refused the credentials: ${describeError(err)}`, {
        remediation: `Grant ce:GetCostAndUsage to the identity the check runs as${this.src.roleArn ? ` (role ${this.src.roleArn})` : ''}.`,
      });
    }
    if (name === 'CredentialsProviderError') {
      return new SourceError('credentials', `no AWS credentials for Cost Explorer: ${describeError(err)}`, {
        remediation: 'Run with AWS credentials (AWS_PROFILE, environment variables, SSO or an instance/task role) that allow ce:GetCostAndUsage.',
      });
    }
    return new SourceError('malformed', `Cost Explorer: ${sdkCause(err, 'GetCostAndUsage')} (${made})`);
  }

  /** Credentials of the role, assumed with the default credential chain and cached until shortly before expiry. */
  private assumeRole(roleArn: string, externalId: string | undefined, region: string): () => Promise<RoleCredentials> {
    let cached: RoleCredentials | undefined;
    return async () => {
      if (cached?.expiration && cached.expiration.getTime() - Date.now() > 60_000) return cached;
      this.sts ??= new STSClient({ region, maxAttempts: this.src.maxAttempts ?? 5 });
      let out;
      try {
        out = await this.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'saas-readiness-cost',
            DurationSeconds: 900,
            ...(externalId ? { ExternalId: externalId } : {}),
          }),
        );
      } catch (err) {
        throw new SourceError('credentials', `cannot assume role ${roleArn}: ${sdkCause(err, 'sts:AssumeRole')}`, {
          remediation: `Allow sts:AssumeRole on ${roleArn} for the identity the check runs as, and trust it in the role's trust policy.`,
        });
      }
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new SourceError('credentials', `sts:AssumeRole ${roleArn} returned no credentials`);
      registerSecret(c.SecretAccessKey);
      registerSecret(c.SessionToken);
      cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      return cached;
    };
  }

  close(): void {
    this.client?.destroy();
    this.sts?.destroy();
  }
}

/**
 * The SDK's cause in one line. Its deserialization errors carry a second line about a hidden
 * field; a reader needs the operation, the HTTP status and the parser's complaint.
 */
function sdkCause(err: unknown, operation: string): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  if (e?.name === 'SyntaxError' || /Deserialization error/.test(e?.message ?? '')) {
    const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
    const first = (e.message ?? '')
      .split('\n')[0]
      .replace(/^malformed response:\s*/, '')
      .trim();
    return redact(`malformed ${operation} response${status ? ` (HTTP ${status})` : ''}: ${first}`);
  }
  return describeError(err);
}

/**
 * The SDK does not check the types of what it deserializes: a page whose fields have the wrong
 * types would otherwise be read as an empty (or partial) bill. Every field read is checked here.
 */
function checkPage(page: GetCostAndUsageCommandOutput, metric: string): void {
  const bad = (what: string) => new SourceError('malformed', `malformed GetCostAndUsage response from Cost Explorer: ${what}`);
  const text = (v: unknown) => JSON.stringify(v)?.slice(0, 40) ?? String(v);
  if (typeof page !== 'object' || page === null) throw bad('the body is not a JSON object');
  if (!Array.isArray(page.ResultsByTime)) throw bad(page.ResultsByTime === undefined ? 'ResultsByTime is missing' : 'ResultsByTime is not a list');
  if (page.NextPageToken !== undefined && page.NextPageToken !== null && typeof page.NextPageToken !== 'string') throw bad('NextPageToken is not a string');
  const results = page.ResultsByTime;
  for (let i = 0; i < results.length; i++) {
    const period = results[i];
    if (typeof period !== 'object' || period === null) throw bad(`ResultsByTime[${i}] is not an object`);
    if (period.Estimated !== undefined && typeof period.Estimated !== 'boolean') throw bad(`ResultsByTime[${i}].Estimated is not a boolean`);
    const groups = period.Groups;
    if (groups !== undefined && !Array.isArray(groups)) throw bad(`ResultsByTime[${i}].Groups is not a list`);
    const tp = period.TimePeriod as { Start?: unknown; End?: unknown } | undefined;
    if (typeof tp?.Start !== 'string' || typeof tp.End !== 'string' || !DAY_TEXT.test(tp.Start) || !DAY_TEXT.test(tp.End))
      throw bad(`ResultsByTime[${i}].TimePeriod is not a pair of dates`);
    if (groups === undefined) continue;
    for (let j = 0; j < groups.length; j++) {
      const g = groups[j];
      const at = () => `ResultsByTime[${i}].Groups[${j}]`;
      if (!Array.isArray(g?.Keys) || typeof g.Keys[0] !== 'string') throw bad(`${at()}.Keys is not a list of strings`);
      const m = g.Metrics?.[metric] as { Amount?: unknown; Unit?: unknown } | undefined;
      if (m?.Amount !== undefined && (typeof m.Amount !== 'string' || !DECIMAL_TEXT.test(m.Amount)))
        throw bad(`${at()}.Metrics.${metric}.Amount is not a decimal string (${text(m.Amount)})`);
      if (m?.Unit !== undefined && typeof m.Unit !== 'string') throw bad(`${at()}.Metrics.${metric}.Unit is not a string`);
    }
  }
}

const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
/** `YearMonthDay`: YYYY-MM-DD, optionally with THH:MM:SSZ (docs/contracts/costexplorer.md, CE-3). */
const DAY_TEXT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/;
