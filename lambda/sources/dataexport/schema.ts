import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/**
 * `sources.<name>` with `type: dataexport`: an AWS bill export as AWS delivers it to S3 (Data
 * Exports CUR 2.0 or FOCUS, or a legacy CUR report), read through its manifests.
 * docs/contracts/dataexports.md.
 */
export interface DataExportSourceConfig extends SourceConfig {
  type: 'dataexport';
  /** The S3 bucket the export is delivered to. */
  bucket?: string;
  /** Instead of a bucket: a local directory laid out like the bucket (`aws s3 sync s3://BUCKET DIR`). */
  path?: string;
  /** The export's S3 prefix ('' or omitted when it has none). */
  prefix?: string;
  /** The export's (legacy: the report's) name. */
  exportName: string;
  /** How the export is delivered: Data Exports manifests per BILLING_PERIOD, or legacy CUR assemblies. Default: whichever is found. */
  layout?: 'dataexport' | 'legacy';
  /** Region of the bucket (default: the SDK environment; S3's redirect is followed). */
  region?: string;
}

export const dataExportSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'exportName'],
  oneOf: [{ required: ['bucket'] }, { required: ['path'] }],
  $comment: 'give the bucket, or the path of a local copy of it',
  description:
    'An AWS bill export delivered to S3 (Data Exports CUR 2.0 or FOCUS 1.0/1.2, CSV or Parquet; or legacy CUR), read through the manifest of every billing period in the window.',
  properties: {
    type: { const: 'dataexport' },
    bucket: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'The S3 bucket the export is delivered to.' },
    path: { type: 'string', minLength: 1, description: 'A local directory laid out like the bucket (aws s3 sync s3://BUCKET DIR), instead of bucket.' },
    prefix: { type: 'string', pattern: '^[^/].*[^/]$|^$', default: '', description: "The export's S3 prefix, without leading or trailing slash." },
    exportName: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^/]+$', description: "The export's name (legacy CUR: the report's name)." },
    layout: {
      enum: ['dataexport', 'legacy'],
      description:
        'Data Exports (metadata/BILLING_PERIOD=YYYY-MM manifests) or legacy CUR (yyyymmdd-yyyymmdd assembly manifests). Default: whichever is found.',
    },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'S3 bucket region (default: the SDK environment).' },
  },
};
