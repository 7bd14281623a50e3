/** The `newrelic` source's declaration (its config and schema), loadable without its adapter. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** `sources.<name>` with `type: newrelic`. An empty apiKey means "not configured" (see the gate). */
export interface NewRelicSourceConfig extends SourceConfig {
  type: 'newrelic';
  apiKey: string;
  accountId?: string | number;
  region?: 'US' | 'EU' | '';
  apiUrl?: string;
}

export const newRelicSourceSchema: JsonSchema = {
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    type: { const: 'newrelic' },
    apiKey: { type: 'string', description: 'User API key (NRAK-…) sent as API-Key: ${env:NEW_RELIC_KEY} or ${secret:…}. Empty means not configured.' },
    accountId: { type: ['string', 'integer'], pattern: '^[0-9]*$', description: 'Account queried with NRQL: ${env:NEW_RELIC_ACCOUNT_ID}.' },
    region: { enum: ['US', 'EU', 'us', 'eu', ''], default: 'US', description: 'Data center: US (api.newrelic.com) or EU (api.eu.newrelic.com).' },
    apiUrl: { type: 'string', pattern: '^(https?://.+)?$', description: 'NerdGraph base URL override (proxy); default by region or NEW_RELIC_API_URL.' },
  },
};

/** The NerdGraph endpoint: explicit apiUrl, else NEW_RELIC_API_URL (read here, like DATADOG_API_URL), else by region. */
export function newRelicGraphqlUrl(src: Pick<NewRelicSourceConfig, 'region' | 'apiUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  const base = src.apiUrl || env.NEW_RELIC_API_URL || (String(src.region).toUpperCase() === 'EU' ? 'https://api.eu.newrelic.com' : 'https://api.newrelic.com');
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/graphql') ? trimmed : `${trimmed}/graphql`;
}
