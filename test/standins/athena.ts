import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { listenLocal, sigV4Scope } from './aws-wire';

/**
 * A local Amazon Athena speaking AWS JSON 1.1 (docs/contracts/athena.md, rule ids in the comments)
 * that runs each query on DuckDB over real Parquet files: tables are views over an export's
 * `data/BILLING_PERIOD=YYYY-MM/` files, with `billing_period` from the partition, as the tables
 * AWS's export setup creates. Queries go QUEUED → RUNNING → SUCCEEDED/FAILED over the polls.
 */
export interface StandInTable {
  database: string;
  table: string;
  /** Parquet files or globs, under `…/BILLING_PERIOD=YYYY-MM/` folders. */
  files: string[];
}

export interface AthenaStandInOptions {
  tables: StandInTable[];
  /** Workgroups and their result location (AT-3). Default: `primary` without one. */
  workGroups?: { name: string; outputLocation?: string }[];
  /** GetQueryExecution answers QUEUED this many times, then RUNNING this many, before the final state. Default 1 and 1. */
  queuedPolls?: number;
  runningPolls?: number;
  /** The first N StartQueryExecution requests are throttled (AT-11). */
  throttleStarts?: number;
  /** Every query fails with this instead of running (AT-6). */
  failWith?: { reason: string; category: 1 | 2 | 3; type: number };
  /** Queries never leave RUNNING (for deadline tests). */
  neverFinish?: boolean;
}

interface Execution {
  id: string;
  query: string;
  workGroup: string;
  polls: number;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  done?: Promise<void>;
  result?: { names: string[]; types: string[]; rows: (string | null)[][] };
  error?: string;
  scanned: number;
  submitted: number;
}

export interface AthenaStandIn {
  endpoint: string;
  /** `X-Amz-Target` operation and body of every request. */
  requests: { operation: string; body: Record<string, unknown> }[];
  executions: Map<string, Execution>;
  stop(): Promise<void>;
}

const JSON_11 = 'application/x-amz-json-1.1';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

/** AT-1, AT-10, AT-11: `{__type, Message}` plus the error's own members. */
function fail(res: ServerResponse, type: string, message: string, extra: Record<string, unknown> = {}): void {
  send(res, type === 'InternalServerException' ? 500 : 400, { __type: `com.amazonaws.athena#${type}`, Message: message, ...extra });
}

/** DuckDB's column type as Athena's ColumnInfo names it (AT-8). */
function columnInfo(name: string, duckType: string) {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckType);
  const type = decimal
    ? 'decimal'
    : ((
        {
          VARCHAR: 'varchar',
          BIGINT: 'bigint',
          INTEGER: 'integer',
          DATE: 'date',
          DOUBLE: 'double',
          BOOLEAN: 'boolean',
          TIMESTAMP: 'timestamp',
          HUGEINT: 'bigint',
        } as Record<string, string>
      )[duckType] ?? 'varchar');
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: name,
    Label: name,
    Type: type,
    Precision: decimal ? Number(decimal[1]) : 0,
    Scale: decimal ? Number(decimal[2]) : 0,
    Nullable: 'UNKNOWN',
    CaseSensitive: type === 'varchar',
  };
}

export async function startAthena(opts: AthenaStandInOptions): Promise<AthenaStandIn> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con: DuckDBConnection = await db.connect();
  for (const t of opts.tables) {
    await con.run(`CREATE SCHEMA IF NOT EXISTS "${t.database}"`);
    // hive_types_autocast off: billing_period stays the string the partition folder names ('2026-10').
    await con.run(
      `CREATE OR REPLACE VIEW "${t.database}"."${t.table}" AS SELECT * FROM read_parquet([${t.files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`,
    );
  }
  const workGroups = new Map((opts.workGroups ?? [{ name: 'primary' }]).map((w) => [w.name, w]));
  const executions = new Map<string, Execution>();
  const requests: AthenaStandIn['requests'] = [];
  const tokens = new Map<string, string>();
  let throttled = 0;

  /** Bytes of the column chunks a query reads: the columns it names, in the partitions it names (an estimate of Athena's scan, AT-12). */
  async function scannedBytes(query: string, table: StandInTable): Promise<number> {
    const meta = await con.runAndReadAll(
      `SELECT file_name, path_in_schema, total_compressed_size FROM parquet_metadata([${table.files.map((f) => `'${f}'`).join(', ')}])`,
    );
    const text = query.toLowerCase();
    const periods = [...text.matchAll(/'(\d{4}-\d{2})'/g)].map((m) => m[1]);
    let bytes = 0;
    for (const [file, path, size] of meta.getRowsJS() as [string, string, bigint][]) {
      const column = String(path).split(',')[0].trim().toLowerCase();
      const period = /BILLING_PERIOD=(\d{4}-\d{2})/.exec(file)?.[1];
      if (periods.length && period && !periods.includes(period)) continue;
      if (new RegExp(`\\b${column.replace(/[^a-z0-9_]/g, '')}\\b`).test(text)) bytes += Number(size);
    }
    return bytes;
  }

  function run(e: Execution): void {
    e.done = (async () => {
      if (opts.failWith) {
        e.error = opts.failWith.reason;
        return;
      }
      try {
        const reader = await con.runAndReadAll(e.query);
        e.result = {
          names: reader.columnNames(),
          types: reader.columnTypes().map(String),
          rows: (reader.getRowsJson() as unknown[][]).map((r) => r.map((v) => (v === null ? null : String(v)))),
        };
        const table = opts.tables.find((t) => e.query.includes(`"${t.database}"."${t.table}"`));
        e.scanned = table ? await scannedBytes(e.query, table) : 0;
      } catch (err) {
        e.error = (err as Error).message.split('\n')[0];
      }
    })();
  }

  const server = await listenLocal(async (req, raw, res) => {
    const scope = sigV4Scope(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: Record<string, unknown> = {};
    try {
      body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return fail(res, 'InvalidRequestException', 'Could not parse the request body');
    }
    const operation = target.replace(/^AmazonAthena\./, '');
    requests.push({ operation, body });
    // AT-1: AWS JSON 1.1, target prefix AmazonAthena, SigV4 for athena.
    if (scope?.service !== 'athena') return fail(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (!target.startsWith('AmazonAthena.') || !String(req.headers['content-type']).startsWith(JSON_11))
      return fail(res, 'InvalidRequestException', `unknown operation ${target}`);

    if (operation === 'StartQueryExecution') {
      // AT-11: throttling before anything else.
      if (throttled < (opts.throttleStarts ?? 0)) {
        throttled++;
        return fail(res, 'TooManyRequestsException', 'Rate exceeded', { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
      }
      const query = body.QueryString;
      // AT-2: QueryString 1..262144, ClientRequestToken 32..128.
      if (typeof query !== 'string' || query.length < 1 || query.length > 262144)
        return fail(res, 'InvalidRequestException', 'QueryString must be 1 to 262144 characters', { AthenaErrorCode: 'INVALID_INPUT' });
      const token = body.ClientRequestToken;
      if (token !== undefined && (typeof token !== 'string' || token.length < 32 || token.length > 128))
        return fail(res, 'InvalidRequestException', 'ClientRequestToken must be 32 to 128 characters', { AthenaErrorCode: 'INVALID_INPUT' });
      if (typeof token === 'string' && tokens.has(token)) return send(res, 200, { QueryExecutionId: tokens.get(token) });
      const workGroup = typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary';
      const wg = workGroups.get(workGroup);
      if (!wg) return fail(res, 'InvalidRequestException', `WorkGroup ${workGroup} is not found.`, { AthenaErrorCode: 'INVALID_INPUT' });
      // AT-3: a result location from the request or the workgroup.
      const output = (body.ResultConfiguration as { OutputLocation?: unknown } | undefined)?.OutputLocation ?? wg.outputLocation;
      if (typeof output !== 'string' || !output.startsWith('s3://')) {
        return fail(
          res,
          'InvalidRequestException',
          'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
          { AthenaErrorCode: 'INVALID_INPUT' },
        );
      }
      const e: Execution = { id: randomUUID(), query, workGroup, polls: 0, state: 'QUEUED', scanned: 0, submitted: Date.now() };
      executions.set(e.id, e);
      if (typeof token === 'string') tokens.set(token, e.id);
      run(e);
      return send(res, 200, { QueryExecutionId: e.id });
    }

    const id = body.QueryExecutionId;
    const e = typeof id === 'string' ? executions.get(id) : undefined;
    if (!e) return fail(res, 'InvalidRequestException', `QueryExecution ${String(id)} was not found`, { AthenaErrorCode: 'INVALID_INPUT' });

    if (operation === 'GetQueryExecution') {
      // AT-4, AT-5: QUEUED and RUNNING for the configured polls, then the engine's outcome.
      e.polls++;
      if (e.state !== 'CANCELLED') {
        const queued = opts.queuedPolls ?? 1;
        const running = opts.runningPolls ?? 1;
        if (e.polls <= queued) e.state = 'QUEUED';
        else if (e.polls <= queued + running || opts.neverFinish) e.state = 'RUNNING';
        else {
          await e.done;
          e.state = e.error ? 'FAILED' : 'SUCCEEDED';
        }
      }
      const final = e.state === 'SUCCEEDED' || e.state === 'FAILED' || e.state === 'CANCELLED';
      return send(res, 200, {
        QueryExecution: {
          QueryExecutionId: e.id,
          Query: e.query,
          StatementType: 'DML',
          WorkGroup: e.workGroup,
          Status: {
            State: e.state,
            SubmissionDateTime: e.submitted / 1000,
            ...(final ? { CompletionDateTime: Date.now() / 1000 } : {}),
            // AT-6: the reason and the standardized error of a failed query.
            ...(e.state === 'FAILED'
              ? {
                  StateChangeReason: e.error,
                  AthenaError: { ErrorCategory: opts.failWith?.category ?? 2, ErrorType: opts.failWith?.type ?? 1301, Retryable: false, ErrorMessage: e.error },
                }
              : {}),
          },
          // AT-12: what the query scanned (failed queries scan nothing billable).
          Statistics: { EngineExecutionTimeInMillis: 5, DataScannedInBytes: e.state === 'SUCCEEDED' ? e.scanned : 0, TotalExecutionTimeInMillis: 10 },
        },
      });
    }

    if (operation === 'StopQueryExecution') {
      // AT-9
      if (e.state === 'QUEUED' || e.state === 'RUNNING') e.state = 'CANCELLED';
      return send(res, 200, {});
    }

    if (operation === 'GetQueryResults') {
      // AT-7: only a finished query has results; MaxResults 1..1000; NextToken while rows remain.
      if (e.state !== 'SUCCEEDED')
        return fail(res, 'InvalidRequestException', `Query has not yet finished. Current state: ${e.state}`, { AthenaErrorCode: 'INVALID_INPUT' });
      const max = body.MaxResults ?? 1000;
      if (typeof max !== 'number' || max < 1 || max > 1000) {
        return fail(
          res,
          'InvalidRequestException',
          `1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
        );
      }
      const r = e.result!;
      // AT-8: the header is the first row of the first page.
      const all = [r.names, ...r.rows];
      const start = typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64').toString('utf8')) : 0;
      const slice = all.slice(start, start + max);
      const next = start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
      return send(res, 200, {
        UpdateCount: 0,
        ResultSet: {
          Rows: slice.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: { ColumnInfo: r.names.map((n, i) => columnInfo(n, r.types[i])) },
        },
        ...(next ? { NextToken: next } : {}),
      });
    }
    return fail(res, 'InvalidRequestException', `operation ${operation} is not served by this stand-in`);
  });

  return {
    endpoint: server.endpoint,
    requests,
    executions,
    stop: async () => {
      await server.stop();
      await Promise.allSettled([...executions.values()].map((e) => e.done));
      con.closeSync();
      db.closeSync();
    },
  };
}
