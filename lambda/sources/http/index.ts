/** The inline `http` source: an endpoint of the app itself, for gate 1's quota probe and gate 3's effective config. */
import { EFFECTIVE_CONFIG } from '../../checks/config/ports';
import { QUOTA_PROBE } from '../../checks/tenants/ports';
import type { SourceConfig } from '../../core/config/types';
import { registerSecret } from '../../core/redact';
import { opens, type SourceDefinition } from '../../core/source';

export interface HttpSourceConfig extends SourceConfig {
  type: 'http';
  url: string;
}

export const source: SourceDefinition<HttpSourceConfig> = {
  type: 'http',
  title: 'HTTP endpoint',
  module: __filename,
  inline: true,
  schema: {
    type: 'object',
    required: ['type', 'url'],
    additionalProperties: false,
    properties: { type: { const: 'http' }, url: { type: 'string', pattern: '^https?://' } },
  },
  opens: [
    opens(QUOTA_PROBE, {
      open: async (_src, probe, ctx) => new (require('./quota-probe') as typeof import('./quota-probe')).HttpQuotaProbe(probe, ctx.secrets),
    }),
    opens(EFFECTIVE_CONFIG, {
      async open(src, options, ctx) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(options.headers ?? {})) {
          headers[k] = await ctx.secrets.resolve(v);
          registerSecret(headers[k]);
        }
        return new (require('./effective-config') as typeof import('./effective-config')).HttpEffectiveConfig(await ctx.secrets.resolve(src.url), headers);
      },
    }),
  ],
};
