import { listenLocal, sendAwsJsonError, sigV4Scope } from './aws-wire';

/**
 * A local AWS Secrets Manager answering GetSecretValue as docs/contracts/secretsmanager.md
 * describes it (rule ids in the comments): regional (a secret is found only through its own
 * Region), by ARN, partial ARN or name, SecretString or SecretBinary, and the modeled errors.
 */
export interface StandInSecret {
  /** Full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>. See {@link secretArn}. */
  arn: string;
  value: string | Uint8Array;
  /** Scheduled for deletion: InvalidRequestException. */
  deleted?: boolean;
  /** Its KMS key cannot decrypt it: DecryptionFailure. */
  undecryptable?: boolean;
}

export interface SecretsManagerStandIn {
  endpoint: string;
  /** `<target> <SecretId>` of every request. */
  requests: string[];
  /** Region each request was signed for. */
  regions: string[];
  stop(): Promise<void>;
}

const JSON11 = 'application/x-amz-json-1.1';
const ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)-([A-Za-z0-9]{6})$/;

/** The ARN Secrets Manager gives a secret named `name` (SM-3: the name, `-` and six random characters). */
export function secretArn(name: string, opts: { region?: string; account?: string; suffix?: string } = {}): string {
  return `arn:aws:secretsmanager:${opts.region ?? 'us-east-1'}:${opts.account ?? '123456789012'}:secret:${name}-${opts.suffix ?? 'AbCdEf'}`;
}

export async function startSecretsManager(secrets: StandInSecret[]): Promise<SecretsManagerStandIn> {
  const requests: string[] = [];
  const regions: string[] = [];
  const parsed = secrets.map((s) => {
    const m = ARN.exec(s.arn);
    if (!m) throw new Error(`stand-in secret ARN is malformed: ${s.arn}`);
    return { ...s, region: m[1], account: m[2], name: m[3] };
  });
  const server = await listenLocal((req, raw, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const scope = sigV4Scope(req);
    let input: { SecretId?: unknown; VersionStage?: unknown; VersionId?: unknown } = {};
    try {
      input = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return sendAwsJsonError(res, JSON11, 400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    requests.push(`${target} ${String(input.SecretId)}`);
    regions.push(scope?.region ?? '');
    // SM-1: JSON 1.1, signed for secretsmanager.
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue' || req.headers['content-type'] !== JSON11) {
      return sendAwsJsonError(res, JSON11, 400, 'UnknownOperationException', `unknown operation ${target}`);
    }
    if (scope?.service !== 'secretsmanager') return sendAwsJsonError(res, JSON11, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const id = input.SecretId;
    // SM-2: 1–2048 characters.
    if (typeof id !== 'string' || id.length < 1 || id.length > 2048) {
      return sendAwsJsonError(
        res,
        JSON11,
        400,
        'ValidationException',
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    // SM-4: only the secrets of the Region the request was sent to; SM-2: ARN, partial ARN or name.
    const secret = parsed.find((s) => s.region === scope.region && (s.arn === id || s.arn.slice(0, -7) === id || s.name === id));
    if (!secret) return sendAwsJsonError(res, JSON11, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    // SM-5: only AWSCURRENT exists here.
    if ((input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') || input.VersionId !== undefined) {
      return sendAwsJsonError(
        res,
        JSON11,
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for staging label or version.",
      );
    }
    // SM-7
    if (secret.deleted)
      return sendAwsJsonError(
        res,
        JSON11,
        400,
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    if (secret.undecryptable)
      return sendAwsJsonError(res, JSON11, 400, 'DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    // SM-6: SecretString or SecretBinary (base64 in JSON), never both.
    const value = typeof secret.value === 'string' ? { SecretString: secret.value } : { SecretBinary: Buffer.from(secret.value).toString('base64') };
    res.writeHead(200, { 'content-type': JSON11 });
    res.end(
      JSON.stringify({
        ARN: secret.arn,
        Name: secret.name,
        VersionId: '00000000-0000-4000-8000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000.123,
        ...value,
      }),
    );
  });
  return { endpoint: server.endpoint, requests, regions, stop: server.stop };
}
