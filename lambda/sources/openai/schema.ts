/** The `openai` source's declaration (its config and schema), loadable without its adapter. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: openai`: the organization costs API. */
export interface OpenAiSourceConfig extends SourceConfig {
  type: 'openai';
  /** An organization admin key: `${env:OPENAI_ADMIN_KEY}` or `${secret:ARN}`. */
  adminKey: string;
  /** Default: OPENAI_BASE_URL when set (as OpenAI's own SDKs do), else https://api.openai.com/v1. */
  baseUrl?: string;
  /** Daily buckets per page (1–180). Default 180. */
  pageSize?: number;
  /** Per request. Default 30. */
  requestTimeoutSeconds?: number;
  /** Attempts per page when OpenAI answers HTTP 429, including the first. Default 4. */
  maxAttempts?: number;
}

export const openAiSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'adminKey'],
  description: 'OpenAI organization costs API (GET /v1/organization/costs) with an admin key.',
  properties: {
    type: { const: 'openai' },
    adminKey: { type: 'string', minLength: 1, description: 'Admin key: ${env:OPENAI_ADMIN_KEY} or ${secret:ARN}; never a literal.' },
    baseUrl: {
      type: 'string',
      pattern: '^https?://',
      default: 'https://api.openai.com/v1',
      description: 'API base URL (a proxy or a local stand-in). Without it: OPENAI_BASE_URL, else the default.',
    },
    pageSize: { type: 'integer', minimum: 1, maximum: 180, default: 180, description: 'Daily buckets per page.' },
    requestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 120, default: 30 },
    maxAttempts: {
      type: 'integer',
      minimum: 1,
      maximum: 10,
      default: 4,
      description: 'Attempts per page when rate-limited (HTTP 429), waiting as Retry-After says (at most 10 s a wait, never past the gate timeout).',
    },
  },
};
