import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeError } from './errors';
import { registerSecret } from './redact';

/** `${secret:ARN}` or `${secret:ARN#jsonKey}`: a Secrets Manager value read at run time. */
const SECRET_REF = /^\$\{secret:([^}#]+)(?:#([^}]+))?\}$/;

export function isSecretRef(value: string): boolean {
  return SECRET_REF.test(value);
}

/** Resolves secret references at run time; values never leave this process unredacted. */
export interface SecretResolver {
  /** Returns the value itself, or the secret's value when `value` is a `${secret:…}` reference. */
  resolve(value: string): Promise<string>;
  /** The secret's value parsed as a JSON object (e.g. an RDS credentials secret). */
  json(secretId: string): Promise<Record<string, unknown>>;
}

export class SecretResolutionError extends Error {
  constructor(secretId: string, cause: string) {
    super(`cannot read secret ${secretId}: ${cause}`);
    this.name = 'SecretResolutionError';
  }
}

/** The Region field of a full secret ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<id>`). */
const ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:/;

/**
 * Reads secrets from AWS Secrets Manager (endpoint overridable with AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Secrets Manager is regional: a full ARN is asked in the Region it names, a name or partial ARN in
 * the SDK's Region (docs/contracts/secretsmanager.md, SM-4).
 */
export class SecretsManagerResolver implements SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly clients = new Map<string, SecretsManagerClient>();

  constructor(private readonly makeClient: (region?: string) => SecretsManagerClient = (region) => new SecretsManagerClient(region ? { region } : {})) {}

  async resolve(value: string): Promise<string> {
    const m = SECRET_REF.exec(value);
    if (!m) return value;
    const [, secretId, key] = m;
    if (!key) return this.raw(secretId);
    const doc = await this.json(secretId);
    const v = doc[key];
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new SecretResolutionError(secretId, `the secret has no string field '${key}'`);
    }
    registerSecret(String(v));
    return String(v);
  }

  async json(secretId: string): Promise<Record<string, unknown>> {
    const text = await this.raw(secretId);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new SecretResolutionError(secretId, 'the secret is not a JSON object');
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new SecretResolutionError(secretId, 'the secret is not a JSON object');
    }
    for (const v of Object.values(doc)) if (typeof v === 'string') registerSecret(v);
    return doc as Record<string, unknown>;
  }

  private raw(secretId: string): Promise<string> {
    let pending = this.cache.get(secretId);
    if (!pending) {
      pending = this.fetch(secretId);
      this.cache.set(secretId, pending);
      pending.catch(() => this.cache.delete(secretId));
    }
    return pending;
  }

  private async fetch(secretId: string): Promise<string> {
    const region = ARN_REGION.exec(secretId)?.[1];
    const client = this.clients.get(region ?? '') ?? this.makeClient(region);
    this.clients.set(region ?? '', client);
    let out;
    try {
      out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (err) {
      // One line: the SDK's deserialization errors append a second line about a hidden field.
      throw new SecretResolutionError(secretId, describeError(err).split('\n')[0]);
    }
    if (typeof out.SecretString !== 'string') {
      throw new SecretResolutionError(secretId, withoutSecretString(out));
    }
    registerSecret(out.SecretString);
    return out.SecretString;
  }
}

/** Why a GetSecretValue answer has no usable SecretString: a binary secret, or a malformed answer. */
function withoutSecretString(out: { SecretString?: unknown; SecretBinary?: unknown }): string {
  if (out.SecretString === undefined || out.SecretString === null) {
    if (out.SecretBinary !== undefined && out.SecretBinary !== null) return 'it is a binary secret (SecretBinary); store the value as SecretString';
    return 'malformed GetSecretValue response from Secrets Manager: it has neither SecretString nor SecretBinary';
  }
  const type = Array.isArray(out.SecretString) ? 'a list' : typeof out.SecretString === 'object' ? 'an object' : `a ${typeof out.SecretString}`;
  return `malformed GetSecretValue response from Secrets Manager: SecretString is ${type}, not a string`;
}
