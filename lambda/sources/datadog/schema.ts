/** The `datadog` source's declaration (its config and schema), loadable without its adapter. */
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';

/** Datadog sites and their API hosts (`https://api.<site>`). */
export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;

/** `sources.<name>` with `type: datadog`. An empty apiKey means "not configured" (see the gate). */
export interface DatadogSourceConfig extends SourceConfig {
  type: 'datadog';
  apiKey: string;
  appKey?: string;
  site?: string;
  apiUrl?: string;
}

export const datadogSourceSchema: JsonSchema = {
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    type: { const: 'datadog' },
    apiKey: { type: 'string', description: 'DD-API-KEY: ${env:DATADOG_API_KEY} or ${secret:ARN#key}. Empty means not configured.' },
    appKey: { type: 'string', description: 'DD-APPLICATION-KEY (metric queries, monitors): ${env:DATADOG_APP_KEY} or ${secret:…}.' },
    site: { enum: [...DATADOG_SITES, ''], default: 'datadoghq.com', description: 'Datadog site; the API host is api.<site>.' },
    apiUrl: {
      type: 'string',
      pattern: '^(https?://.+)?$',
      description: 'API base URL override (proxy, private link); default https://api.<site> or DATADOG_API_URL.',
    },
  },
};

/**
 * The API base URL: explicit apiUrl, else DATADOG_API_URL (read here, as the AWS SDK reads
 * AWS_ENDPOINT_URL_*), else https://api.<site>.
 */
export function datadogApiUrl(src: Pick<DatadogSourceConfig, 'site' | 'apiUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  if (src.apiUrl) return src.apiUrl.replace(/\/+$/, '');
  if (env.DATADOG_API_URL) return env.DATADOG_API_URL.replace(/\/+$/, '');
  return `https://api.${src.site || 'datadoghq.com'}`;
}
