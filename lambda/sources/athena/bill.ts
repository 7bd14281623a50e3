import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { describeError, SourceError } from '../../core/errors';
import { divRound, parseMoney, type Money } from '../../checks/cost/money';
import type { ActualBill, AwsBillQuery, BillSource } from '../../checks/cost/ports';
import { addDays, exclusiveEnd, monthsOf, uncoveredDays, type CostWindow } from '../../checks/cost/window';
import { costColumn, reconciliationQuery, RESULT_COLUMNS, type AthenaTable } from './query';
import type { AthenaSourceConfig } from './schema';

/** AT-12: $5 per TB scanned (TB = 2^40 bytes), rounded up to the next MB (2^20 bytes), 10 MB minimum. */
const PRICE_PER_TB: Money = parseMoney('5');
const MB = 1_048_576;
const MIN_MB = 10;

/** What a query that scanned `bytes` costs (AT-12). */
export function athenaQueryCost(bytes: number): { billedMb: number; cost: Money } {
  const billedMb = Math.max(MIN_MB, Math.ceil(bytes / MB));
  return { billedMb, cost: divRound(PRICE_PER_TB * BigInt(billedMb), BigInt(MB)) };
}

/** GetQueryResults page size: the most AT-7 allows. */
const PAGE_ROWS = 1000;
/** Polling GetQueryExecution: first wait, growth, longest wait. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 2000;
/** Time kept before the gate's deadline to stop the query and say so. */
const DEADLINE_MARGIN_MS = 1500;

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException']);

/**
 * The actual AWS bill from one aggregate Athena query over the export's table
 * (docs/contracts/athena.md): StartQueryExecution, GetQueryExecution polled with growing waits
 * until a final state or shortly before the gate's deadline (then StopQueryExecution), every
 * GetQueryResults page. One row per tenant tag value, per billing period, and the grand total.
 */
export class AthenaBill implements BillSource {
  readonly provider = 'aws' as const;
  private client?: AthenaClient;
  private polls = 0;
  private pages = 0;

  constructor(
    private readonly src: AthenaSourceConfig,
    private readonly query: AwsBillQuery,
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {}

  private get table(): AthenaTable {
    const format = this.src.format ?? 'cur2';
    return { format, database: this.src.database ?? 'cid_data_export', table: this.src.table ?? format };
  }

  private athena(): AthenaClient {
    this.client ??= new AthenaClient({ ...(this.src.region ? { region: this.src.region } : {}), maxAttempts: this.src.maxAttempts ?? 5 });
    return this.client;
  }

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const t = this.table;
    const sql = reconciliationQuery(t, this.query, window);
    const workGroup = this.src.workGroup ?? 'primary';
    let id: string;
    try {
      const out = await this.athena().send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: workGroup,
          QueryExecutionContext: { Database: t.database, Catalog: this.src.catalog ?? 'AwsDataCatalog' },
          ...(this.src.outputLocation ? { ResultConfiguration: { OutputLocation: this.src.outputLocation } } : {}),
        }),
        { abortSignal: signal },
      );
      if (!out.QueryExecutionId) throw new SourceError('malformed', 'Athena accepted the query but returned no QueryExecutionId');
      id = out.QueryExecutionId;
    } catch (err) {
      throw this.explain(err, 'StartQueryExecution');
    }
    const execution = await this.waitFor(id, signal);
    const rows = await this.results(id, signal);
    return this.bill(execution, rows, window);
  }

  /** Polls until SUCCEEDED (AT-5); FAILED, CANCELLED and the deadline are ERRORs naming the query. */
  private async waitFor(id: string, signal: AbortSignal): Promise<QueryExecution> {
    let wait = POLL_FIRST_MS;
    for (;;) {
      let execution: QueryExecution | undefined;
      try {
        execution = (await this.athena().send(new GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal })).QueryExecution;
        this.polls++;
      } catch (err) {
        if (signal.aborted) await this.stop(id);
        throw this.explain(err, 'GetQueryExecution');
      }
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return execution!;
      if (state === 'FAILED') {
        const e = execution!.Status?.AthenaError;
        const category = e?.ErrorCategory === 2 ? 'user error' : e?.ErrorCategory === 1 ? 'system error' : 'error';
        throw new SourceError(
          'malformed',
          `Athena query ${id} failed (${category}${e?.ErrorType !== undefined ? ` ${e.ErrorType}` : ''}${e?.Retryable ? ', retryable' : ''}): ${execution!.Status?.StateChangeReason ?? e?.ErrorMessage ?? 'no reason given'}`,
          {
            remediation:
              e?.ErrorCategory === 2
                ? `Check that ${this.table.database}.${this.table.table} is the ${this.table.format === 'cur2' ? 'CUR 2.0' : 'FOCUS'} table of the export (database, table, format) and is partitioned by billing_period.`
                : 'Run the check again; Athena reports the failure as its own.',
          },
        );
      }
      if (state === 'CANCELLED')
        throw new SourceError(
          'malformed',
          `Athena query ${id} was cancelled before it finished (StopQueryExecution from elsewhere, or the workgroup's data limit)`,
        );
      if (state !== 'QUEUED' && state !== 'RUNNING')
        throw new SourceError('malformed', `Athena answered GetQueryExecution for ${id} with state ${JSON.stringify(state)}`);
      if (Date.now() + wait > this.deadline - DEADLINE_MARGIN_MS) {
        await this.stop(id);
        throw new SourceError(
          'malformed',
          `Athena query ${id} was still ${state} at the gate's deadline after ${this.polls} status check(s); it was stopped (a cancelled query is billed for what it scanned)`,
          {
            remediation:
              "Raise the cost gate's timeoutSeconds, or check the workgroup's queue (concurrent queries) and the table's partitioning (billing_period).",
          },
        );
      }
      await sleep(wait, signal);
      wait = Math.min(POLL_MAX_MS, wait * 2);
    }
  }

  /** Best effort: a query left running would keep scanning (and billing). */
  private async stop(id: string): Promise<void> {
    try {
      await this.athena().send(new StopQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: AbortSignal.timeout(DEADLINE_MARGIN_MS) });
    } catch {
      // the ERROR says it was asked to stop; nothing more to do here
    }
  }

  /** Every page of the results (AT-7); the first row of the first page is the header (AT-8). */
  private async results(id: string, signal: AbortSignal): Promise<string[][]> {
    const rows: string[][] = [];
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      let page: GetQueryResultsCommandOutput;
      try {
        page = await this.athena().send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: PAGE_ROWS, ...(token ? { NextToken: token } : {}) }), {
          abortSignal: signal,
        });
      } catch (err) {
        throw this.explain(err, 'GetQueryResults');
      }
      this.pages++;
      const data = page.ResultSet?.Rows;
      if (!Array.isArray(data)) throw new SourceError('malformed', `malformed GetQueryResults response for ${id}: ResultSet.Rows is not a list`);
      for (const row of data) rows.push((row.Data ?? []).map((d) => d.VarCharValue ?? '\u0000'));
      if (this.pages === 1) {
        const header = rows.shift();
        if (!header || header.join(',') !== RESULT_COLUMNS.join(',')) {
          throw new SourceError(
            'malformed',
            `Athena's results for ${id} do not start with the header ${RESULT_COLUMNS.join(',')} (got ${JSON.stringify(header?.join(',') ?? '').slice(0, 120)})`,
          );
        }
      }
      token = page.NextToken || undefined;
      if (token && seen.has(token)) throw new SourceError('malformed', `Athena repeated a NextToken for ${id}; stopped paging`);
      if (token) seen.add(token);
    } while (token);
    return rows;
  }

  private bill(execution: QueryExecution, rows: string[][], window: CostWindow): ActualBill {
    const id = execution.QueryExecutionId ?? '';
    const NULL = '\u0000';
    const groups = new Map<string, Money>();
    /** Per billing period: from its first day in the window to the day after its last line item. */
    const covered: [string, string][] = [];
    const seenPeriods: string[] = [];
    let total: Money | undefined;
    let lineItems = 0;
    const currencies = new Set<string>();
    const amount = (text: string, row: number) => {
      try {
        return parseMoney(text);
      } catch {
        throw new SourceError('malformed', `Athena's results for ${id}: row ${row + 2}: cost ${JSON.stringify(text.slice(0, 30))} is not a decimal`);
      }
    };
    rows.forEach((r, i) => {
      const [tenant, period, gTenant, gPeriod, cost, count, first, last, minCurrency, maxCurrency] = r;
      if (r.length !== RESULT_COLUMNS.length)
        throw new SourceError('malformed', `Athena's results for ${id}: row ${i + 2} has ${r.length} values, not ${RESULT_COLUMNS.length}`);
      if (gTenant === '0' && gPeriod === '1') {
        groups.set(tenant === NULL ? '' : tenant, amount(cost, i));
      } else if (gTenant === '1' && gPeriod === '0') {
        seenPeriods.push(period);
        const start = `${period}-01` < window.from ? window.from : `${period}-01`;
        if (first !== NULL && last !== NULL) covered.push([start, addDays(last, 1)]);
      } else if (gTenant === '1' && gPeriod === '1') {
        total = cost === NULL ? 0n : amount(cost, i);
        lineItems = Number(count);
        if (minCurrency !== NULL) currencies.add(minCurrency);
        if (maxCurrency !== NULL) currencies.add(maxCurrency);
      } else throw new SourceError('malformed', `Athena's results for ${id}: row ${i + 2} has grouping flags ${gTenant},${gPeriod}`);
    });
    if (total === undefined) throw new SourceError('malformed', `Athena's results for ${id} have no grand-total row: the results were cut short`);
    const missing = monthsOf(window).filter((m) => !seenPeriods.includes(m));
    const uncovered = uncoveredDays(covered, window.from, exclusiveEnd(window));
    if (uncovered.length) {
      throw new SourceError(
        'not-found',
        `${this.table.database}.${this.table.table} has no line items for ${uncovered.join(', ')} of the window ${window.from}..${window.to}${missing.length ? ` (no billing_period ${missing.join(', ')})` : ''}: those days were not measured`,
        {
          remediation:
            'Check that the export covers the window and that its new billing periods are added to the table (partition projection, a crawler, or MSCK REPAIR TABLE).',
        },
      );
    }
    const foreign = [...currencies].filter((c) => c !== 'USD');
    if (foreign.length)
      throw new SourceError(
        'malformed',
        `${this.table.database}.${this.table.table} bills in ${[...currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`,
      );
    const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
    const { billedMb, cost } = athenaQueryCost(scanned);
    const q = this.query;
    return {
      source: `Athena ${this.table.database}.${this.table.table} (${this.table.format === 'cur2' ? 'CUR 2.0' : 'FOCUS'}; ${costColumn(this.table.format, q.metric)} as ${q.metric} by tag ${q.tagKey}; ${lineItems} line items in the window${q.excludeRecordTypes.length ? `; ${q.excludeRecordTypes.join(', ')} excluded` : ''}; query ${id})`,
      groups,
      total,
      estimated: [],
      notes: [],
      readCost: {
        summary: `Athena: query ${id} scanned ${(scanned / MB).toFixed(1)} MiB, billed ${billedMb} MB at $5 per TB (10 MB minimum); ${this.polls} status check(s), ${this.pages} result page(s)`,
        cost,
        measurements: [
          { name: 'athenaScannedBytes', value: scanned, unit: 'bytes' },
          { name: 'athenaResultPages', value: this.pages, unit: 'requests' },
        ],
      },
    };
  }

  /** Names the cause in the user's terms; the SDK has already retried what was retryable. */
  private explain(err: unknown, operation: string): Error {
    if (err instanceof SourceError) return err;
    const name = (err as { name?: string }).name ?? '';
    if (THROTTLING.has(name)) {
      return new SourceError(
        'malformed',
        `Athena throttled ${operation} (${name}${(err as { Reason?: string }).Reason ? `: ${(err as { Reason?: string }).Reason}` : ''}) and the retries were exhausted after ${this.src.maxAttempts ?? 5} attempts`,
        { remediation: 'Too many queries run at once in this account and Region; run the check later, or raise maxAttempts on the athena source.' },
      );
    }
    if (name === 'InvalidRequestException') {
      return new SourceError('malformed', `Athena refused ${operation}: ${(err as Error).message}`, {
        remediation: 'Check workGroup (it must exist and be enabled) and outputLocation (required unless the workgroup sets one).',
      });
    }
    if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException' || name === 'ExpiredTokenException') {
      return new SourceError('malformed', `Athena refused the credentials for ${operation}: ${describeError(err)}`, {
        remediation:
          'Grant athena:StartQueryExecution, GetQueryExecution, GetQueryResults and StopQueryExecution on the workgroup, glue:GetDatabase/GetTable/GetPartitions on the table, s3:GetObject/ListBucket on its data, and s3:PutObject/GetObject on the output location.',
      });
    }
    if (name === 'CredentialsProviderError') {
      return new SourceError('malformed', `no AWS credentials for Athena: ${describeError(err)}`, {
        remediation: 'Run with AWS credentials (AWS_PROFILE, environment variables, SSO or a role).',
      });
    }
    return new SourceError('malformed', `Athena ${operation}: ${describeError(err)}`);
  }

  close(): void {
    this.client?.destroy();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
