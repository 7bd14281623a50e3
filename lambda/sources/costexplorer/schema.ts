/** The `costexplorer` source's declaration (its config and schema), loadable without its adapter and client. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: costexplorer`: how to reach Cost Explorer. */
export interface CostExplorerSourceConfig extends SourceConfig {
  type: 'costexplorer';
  /** Selects the partition: every aws region is served by us-east-1; China and GovCloud have their own. Default us-east-1. */
  region?: string;
  /** A role to assume (e.g. in the payer account) with ce:GetCostAndUsage. */
  roleArn?: string;
  externalId?: string;
  /** Attempts per request, including the first, for the SDK's standard retry strategy. Default 5. */
  maxAttempts?: number;
}

export const costExplorerSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'AWS Cost Explorer (GetCostAndUsage, $0.01 per request). AWS_ENDPOINT_URL_COST_EXPLORER is honoured.',
  properties: {
    type: { const: 'costexplorer' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', default: 'us-east-1', description: 'Cost Explorer endpoint region.' },
    roleArn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      maxLength: 2048,
      description: 'Role to assume (sts:AssumeRole), e.g. in the payer account.',
    },
    externalId: {
      type: 'string',
      minLength: 2,
      maxLength: 1224,
      pattern: '^[\\w+=,.@:/-]*$',
      description: 'ExternalId for the role, if its trust policy requires one (STS allows letters, digits and _+=,.@:/-).',
    },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'Attempts per request (SDK standard retry; throttling backs off).' },
  },
};
