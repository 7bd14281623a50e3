import { createServer, request, type IncomingHttpHeaders } from 'node:http';

/**
 * What the stand-in adds to dynalite, from docs/contracts/dynamodb.md (rule ids in brackets).
 * Everything else is forwarded to dynalite, which validates and pages like the service.
 */
export interface DynamoStandInState {
  /** DescribeContinuousBackups answers point-in-time recovery ENABLED or DISABLED, TableNotFoundException for no table [D7, D9]. */
  pitr: boolean;
  /** DescribeTable answers carry an enabled StreamSpecification [D9]. */
  stream: boolean;
  /** Operations the caller's IAM policy does not allow: answered with AccessDeniedException [D7]. */
  deny?: string[];
  /** Answers the next `times` requests of `operation` with ProvisionedThroughputExceededException [D7]. */
  throttle?: { operation: string; times: number };
}

export const STANDIN_ACCOUNT = '123456789012';
export const STANDIN_PRINCIPAL = `arn:aws:sts::${STANDIN_ACCOUNT}:assumed-role/saas-readiness/standin`;

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

/**
 * dynalite implements neither DescribeContinuousBackups, streams, IAM nor throttling, and accepts a
 * Segment without TotalSegments and TotalSegments above 1,000,000. This stand-in
 * sits in front of it speaking the same JSON 1.0 protocol (`X-Amz-Target: DynamoDB_20120810.<Op>`):
 * it answers those itself, in the service's error shape (`__type`, `message`, HTTP 400), and
 * forwards everything else to dynalite unchanged.
 */
export async function startDynamoStandIn(dynalite: string, state: DynamoStandInState): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const forward = (path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const target = new URL(dynalite);
      const req = request({ host: target.hostname, port: target.port, path, method: 'POST', headers: { ...headers, host: target.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const op =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const json = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'standin' }).end(JSON.stringify(doc));
      };
      const input = (() => {
        try {
          return JSON.parse(body.toString('utf8')) as { TableName?: string; Segment?: number; TotalSegments?: number };
        } catch {
          return {};
        }
      })();
      const table = String(input.TableName ?? '');
      if (state.deny?.includes(op)) {
        const resource = table.startsWith('arn:') ? table : `arn:aws:dynamodb:us-east-1:${STANDIN_ACCOUNT}:table/${table}`;
        return json(400, {
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: `User: ${STANDIN_PRINCIPAL} is not authorized to perform: dynamodb:${op} on resource: ${resource} because no identity-based policy allows the dynamodb:${op} action`,
        });
      }
      if (state.throttle && state.throttle.operation === op && state.throttle.times > 0) {
        state.throttle.times--;
        return json(400, {
          __type: `${DYNAMODB}#ProvisionedThroughputExceededException`,
          message:
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        });
      }
      // dynalite accepts these two; the service does not [D3].
      if (op === 'Scan' && input.Segment !== undefined && input.TotalSegments === undefined) {
        return json(400, {
          __type: `${DYNAMODB}#ValidationException`,
          message: 'The TotalSegments parameter is required but was not present in the request when Segment parameter is present',
        });
      }
      if (op === 'Scan' && (input.TotalSegments ?? 0) > 1_000_000) {
        return json(400, {
          __type: `${DYNAMODB}#ValidationException`,
          message: `1 validation error detected: Value '${input.TotalSegments}' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000`,
        });
      }
      if (op === 'DescribeContinuousBackups') {
        const described = await forward('/', { ...req.headers, 'x-amz-target': 'DynamoDB_20120810.DescribeTable' }, body).catch(() => undefined);
        if (described?.status === 400 && described.body.includes('ResourceNotFoundException')) {
          return json(400, { __type: `${DYNAMODB}#TableNotFoundException`, message: `Table not found: ${table}` });
        }
        const now = Math.floor(Date.now() / 1000);
        return json(200, {
          ContinuousBackupsDescription: {
            ContinuousBackupsStatus: 'ENABLED',
            PointInTimeRecoveryDescription: state.pitr
              ? {
                  PointInTimeRecoveryStatus: 'ENABLED',
                  EarliestRestorableDateTime: now - 35 * 86400,
                  LatestRestorableDateTime: now - 300,
                  RecoveryPeriodInDays: 35,
                }
              : { PointInTimeRecoveryStatus: 'DISABLED' },
          },
        });
      }
      try {
        const out = await forward(req.url ?? '/', req.headers, body);
        if (op === 'DescribeTable' && out.status === 200 && state.stream) {
          const doc = JSON.parse(out.body.toString('utf8')) as { Table: Record<string, unknown> };
          doc.Table.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };
          doc.Table.LatestStreamArn = `${String(doc.Table.TableArn)}/stream/2026-01-01T00:00:00.000`;
          return json(200, doc);
        }
        res.writeHead(out.status, { 'content-type': String(out.headers['content-type'] ?? 'application/x-amz-json-1.0') }).end(out.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
