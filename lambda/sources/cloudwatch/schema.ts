/** The `cloudwatch` source's declaration (its config and schema), loadable without its adapter and client. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: cloudwatch`: the account and region of the runner's AWS credentials. */
export interface CloudWatchSourceConfig extends SourceConfig {
  type: 'cloudwatch';
  region?: string;
}

export const cloudWatchSourceSchema: JsonSchema = {
  additionalProperties: false,
  properties: {
    type: { const: 'cloudwatch' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'AWS region (default: the SDK default chain, AWS_REGION).' },
  },
};

/** The tenant key gates 2–3 and the rule pack use (cost allocation tag, ledger and config columns). */
export const DEFAULT_TENANT_DIMENSION = 'tenant_id';
