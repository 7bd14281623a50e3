/** The `cur` source's declaration (its config and schema), loadable without its adapter and client. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: cur`: a Cost and Usage Report CSV export of the AWS bill. */
export interface CurSourceConfig extends SourceConfig {
  type: 'cur';
  /** A local path or s3://bucket/key; plain or gzip CSV, legacy CUR or CUR 2.0 columns. */
  path: string;
  /** Region of the S3 bucket (default: the SDK environment). */
  region?: string;
}

export const curSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path'],
  description: 'An AWS Cost and Usage Report CSV (legacy or CUR 2.0; plain or .gz; local path or s3:// URL), streamed.',
  properties: {
    type: { const: 'cur' },
    path: { type: 'string', minLength: 1, description: 'Local path or s3://bucket/key of the CSV (or .csv.gz).' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'S3 bucket region (default: the SDK environment).' },
  },
};

/**
 * Metrics a bill export can give: three a line item carries directly, and AmortizedCost derived per
 * line from the reservation and savings-plan columns (see {@link amortizedTerms}).
 */
export const CUR_METRICS = ['UnblendedCost', 'NetUnblendedCost', 'BlendedCost', 'AmortizedCost'] as const;

/**
 * A tag key as CUR 2.0's `resource_tags` map and Athena's column names give it: snake case,
 * `CostCenter` → `cost_center`, `karpenter.sh/pool` → `karpenter_sh_pool` (CUR-7).
 */
export function snakeCaseTagKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}
