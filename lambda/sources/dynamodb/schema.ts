/** The `dynamodb` source's declaration (its config and schema), loadable without the AWS SDK. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { ConfigError } from '../../core/errors';

/**
 * `sbt-aws`: the attribute names default to the SaaS Builder Toolkit's TenantDetails and a tenant is
 * active only with `sbtaws_active` true. `custom`: the gates name the attributes they read.
 */
export type DynamoDbLayout = 'sbt-aws' | 'custom';

/** `sources.<name>` with `type: dynamodb`. */
export interface DynamoDbSourceConfig extends SourceConfig {
  type: 'dynamodb';
  table: string;
  /** `sbt-aws` (TenantDetails: tenantId, tenantName, tier, tenantConfig JSON string, sbtaws_active BOOL) or `custom`. */
  layout?: DynamoDbLayout;
  region?: string;
}

export const dynamoDbSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'table'],
  description: 'A DynamoDB table, reached with the AWS SDK (AWS_ENDPOINT_URL_DYNAMODB is honoured).',
  properties: {
    type: { const: 'dynamodb' },
    table: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.-]{3,255}$',
      description:
        'Table name as deployed. sbt-aws lets CloudFormation generate it (not the literal TenantDetails): use ${env:TENANT_DETAILS_TABLE} with the looked-up name.',
    },
    layout: {
      enum: ['sbt-aws', 'custom'],
      default: 'sbt-aws',
      description: 'Attribute defaults: sbt-aws TenantDetails, or custom (the gates name idAttribute and configAttribute).',
    },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'AWS region (default: the SDK environment).' },
  },
};

/**
 * With `layout: custom` nothing is assumed about the items: the gate must name the attributes it
 * reads. Throws a ConfigError naming the first missing key.
 */
export function requireCustomLayoutNames<K extends string>(
  src: DynamoDbSourceConfig,
  sourceName: string,
  gate: Partial<Record<K, unknown>>,
  keys: K[],
  at: (key: K) => string,
): void {
  if ((src.layout ?? 'sbt-aws') !== 'custom') return;
  const missing = keys.find((k) => gate[k] === undefined);
  if (missing) throw new ConfigError(`required: source '${sourceName}' has layout: custom, which assumes no attribute names`, at(missing));
}
