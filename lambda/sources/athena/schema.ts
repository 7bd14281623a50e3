import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/**
 * `sources.<name>` with `type: athena`: the bill reconciled by one aggregate query in Amazon
 * Athena over the table of a CUR 2.0 or FOCUS export (docs/contracts/athena.md).
 */
export interface AthenaSourceConfig extends SourceConfig {
  type: 'athena';
  /** The export's table layout: CUR 2.0 (default) or FOCUS. */
  format?: 'cur2' | 'focus';
  /** Glue database. Default cid_data_export (the name AWS's data-exports setup gives it). */
  database?: string;
  /** Table. Default cur2, or focus for format focus. */
  table?: string;
  /** Data catalog. Default AwsDataCatalog. */
  catalog?: string;
  /** Athena workgroup. Default primary. */
  workGroup?: string;
  /** s3:// location for query results, unless the workgroup sets one. */
  outputLocation?: string;
  /** s3://bucket/prefix the table's files are in: Athena reads them with the caller's credentials (IAM). */
  dataLocation?: string;
  region?: string;
  /** Attempts per request (SDK standard retry; TooManyRequestsException backs off). Default 5. */
  maxAttempts?: number;
}

const identifier = { type: 'string', pattern: '^[A-Za-z0-9_]{1,255}$' };
const s3Location = { type: 'string', pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$' };

export const athenaSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  description:
    'Amazon Athena over the table of a CUR 2.0 or FOCUS export (one aggregate query per run, $5 per TB scanned). AWS_ENDPOINT_URL_ATHENA is honoured.',
  properties: {
    type: { const: 'athena' },
    format: { enum: ['cur2', 'focus'], default: 'cur2', description: 'Table layout: CUR 2.0 or FOCUS 1.0/1.2.' },
    database: { ...identifier, default: 'cid_data_export', description: 'Glue database of the export table.' },
    table: { ...identifier, description: 'Export table. Default cur2 (format cur2) or focus (format focus).' },
    catalog: { type: 'string', minLength: 1, maxLength: 256, default: 'AwsDataCatalog', description: 'Data catalog.' },
    workGroup: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,128}$', default: 'primary', description: 'Athena workgroup the query runs in.' },
    outputLocation: { ...s3Location, description: 'Where Athena writes query results (s3://bucket/prefix/), unless the workgroup sets one.' },
    dataLocation: { ...s3Location, description: "The table's S3 location (s3://bucket/prefix): the deployed function is granted read on it." },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'Athena region (default: the SDK environment).' },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'Attempts per request (SDK standard retry).' },
  },
};
