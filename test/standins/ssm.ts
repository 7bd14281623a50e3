import { startLocalServer, type LocalServer } from './local-server';

/**
 * A Parameter Store stand-in speaking GetParameter exactly as docs/contracts/ssm.md writes it down
 * (rules 1–6): AWS JSON 1.1 with `X-Amz-Target: AmazonSSM.GetParameter`, names or ARNs with an
 * optional `:version` selector, SecureString decrypted only with `WithDecryption: true`, errors as
 * `{"__type", "message"}`. Anything else is answered as the service would refuse it.
 */
export interface StoredParameter {
  type: 'String' | 'StringList' | 'SecureString';
  /** Values by version, oldest first (version 1 is the first). */
  versions: string[];
}

export interface SsmStandin extends LocalServer {
  parameters: Map<string, StoredParameter>;
  /** Replaces the next answers with this raw body (for malformed-answer tests). */
  answerWith?: { status: number; body: string };
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const JSON11 = 'application/x-amz-json-1.1';

export async function startSsmStandin(parameters: Record<string, StoredParameter> = {}): Promise<SsmStandin> {
  const state = { parameters: new Map(Object.entries(parameters)) } as SsmStandin;
  const server = await startLocalServer((req, res) => {
    const error = (status: number, type: string, message: string) =>
      void res.writeHead(status, { 'content-type': JSON11 }).end(JSON.stringify({ __type: type, message }));
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || req.headers['content-type'] !== JSON11) {
      return error(400, 'UnknownOperationException', `unexpected ${req.method} ${req.headers['x-amz-target']} ${req.headers['content-type']}`);
    }
    if (state.answerWith) return void res.writeHead(state.answerWith.status, { 'content-type': JSON11 }).end(state.answerWith.body);
    let body: { Name?: unknown; WithDecryption?: unknown };
    try {
      body = JSON.parse(req.body);
    } catch {
      return error(400, 'SerializationException', 'body is not JSON');
    }
    if (typeof body.Name !== 'string' || body.Name.length < 1 || body.Name.length > 2048)
      return error(400, 'ValidationException', 'Name must be 1 to 2048 characters');
    // An ARN names the parameter without the leading slash of a hierarchical name.
    const arnPrefix = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/`;
    let name = body.Name.startsWith(arnPrefix) ? body.Name.slice(arnPrefix.length) : body.Name;
    let version: number | undefined;
    const selector = /^(.*):(\d+)$/.exec(name);
    if (selector) {
      name = selector[1];
      version = Number(selector[2]);
    }
    if (body.Name.startsWith(arnPrefix) && !state.parameters.has(name)) name = `/${name}`;
    const stored = state.parameters.get(name);
    if (!stored) return error(400, 'ParameterNotFound', '');
    const v = version ?? stored.versions.length;
    const value = stored.versions[v - 1];
    if (value === undefined)
      return error(400, 'ParameterVersionNotFound', `Systems Manager could not find version ${v} of ${name}. Verify the version and try again.`);
    const encrypted = stored.type === 'SecureString' && body.WithDecryption !== true;
    return void res.writeHead(200, { 'content-type': JSON11 }).end(
      JSON.stringify({
        Parameter: {
          ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`,
          DataType: 'text',
          LastModifiedDate: 1_764_000_000.123,
          Name: name,
          ...(selector ? { Selector: `:${v}` } : {}),
          Type: stored.type,
          Value: encrypted ? Buffer.from(`kms-ciphertext:${value}`).toString('base64') : value,
          Version: v,
        },
      }),
    );
  });
  return Object.assign(state, server);
}
