/** The `csv` source's declaration (its config and schema), loadable without its adapter and client. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: csv`: a CSV file with a header row (local path or s3://; plain or gzip). */
export interface CsvSourceConfig extends SourceConfig {
  type: 'csv';
  path: string;
  region?: string;
}

export const csvSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path'],
  description: 'A CSV file with a header row (local path or s3://bucket/key; plain or .gz), streamed.',
  properties: {
    type: { const: 'csv' },
    path: { type: 'string', minLength: 1, description: 'Local path or s3://bucket/key.' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'S3 bucket region (default: the SDK environment).' },
  },
};
