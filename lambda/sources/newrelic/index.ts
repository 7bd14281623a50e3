/** The `newrelic` source: New Relic's NerdGraph API, a gate 4 monitoring provider. */
import { DEFAULT_TENANT_TAG, MONITORING_PROVIDER, TAG_PATTERN } from '../../checks/monitoring/ports';
import { ConfigError } from '../../core/errors';
import { resolveCredential } from '../../core/secrets';
import { opens, type SourceDefinition } from '../../core/source';
import type { NewRelicQueries } from './monitoring';
import { newRelicGraphqlUrl, newRelicSourceSchema, type NewRelicSourceConfig } from './schema';

export type { NewRelicSourceConfig } from './schema';

const query = { type: 'string', minLength: 1 };

/** `gates.monitoring.newrelic`. */
interface NewRelicOptions {
  source: string;
  nrql?: NewRelicQueries;
  tenantAttribute?: string;
  appName?: string;
}

export const source: SourceDefinition<NewRelicSourceConfig> = {
  type: 'newrelic',
  title: 'New Relic',
  module: __filename,
  schema: newRelicSourceSchema,
  /** An empty apiKey (`${env:NEW_RELIC_KEY:-}` on a laptop) means "not configured". */
  configured: (src) => Boolean(src.apiKey),
  opens: [
    opens(MONITORING_PROVIDER, {
      optionsSchema: {
        properties: {
          nrql: {
            type: 'object',
            additionalProperties: false,
            description: 'NRQL counting events, without SINCE/UNTIL; defaults use the Transaction event.',
            properties: { latency: query, errors: query, throughput: query, tenants: query },
          },
          tenantAttribute: { type: 'string', pattern: TAG_PATTERN, default: DEFAULT_TENANT_TAG, description: 'Attribute that carries the tenant ID.' },
          appName: {
            type: 'string',
            minLength: 1,
            pattern: "^[^']+$",
            description: 'APM app (appName) the default NRQL and the alert conditions are scoped to; zero-config: NEW_RELIC_APP_NAME.',
          },
        },
      },
      validate(src, options, at, name) {
        const own = options as unknown as NewRelicOptions;
        if (src.apiKey && (src.accountId === undefined || src.accountId === '')) {
          throw new ConfigError(`source '${name}' has an apiKey but no accountId; NRQL needs the account (set NEW_RELIC_ACCOUNT_ID)`, at('source'));
        }
        for (const [k, q] of Object.entries(own.nrql ?? {})) {
          if (/\b(SINCE|UNTIL)\b/i.test(q)) throw new ConfigError('leave out SINCE/UNTIL: the gate appends its own window', at(`nrql.${k}`));
        }
      },
      async open(src, options, ctx) {
        const own = options as unknown as NewRelicOptions;
        // The adapter loads when the gate opens the port, not when the declaration is read.
        return new (require('./monitoring') as typeof import('./monitoring')).NewRelicMonitoring({
          apiKey: await resolveCredential(src.apiKey, ctx.secrets),
          accountId: Number(src.accountId),
          url: newRelicGraphqlUrl(src),
          queries: own.nrql,
          tenantAttribute: own.tenantAttribute ?? DEFAULT_TENANT_TAG,
          appName: own.appName,
          deadline: ctx.deadline,
          progress: (message) => ctx.progress(message),
        });
      },
    }),
  ],
};
