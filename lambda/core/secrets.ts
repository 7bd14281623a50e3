import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from './errors';
import { registerSecret } from './redact';
import { isSecretRef, RUNTIME_REF, SECRET_REF, SSM_PARAMETER, SSM_REF } from './references';

// The clients load on the first reference resolved: a config without one (and `validate`) loads no SDK.
const secretsManager = (): typeof import('@aws-sdk/client-secrets-manager') => require('@aws-sdk/client-secrets-manager');
const parameterStore = (): typeof import('@aws-sdk/client-ssm') => require('@aws-sdk/client-ssm');

export { isSecretRef } from './references';

/** Resolves secret references at run time; values never leave this process unredacted. */
export interface SecretResolver {
  /**
   * Returns the value itself, or with every `${secret:…}` / `${ssm:…}` reference in it replaced by
   * the value read at run time (every such value is registered for redaction).
   */
  resolve(value: string): Promise<string>;
  /** The secret's value parsed as a JSON object (e.g. an RDS credentials secret). */
  json(secretId: string): Promise<Record<string, unknown>>;
}

export class SecretResolutionError extends Error {
  constructor(id: string, cause: string, what: 'secret' | 'parameter' = 'secret') {
    super(`cannot read ${what} ${id}: ${cause}`);
    this.name = 'SecretResolutionError';
  }
}

/** The Region field of a full secret ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<id>`). */
const ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:/;

/**
 * The resolver the CLI and the deployed functions use: `${secret:…}` from Secrets Manager,
 * `${ssm:…}` from Parameter Store, whole or embedded in a longer value. Each backend caches what
 * it read for the life of the resolver (one run in the CLI, one warm function in Lambda).
 */
export class RuntimeSecretResolver implements SecretResolver {
  constructor(
    private readonly secretsManager: SecretResolver = new SecretsManagerResolver(),
    private readonly parameterStore: ParameterStoreResolver = new ParameterStoreResolver(),
  ) {}

  async resolve(value: string): Promise<string> {
    if (!value.includes('${')) return value;
    let out = '';
    let last = 0;
    for (const m of value.matchAll(RUNTIME_REF)) {
      const ref = m[0];
      out += value.slice(last, m.index) + (await (ref.startsWith('${ssm:') ? this.parameterStore.resolve(ref) : this.secretsManager.resolve(ref)));
      last = m.index + ref.length;
    }
    return out + value.slice(last);
  }

  json(secretId: string): Promise<Record<string, unknown>> {
    return this.secretsManager.json(secretId);
  }
}

/**
 * Reads `${ssm:…}` references from AWS Systems Manager Parameter Store with GetParameter
 * (`WithDecryption: true`, so SecureString values arrive decrypted; endpoint overridable with
 * AWS_ENDPOINT_URL_SSM). The contract relied on is in docs/contracts/ssm.md.
 */
export class ParameterStoreResolver {
  private readonly cache = new Map<string, Promise<string>>();
  private client?: SSMClient;

  constructor(private readonly makeClient: () => SSMClient = () => new (parameterStore().SSMClient)({})) {}

  resolve(value: string): Promise<string> {
    const m = SSM_REF.exec(value);
    if (!m) return Promise.resolve(value);
    const name = m[1];
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.fetch(name);
      this.cache.set(name, pending);
      pending.catch(() => this.cache.delete(name));
    }
    return pending;
  }

  private async fetch(name: string): Promise<string> {
    if (!SSM_PARAMETER.test(name))
      throw new SecretResolutionError(name, 'not a parameter name (letters, digits and _.-/, optionally :version or :label) or a parameter ARN', 'parameter');
    this.client ??= this.makeClient();
    let out;
    try {
      out = await this.client.send(new (parameterStore().GetParameterCommand)({ Name: name, WithDecryption: true }));
    } catch (err) {
      throw new SecretResolutionError(name, describeError(err).split('\n')[0], 'parameter');
    }
    const value = (out as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    if (typeof value !== 'string') {
      const why =
        out.Parameter === undefined || out.Parameter === null
          ? 'it has no Parameter'
          : `Parameter.Value is ${value === undefined || value === null ? 'missing' : `a ${Array.isArray(value) ? 'list' : typeof value}`}, not a string`;
      throw new SecretResolutionError(name, `malformed GetParameter response from Parameter Store: ${why}`, 'parameter');
    }
    // Every value read from Parameter Store is treated as a secret, String and SecureString alike.
    registerSecret(value);
    return value;
  }
}

/**
 * Reads secrets from AWS Secrets Manager (endpoint overridable with AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Secrets Manager is regional: a full ARN is asked in the Region it names, a name or partial ARN in
 * the SDK's Region (docs/contracts/secretsmanager.md, SM-4).
 */
export class SecretsManagerResolver implements SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly clients = new Map<string, SecretsManagerClient>();

  constructor(
    private readonly makeClient: (region?: string) => SecretsManagerClient = (region) => new (secretsManager().SecretsManagerClient)(region ? { region } : {}),
  ) {}

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
      out = await client.send(new (secretsManager().GetSecretValueCommand)({ SecretId: secretId }));
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

/**
 * A credential as written in a source (a plain value from `${env:…}`, or a `${secret:…}` / `${ssm:…}`
 * reference resolved now), registered for redaction.
 */
export async function resolveCredential(value: string, secrets: SecretResolver): Promise<string> {
  const resolved = value && isSecretRef(value) ? await secrets.resolve(value) : value;
  registerSecret(resolved);
  return resolved;
}
