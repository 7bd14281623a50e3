/** The `postgres` source's declaration (its config and schema), loadable without the pg driver. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: postgres`. */
export interface PostgresSourceConfig extends SourceConfig {
  type: 'postgres';
  /** Connection URL, e.g. `${env:DATABASE_URL}` or `${secret:ARN#url}`. */
  url?: string;
  /** A Secrets Manager secret in the RDS format (host, port, username, password, dbname). */
  secretArn?: string;
  /** TLS: verify-full (verify the server certificate), require (encrypt, no verification), disable. */
  ssl?: 'verify-full' | 'require' | 'disable';
  /** PEM file with the CA bundle to trust (default: Node's, plus NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  connectTimeoutSeconds?: number;
  statementTimeoutSeconds?: number;
}

export const postgresSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'A PostgreSQL database, reached with the pg driver.',
  properties: {
    type: { const: 'postgres' },
    url: {
      type: 'string',
      pattern: '^(postgres(ql)?://[^/\\s]|\\$\\{)',
      description: 'postgres://user:password@host:5432/db — use ${env:NAME} or ${secret:ARN#key}, never a literal password.',
    },
    secretArn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:secretsmanager:',
      description: 'Secrets Manager secret in the RDS format (host, port, username, password, dbname).',
    },
    ssl: {
      enum: ['verify-full', 'require', 'disable'],
      description: "TLS mode; overrides the URL's sslmode. Default: verify-full for secretArn or with caFile, else as the URL says (sslmode).",
    },
    caFile: { type: 'string', description: 'PEM CA bundle to trust in addition to the defaults.' },
    connectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 120, default: 10 },
    statementTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 900, default: 30 },
  },
  oneOf: [{ required: ['url'] }, { required: ['secretArn'] }],
  $comment: 'set exactly one of url or secretArn',
};
