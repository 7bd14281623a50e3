import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenLocal, sigV4Scope } from './aws-wire';

/**
 * A local AWS STS answering AssumeRole in the query protocol, as docs/contracts/sts.md describes
 * it (rule ids in the comments): parameters validated against the model's constraints, the trust
 * policy reduced to "who may assume, with which ExternalId", XML answers and errors.
 */
export interface StsRole {
  arn: string;
  /** The ExternalId the trust policy requires, if any. */
  externalId?: string;
  /** Access key ids allowed to assume the role. Default: any. */
  trustedAccessKeys?: string[];
  /** The role's maximum session duration in seconds (3600–43200). Default 3600. */
  maxSessionSeconds?: number;
}

export interface StsOptions {
  roles: StsRole[];
  /** Access key id handed out in the credentials. Default a fresh ASIA… id. */
  issueAccessKeyId?: string;
}

export interface StsStandIn {
  endpoint: string;
  /** Form parameters of every request. */
  calls: URLSearchParams[];
  /** Credentials issued, for assertions (and for the redaction checks: they must never be printed). */
  issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }[];
  stop(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>standin-${Date.now()}</RequestId></ErrorResponse>`,
  );
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The validation message AWS query services use for a parameter outside its constraints. */
const constraint = (value: string, field: string, rule: string) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`;

export async function startSts(opts: StsOptions): Promise<StsStandIn> {
  const calls: URLSearchParams[] = [];
  const issued: StsStandIn['issued'] = [];
  const server = await listenLocal((req, raw, res) => {
    const params = new URLSearchParams(raw.toString('utf8'));
    calls.push(params);
    const scope = sigV4Scope(req);
    // STS-1: POST form body, Action and Version.
    if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return sendError(res, 400, 'InvalidAction', 'Could not find operation');
    if (scope?.service !== 'sts') return sendError(res, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (params.get('Action') !== 'AssumeRole' || params.get('Version') !== '2011-06-15')
      return sendError(res, 400, 'InvalidAction', `Could not find operation ${params.get('Action')} for version ${params.get('Version')}`);
    const roleArn = params.get('RoleArn') ?? '';
    const session = params.get('RoleSessionName');
    const duration = params.get('DurationSeconds');
    const externalId = params.get('ExternalId');
    // STS-3..STS-6: the model's constraints.
    if (roleArn.length < 20 || roleArn.length > 2048)
      return sendError(res, 400, 'ValidationError', constraint(roleArn, 'roleArn', 'Member must have length greater than or equal to 20'));
    if (session === null) return sendError(res, 400, 'ValidationError', constraint('null', 'roleSessionName', 'Member must not be null'));
    if (session.length < 2 || session.length > 64 || !/^[\w+=,.@-]*$/.test(session)) {
      return sendError(res, 400, 'ValidationError', constraint(session, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'));
    }
    const seconds = duration === null ? 3600 : Number(duration);
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43200) {
      return sendError(res, 400, 'ValidationError', constraint(String(duration), 'durationSeconds', 'Member must have value greater than or equal to 900'));
    }
    if (externalId !== null && (externalId.length < 2 || externalId.length > 1224 || !/^[\w+=,.@:/-]*$/.test(externalId))) {
      return sendError(res, 400, 'ValidationError', constraint(externalId, 'externalId', 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*'));
    }
    // STS-8: the trust policy decides; a mismatch reads as AccessDenied, whatever the reason.
    const role = opts.roles.find((r) => r.arn === roleArn);
    const caller = `arn:aws:iam::111111111111:user/${scope.accessKeyId}`;
    const trusted =
      role &&
      (!role.trustedAccessKeys || role.trustedAccessKeys.includes(scope.accessKeyId)) &&
      (role.externalId === undefined || role.externalId === externalId);
    if (!trusted) return sendError(res, 403, 'AccessDenied', `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (seconds > (role.maxSessionSeconds ?? 3600)) {
      return sendError(res, 400, 'ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    // STS-7: the credentials, Expiration as an ISO 8601 timestamp.
    const creds = {
      accessKeyId: opts.issueAccessKeyId ?? `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: `standin-session-${randomBytes(24).toString('hex')}`,
      expiration: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    issued.push(creds);
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${creds.secretAccessKey}</SecretAccessKey><SessionToken>${creds.sessionToken}</SessionToken><Expiration>${creds.expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROASTANDIN:${session}</AssumedRoleId><Arn>${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>standin-${calls.length}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  });
  return { endpoint: server.endpoint, calls, issued, stop: server.stop };
}
