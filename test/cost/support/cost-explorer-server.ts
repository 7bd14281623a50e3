import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local Cost Explorer that speaks the JSON 1.1 protocol the real client uses
 * (POST /, X-Amz-Target: AWSInsightsIndexService.GetCostAndUsage), computes GetCostAndUsage over
 * daily line items (TimePeriod.End exclusive, RECORD_TYPE / LINKED_ACCOUNT filters, MONTHLY or
 * DAILY periods, grouping by one tag as "key$value"), splits the groups over pages of `pageSize`,
 * and answers scripted errors the way Cost Explorer does (HTTP 400 with a `__type`).
 */
export interface CeLineItem {
  day: string;
  /** Tag value; undefined is untagged. */
  tag?: string;
  /** Default Usage. */
  recordType?: string;
  account?: string;
  /** Decimal string. */
  amount: string;
  /** Default USD. */
  unit?: string;
}

export interface CeServerOptions {
  items: CeLineItem[];
  /** Groups per page (across periods). Default 1000. */
  pageSize?: number;
  /** Periods ending after this day (exclusive end > day) are marked Estimated. */
  estimatedAfter?: string;
  /** Errors to answer before (or instead of) results: one per request, in order; null answers normally. */
  script?: (CeError | null)[];
  /** Answer every request with this error. */
  always?: CeError;
  /** Only accept requests signed with this access key id (checks the Authorization header). */
  requireAccessKey?: string;
}

export type CeError = 'LimitExceededException' | 'ThrottlingException' | 'DataUnavailableException' | 'AccessDeniedException';

export interface CeRequest {
  target: string | undefined;
  body: Record<string, any>;
  accessKey: string | undefined;
}

interface Group {
  period: { Start: string; End: string };
  key: string;
  amount: bigint;
  unit: string;
}

const DEC = 10n ** 10n;
const toUnits = (s: string) => {
  const [int, frac = ''] = s.replace('-', '').split('.');
  const v = BigInt(int || '0') * DEC + BigInt((frac + '0000000000').slice(0, 10));
  return s.startsWith('-') ? -v : v;
};
const fromUnits = (v: bigint) => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / DEC}.${(a % DEC).toString().padStart(10, '0')}`;
};
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const nextMonth = (d: string) => {
  const [y, m] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};

function matches(filter: any, item: CeLineItem): boolean {
  if (!filter) return true;
  if (filter.And) return filter.And.every((f: any) => matches(f, item));
  if (filter.Or) return filter.Or.some((f: any) => matches(f, item));
  if (filter.Not) return !matches(filter.Not, item);
  if (filter.Dimensions) {
    const { Key, Values } = filter.Dimensions;
    const value = Key === 'RECORD_TYPE' ? item.recordType ?? 'Usage' : Key === 'LINKED_ACCOUNT' ? item.account ?? '111111111111' : undefined;
    if (value === undefined) throw new Error(`unsupported dimension ${Key}`);
    return Values.includes(value);
  }
  throw new Error(`unsupported filter ${JSON.stringify(filter)}`);
}

export async function startCostExplorer(opts: CeServerOptions) {
  const requests: CeRequest[] = [];
  let n = 0;
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': `req-${n}` });
    res.end(JSON.stringify(body));
  };
  // The answer to one query, computed once and then only sliced into pages: the real service's
  // work does not run on this machine, so the stand-in keeps its own share of the CPU small.
  const answers = new Map<string, { periods: { Start: string; End: string }[]; groups: Group[] }>();
  const grouped = (body: Record<string, any>, Start: string, End: string, tagKey: string, monthly: boolean) => {
    const key = JSON.stringify({ ...body, NextPageToken: undefined });
    const known = answers.get(key);
    if (known) return known;
    const periods: { Start: string; End: string }[] = [];
    for (let s = Start; s < End; ) {
      const e = monthly ? (nextMonth(s) < End ? nextMonth(s) : End) : nextDay(s);
      periods.push({ Start: s, End: e });
      s = e;
    }
    const groups: Group[] = [];
    for (const p of periods) {
      const byKey = new Map<string, Group>();
      for (const item of opts.items) {
        if (item.day < p.Start || item.day >= p.End || !matches(body.Filter, item)) continue;
        const key = `${tagKey}$${item.tag ?? ''}`;
        const g = byKey.get(key) ?? { period: p, key, amount: 0n, unit: item.unit ?? 'USD' };
        g.amount += toUnits(item.amount);
        byKey.set(key, g);
      }
      groups.push(...[...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
    }
    const answer = { periods, groups };
    answers.set(key, answer);
    return answer;
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const body = JSON.parse(raw || '{}');
    const auth = req.headers.authorization ?? '';
    const accessKey = /Credential=([^/]+)\//.exec(auth)?.[1];
    requests.push({ target: req.headers['x-amz-target'] as string | undefined, body, accessKey });
    const error = opts.always ?? opts.script?.[n];
    n++;
    if (req.headers['x-amz-target'] !== 'AWSInsightsIndexService.GetCostAndUsage' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return send(res, 400, { __type: 'UnknownOperationException', message: 'unexpected target or content type' });
    }
    if (opts.requireAccessKey && accessKey !== opts.requireAccessKey) {
      return send(res, 400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
    if (error) {
      const messages: Record<CeError, string> = {
        LimitExceededException: 'Rate exceeded',
        ThrottlingException: 'Rate exceeded',
        DataUnavailableException: 'Data is not available. Please try to adjust the time period. If just enabled Cost Explorer, data might not be ingested yet',
        AccessDeniedException: 'User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ce:GetCostAndUsage',
      };
      return send(res, 400, { __type: `com.amazon.awsinsightsindexservice#${error}`, Message: messages[error] });
    }
    const { Start, End } = body.TimePeriod;
    const metric = body.Metrics[0];
    const tagKey = body.GroupBy[0].Key;
    const monthly = body.Granularity === 'MONTHLY';
    const { periods, groups } = grouped(body, Start, End, tagKey, monthly);
    const offset = body.NextPageToken ? Number(Buffer.from(body.NextPageToken, 'base64').toString()) : 0;
    const size = opts.pageSize ?? 1000;
    const slice = groups.slice(offset, offset + size);
    const next = offset + size < groups.length ? Buffer.from(String(offset + size)).toString('base64') : undefined;
    const shown = periods.filter((p) => slice.some((g) => g.period === p) || (offset === 0 && !groups.some((g) => g.period === p)));
    return send(res, 200, {
      GroupDefinitions: [{ Type: 'TAG', Key: tagKey }],
      ResultsByTime: shown.map((p) => ({
        TimePeriod: p,
        Total: {},
        Groups: slice.filter((g) => g.period === p).map((g) => ({ Keys: [g.key], Metrics: { [metric]: { Amount: fromUnits(g.amount), Unit: g.unit } } })),
        Estimated: opts.estimatedAfter !== undefined && p.End > opts.estimatedAfter,
      })),
      DimensionValueAttributes: [],
      ...(next ? { NextPageToken: next } : {}),
    });
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    endpoint,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A local STS answering AssumeRole in the query protocol (XML), as the real service does. */
export async function startSts(opts: { accessKeyId: string; deny?: boolean }) {
  const calls: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const params = new URLSearchParams(raw);
      calls.push(params);
      res.setHeader('Content-Type', 'text/xml');
      if (opts.deny) {
        res.statusCode = 403;
        res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: ${params.get('RoleArn')}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`);
        return;
      }
      const expiration = new Date(Date.now() + 900_000).toISOString();
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${opts.accessKeyId}</AccessKeyId><SecretAccessKey>assumed-secret-key-value</SecretAccessKey><SessionToken>assumed-session-token-value</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:saas-readiness-cost</AssumedRoleId><Arn>${params.get('RoleArn')}/saas-readiness-cost</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
