/** The `datadog` source: Datadog's REST API, a gate 4 monitoring provider. */
import { DEFAULT_TENANT_TAG, MONITORING_PROVIDER, TAG_PATTERN } from '../../checks/monitoring/ports';
import { ConfigError } from '../../core/errors';
import { resolveCredential } from '../../core/secrets';
import { opens, type SourceDefinition } from '../../core/source';
import type { DatadogQueries } from './monitoring';
import { datadogApiUrl, datadogSourceSchema, type DatadogSourceConfig } from './schema';

export type { DatadogSourceConfig } from './schema';

const query = { type: 'string', minLength: 1 };

/** `gates.monitoring.datadog`. */
interface DatadogOptions {
  source: string;
  env?: string;
  service?: string;
  queries?: DatadogQueries;
  tenantTag?: string;
  monitorTags?: string[];
}

export const source: SourceDefinition<DatadogSourceConfig> = {
  type: 'datadog',
  title: 'Datadog',
  module: __filename,
  schema: datadogSourceSchema,
  /** An empty apiKey (`${env:DATADOG_API_KEY:-}` on a laptop) means "not configured". */
  configured: (src) => Boolean(src.apiKey),
  opens: [
    opens(MONITORING_PROVIDER, {
      optionsSchema: {
        properties: {
          env: { type: 'string', description: "The env tag of production (Datadog's DD_ENV, e.g. prod); required when the source has an apiKey." },
          service: { type: 'string', minLength: 1, description: 'The service tag (DD_SERVICE); narrows the default queries and the span search.' },
          queries: {
            type: 'object',
            additionalProperties: false,
            description: 'Datadog metric queries; defaults: trace.<span>.* of the span names found in the env, tenants from the spans API.',
            properties: { latency: query, errors: query, throughput: query, tenants: query },
          },
          tenantTag: {
            type: 'string',
            pattern: TAG_PATTERN,
            default: DEFAULT_TENANT_TAG,
            description: 'Span attribute / metric tag that carries the tenant ID.',
          },
          monitorTags: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Only monitors with these tags (e.g. service:api).' },
        },
      },
      validate(src, options, at, name) {
        const own = options as unknown as DatadogOptions;
        if (src.apiKey && !src.appKey) {
          throw new ConfigError(
            `source '${name}' has an apiKey but no appKey; metric queries and monitors need DD-APPLICATION-KEY (set DATADOG_APP_KEY)`,
            at('source'),
          );
        }
        if (src.apiKey && !own.env) {
          throw new ConfigError(
            'required: the env tag of production (e.g. env: prod, or ${env:DD_ENV}); without it staging data and monitors would count',
            at('env'),
          );
        }
      },
      async open(src, options, ctx) {
        const own = options as unknown as DatadogOptions;
        const [apiKey, appKey] = await Promise.all([resolveCredential(src.apiKey, ctx.secrets), resolveCredential(src.appKey ?? '', ctx.secrets)]);
        // The adapter loads when the gate opens the port, not when the declaration is read.
        return new (require('./monitoring') as typeof import('./monitoring')).DatadogMonitoring({
          apiKey,
          appKey,
          baseUrl: datadogApiUrl(src),
          site: src.site || 'datadoghq.com',
          env: own.env,
          service: own.service,
          queries: own.queries,
          tenantTag: own.tenantTag ?? DEFAULT_TENANT_TAG,
          monitorTags: own.monitorTags,
          deadline: ctx.deadline,
          progress: (message) => ctx.progress(message),
        });
      },
    }),
  ],
};
