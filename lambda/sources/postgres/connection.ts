import { Client, type ClientConfig } from 'pg';
import { rootCertificates } from 'node:tls';
import { describeError } from '../../core/errors';
import { readTextFile } from '../../core/files';
import { redact, registerSecret } from '../../core/redact';
import type { SecretResolver } from '../../core/secrets';

export { postgresSourceSchema, type PostgresSourceConfig } from './schema';
import type { PostgresSourceConfig } from './schema';

/** Query parameters through which a pg connection string sets TLS (pg-connection-string). */
const URL_TLS_PARAMS = ['ssl', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat', 'sslnegotiation'];

/** Where a connection goes, for messages: never includes the password. */
export function describeTarget(cfg: ClientConfig): string {
  return `${cfg.database ?? '?'}@${cfg.host ?? '?'}:${cfg.port ?? 5432}`;
}

/** Builds the pg client config from the source, resolving secrets at run time. */
export async function clientConfig(src: PostgresSourceConfig, secrets: SecretResolver): Promise<ClientConfig> {
  let cfg: ClientConfig;
  let ssl = src.ssl;
  if (src.secretArn) {
    const doc = await secrets.json(src.secretArn);
    cfg = {
      host: String(doc.host ?? ''),
      port: Number(doc.port ?? 5432),
      user: String(doc.username ?? ''),
      password: String(doc.password ?? ''),
      database: String(doc.dbname ?? doc.database ?? 'postgres'),
    };
    ssl ??= 'verify-full';
  } else {
    const url = await secrets.resolve(src.url ?? '');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`source url is not a valid URL: ${redact(url)}`);
    }
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`source url must start with postgres:// (got ${parsed.protocol}//)`);
    if (!parsed.host) throw new Error('source url has no host: write postgres://user:password@host:5432/db');
    registerSecret(decodeURIComponent(parsed.password));
    // pg lets TLS parameters in the connection string override the `ssl` object, so an explicit
    // `ssl` or `caFile` would be silently lost; with either set, the URL's TLS parameters go.
    if (src.ssl || src.caFile) {
      for (const param of URL_TLS_PARAMS) parsed.searchParams.delete(param);
      ssl ??= 'verify-full';
    }
    cfg = {
      connectionString: parsed.toString(),
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    };
  }
  if (ssl === 'disable') cfg.ssl = false;
  else if (ssl === 'require') cfg.ssl = { rejectUnauthorized: false };
  // Node's `ca` replaces its bundled CAs; caFile is documented as trusted in addition to them.
  else if (ssl === 'verify-full') cfg.ssl = { rejectUnauthorized: true, ...(src.caFile ? { ca: [...rootCertificates, readCaFile(src.caFile)] } : {}) };
  cfg.connectionTimeoutMillis = (src.connectTimeoutSeconds ?? 10) * 1000;
  cfg.statement_timeout = (src.statementTimeoutSeconds ?? 30) * 1000;
  cfg.application_name = 'saas-readiness';
  return cfg;
}

/** The PEM bundle of `caFile`: a regular text file of at most 1 MiB. */
function readCaFile(file: string): string {
  try {
    return readTextFile(file, 2 ** 20);
  } catch (err) {
    throw new Error(`caFile ${file} ${(err as Error).message}`);
  }
}

/** A connected client; a failure names the target and the cause, never the password. */
export async function connectPostgres(src: PostgresSourceConfig, secrets: SecretResolver, signal?: AbortSignal): Promise<Client> {
  const cfg = await clientConfig(src, secrets);
  const client = new Client(cfg);
  // A dropped connection later surfaces through the failing query; do not let it crash the process.
  client.on('error', () => undefined);
  const onAbort = () => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
    throw new Error(`PostgreSQL ${describeTarget(cfg)}: ${describeError(err)}`);
  }
  return client;
}

/** Quotes an identifier for SQL; only used with names read back from the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Fails when row-level security applies to this login on any of `tables` (catalog-quoted names):
 * its reads would return only the rows the policies let it see, not every row
 * (docs/contracts/postgresql.md P3, P4). row_security_active() answers for the current user
 * without a transaction or a session setting, so it is safe on a shared session (PGlite).
 */
export async function requireEveryRowVisible(client: Client, tables: string[]): Promise<void> {
  const active = await client.query<{ name: string }>('SELECT t AS name FROM unnest($1::text[]) AS t WHERE row_security_active(t::regclass)', [tables]);
  const table = active.rows[0]?.name;
  if (table) {
    throw new Error(
      `table ${table} has row-level security that applies to this login, which would see only some of its rows; ` +
        'connect as a role with BYPASSRLS (or a superuser): the check only reads',
    );
  }
}
