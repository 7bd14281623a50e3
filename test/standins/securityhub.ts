/**
 * A local AWS Security Hub for BatchImportFindings and GetFindings, speaking the REST-JSON
 * protocol `@aws-sdk/client-securityhub` uses (POST /findings/import, POST /findings; errors as
 * HTTP status + `x-amzn-ErrorType`). It enforces what docs/contracts/security-hub.md lists: the
 * required ASFF attributes and their documented constraints, the custom-integration product ARN
 * of the calling account, 100 findings and 6 MB per request, 240 KB per finding, update in place
 * by Id + ProductArn, and that an import never changes a finding's Workflow.
 */
import type { ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server';

type Finding = Record<string, unknown> & { Id?: unknown; ProductArn?: unknown };

export interface SecurityHubStandIn {
  endpoint: string;
  /** Findings held, keyed by `ProductArn Id`. */
  findings: Map<string, Finding>;
  /** Number of BatchImportFindings requests answered. */
  importRequests: number;
  server: LocalServer;
  close(): Promise<void>;
}

const REQUIRED = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;
const NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function error(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Code: type, Message: message }));
}

const str = (v: unknown, min: number, max: number) => typeof v === 'string' && [...v].length >= min && [...v].length <= max;

/** Why Security Hub would refuse this finding, or undefined. */
export function findingProblem(f: Finding, account: string, region: string): string | undefined {
  const size = Buffer.byteLength(JSON.stringify(f));
  if (size > 240 * 1024) return `finding is ${size} bytes; the maximum is 240 KB`;
  for (const key of REQUIRED) if (f[key] === undefined || f[key] === null || f[key] === '') return `missing required attribute ${key}`;
  if (f.SchemaVersion !== '2018-10-08') return `SchemaVersion must be 2018-10-08`;
  if (!str(f.Id, 1, 512)) return 'Id must be 1 to 512 characters';
  if (!str(f.GeneratorId, 1, 512)) return 'GeneratorId must be 1 to 512 characters';
  if (!str(f.Title, 1, 256)) return 'Title must be 1 to 256 characters';
  if (!str(f.Description, 1, 1024)) return 'Description must be 1 to 1024 characters';
  if (f.AwsAccountId !== account) return `AwsAccountId ${String(f.AwsAccountId)} is not the calling account ${account}`;
  const productArn = `arn:aws:securityhub:${region}:${account}:product/${account}/default`;
  if (f.ProductArn !== productArn) return `ProductArn ${String(f.ProductArn)} is not this account's custom product ${productArn}`;
  for (const key of ['CreatedAt', 'UpdatedAt'] as const)
    if (typeof f[key] !== 'string' || !ISO_8601.test(f[key] as string)) return `${key} is not an ISO 8601 timestamp`;
  const types = f.Types as unknown;
  if (!Array.isArray(types) || types.length < 1 || types.length > 50) return 'Types must hold 1 to 50 entries';
  for (const t of types) {
    const parts = typeof t === 'string' ? t.split('/') : [];
    if (parts.length < 1 || parts.length > 3 || !NAMESPACES.includes(parts[0]))
      return `Types entry '${String(t)}' is not namespace/category/classifier with a valid namespace`;
  }
  const severity = f.Severity as { Label?: unknown; Normalized?: unknown } | undefined;
  if (!severity || (severity.Label === undefined && severity.Normalized === undefined)) return 'Severity needs Label (or Normalized)';
  if (severity.Label !== undefined && !['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(severity.Label as string))
    return `Severity.Label ${String(severity.Label)} is not valid`;
  const resources = f.Resources as { Type?: unknown; Id?: unknown }[];
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32) return 'Resources must hold 1 to 32 resources';
  for (const r of resources) if (!str(r.Type, 1, 256) || !str(r.Id, 1, 512)) return 'every resource needs Type and Id';
  const compliance = f.Compliance as { Status?: unknown } | undefined;
  if (compliance?.Status !== undefined && !['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'].includes(compliance.Status as string))
    return `Compliance.Status ${String(compliance.Status)} is not valid`;
  if (f.RecordState !== undefined && !['ACTIVE', 'ARCHIVED'].includes(f.RecordState as string)) return `RecordState ${String(f.RecordState)} is not valid`;
  return undefined;
}

export async function startSecurityHub(opts: { account?: string; region?: string } = {}): Promise<SecurityHubStandIn> {
  const account = opts.account ?? '123456789012';
  const region = opts.region ?? 'eu-west-1';
  const findings = new Map<string, Finding>();
  const state = { importRequests: 0 };
  const server = await startLocalServer(({ method, url, headers, body }, res) => {
    // SigV4 as the SDK signs it: the credential scope names the region and the service.
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(headers.authorization ?? ''));
    if (scope?.[2] !== 'securityhub' || scope[1] !== region)
      return error(res, 403, 'AccessDeniedException', 'request not signed for securityhub in this region');
    if (method !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/json'))
      return error(res, 404, 'ResourceNotFoundException', `${method} ${url.pathname} is not served`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body || '{}');
    } catch {
      return error(res, 400, 'InvalidInputException', 'body is not JSON');
    }
    if (url.pathname === '/findings/import') {
      state.importRequests++;
      const batch = input.Findings;
      if (!Array.isArray(batch)) return error(res, 400, 'InvalidInputException', 'Findings is required');
      if (batch.length > 100) return error(res, 400, 'InvalidInputException', `${batch.length} findings in one request; the maximum is 100`);
      if (Buffer.byteLength(body) > 6 * 1024 * 1024) return error(res, 400, 'InvalidInputException', 'request larger than 6 MB');
      const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
      for (const f of batch as Finding[]) {
        const problem = findingProblem(f, account, region);
        if (problem) {
          failed.push({ Id: String(f.Id ?? ''), ErrorCode: 'InvalidInput', ErrorMessage: problem });
          continue;
        }
        const key = `${String(f.ProductArn)} ${String(f.Id)}`;
        const before = findings.get(key);
        // An import creates or replaces the finding with this Id and ProductArn; Workflow belongs to
        // the customer (BatchUpdateFindings) and is kept.
        const { Workflow: _ignored, ...rest } = f;
        findings.set(key, { ...rest, ...(before ? { Workflow: before.Workflow } : { Workflow: f.Workflow ?? { Status: 'NEW' } }) });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ FailedCount: failed.length, SuccessCount: batch.length - failed.length, FailedFindings: failed }));
    }
    if (url.pathname === '/findings') {
      const filters = (input.Filters ?? {}) as Record<string, { Value: string; Comparison: string }[]>;
      for (const [key, list] of Object.entries(filters)) {
        if (!['ProductArn', 'GeneratorId', 'Id', 'RecordState'].includes(key) || list.some((x) => x.Comparison !== 'EQUALS')) {
          return error(res, 400, 'InvalidInputException', `the stand-in serves EQUALS filters on ProductArn, GeneratorId, Id, RecordState only (got ${key})`);
        }
      }
      const max = (input.MaxResults as number | undefined) ?? 100;
      if (max < 1 || max > 100) return error(res, 400, 'InvalidInputException', 'MaxResults must be 1 to 100');
      const matching = [...findings.values()].filter((f) =>
        Object.entries(filters).every(([key, list]) =>
          list.some((x) => f[key] === x.Value || (key === 'RecordState' && (f.RecordState ?? 'ACTIVE') === x.Value)),
        ),
      );
      const start = Number(input.NextToken ?? 0);
      const page = matching.slice(start, start + max);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ Findings: page, ...(start + max < matching.length ? { NextToken: String(start + max) } : {}) }));
    }
    return error(res, 404, 'ResourceNotFoundException', `${url.pathname} is not served`);
  });
  return {
    endpoint: server.url,
    findings,
    get importRequests() {
      return state.importRequests;
    },
    server,
    close: () => server.close(),
  };
}

/**
 * A local STS answering GetCallerIdentity in the query protocol (XML), as the real service does:
 * how the CLI learns the account whose Security Hub it publishes to.
 */
export async function startCallerIdentity(account = '123456789012'): Promise<LocalServer> {
  return startLocalServer(({ body }, res) => {
    if (!new URLSearchParams(body).get('Action')?.startsWith('GetCallerIdentity')) {
      res.writeHead(400, { 'content-type': 'text/xml' });
      return res.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only GetCallerIdentity</Message></Error></ErrorResponse>');
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    return res.end(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/ci</Arn><UserId>AIDATEST</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });
}
