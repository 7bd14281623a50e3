import { ConfigError } from '../../core/errors';
import type { GateCommon, GateContext, GateDefinition, SourceCatalog } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { registerSecret } from '../../core/redact';
import { skippedOutcome } from '../../core/result';
import type { SourceUse } from '../../core/source';
import {
  DEFAULT_ALERT_PATTERNS,
  DEFAULT_TENANT_TAG,
  MONITORING_PROVIDER,
  TAG_PATTERN,
  type AlertedSignal,
  type MonitoringProvider,
  type ProviderOptions,
} from './ports';

/** One provider section of `gates.monitoring`, keyed by its source type (its other keys are the source's options). */
export interface ProviderSection {
  source: string;
  [option: string]: unknown;
}

/** `gates.monitoring` in readiness.yaml: its own keys, and one section per provider (`datadog`, `newrelic`, `cloudwatch`, …). */
export interface MonitoringGateConfig extends GateCommon {
  /** `any`: one live provider is enough; `all`: every configured provider must be live. */
  require: 'any' | 'all';
  /** Distinct tenants the throughput breakdown must show; resolved at load time (gates.tenants.minTenants, else 10). */
  minTenants: number;
  /** Window in which latency, errors and throughput must have data. */
  signalWindowMinutes: number;
  /** Window of the per-tenant breakdown (long, so quiet tenants do not flap). */
  tenantWindowHours: number;
  /** Regular expressions (case-insensitive) on a rule's name and query deciding what it covers. */
  alertPatterns?: Partial<Record<AlertedSignal, string>>;
  [provider: string]: unknown;
}

export const MONITORING_HINT =
  'not configured: set DATADOG_API_KEY + DATADOG_APP_KEY + DD_ENV [+ DD_SERVICE, DATADOG_SITE] for Datadog, or NEW_RELIC_KEY + NEW_RELIC_ACCOUNT_ID [+ NEW_RELIC_REGION] for New Relic (or configure gates.monitoring, e.g. for CloudWatch)';

/** Zero-config: the env vars each provider's default queries are built from (see fromEnvironment). */
const ZERO_CONFIG_ENV: Record<string, string> = {
  datadog: 'DD_ENV (and DD_SERVICE, SAAS_READINESS_TENANT_TAG)',
  newrelic: 'NEW_RELIC_APP_NAME (and SAAS_READINESS_TENANT_TAG)',
};

/** Without a minTenants of its own, gate 4 counts against gate 1's, else this. */
const DEFAULT_MIN_TENANTS = 10;

const schema = (catalog: SourceCatalog): JsonSchema => ({
  properties: {
    require: { enum: ['any', 'all'], default: 'any', description: 'any: one live provider is enough; all: every configured provider must be live.' },
    minTenants: {
      type: 'integer',
      minimum: 1,
      description: `Distinct tenants in the throughput breakdown (default gates.tenants.minTenants, else ${DEFAULT_MIN_TENANTS}).`,
    },
    signalWindowMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 15, description: 'Latency, errors and throughput need data in this window.' },
    tenantWindowHours: { type: 'integer', minimum: 1, maximum: 336, default: 24, description: 'Window of the per-tenant throughput breakdown.' },
    alertPatterns: {
      type: 'object',
      additionalProperties: false,
      description: 'Case-insensitive regular expressions on a rule name + query deciding whether it covers errors / latency.',
      properties: { errors: { type: 'string', default: DEFAULT_ALERT_PATTERNS.errors }, latency: { type: 'string', default: DEFAULT_ALERT_PATTERNS.latency } },
    },
    ...Object.fromEntries(
      Object.entries(catalog.optionSchemas(MONITORING_PROVIDER.id)).map(([type, options]) => [
        type,
        {
          ...options,
          type: 'object',
          additionalProperties: false,
          required: ['source', ...((options.required as string[] | undefined) ?? [])],
          properties: {
            source: { type: 'string', description: `A source of type ${type}.` },
            ...((options.properties as Record<string, JsonSchema> | undefined) ?? {}),
          },
        },
      ]),
    ),
  },
});

/** The provider sections of a monitoring config: the keys that are not the gate's own. */
const OWN_KEYS = new Set(['enabled', 'timeoutSeconds', 'require', 'minTenants', 'signalWindowMinutes', 'tenantWindowHours', 'alertPatterns']);
const sections = (c: MonitoringGateConfig): [string, ProviderSection][] =>
  Object.entries(c).filter((e): e is [string, ProviderSection] => !OWN_KEYS.has(e[0]) && typeof e[1] === 'object' && e[1] !== null);
const providerUse = (type: string, section: ProviderSection): SourceUse<MonitoringProvider, ProviderOptions> => ({
  port: MONITORING_PROVIDER,
  source: section.source,
  field: `${type}.source`,
  options: section,
  optionsAt: type,
  types: [type],
});

export const gate: GateDefinition<MonitoringGateConfig> = {
  id: 'monitoring',
  title: 'Production monitoring live',
  module: __filename,
  configSchema: schema,
  criteria: [
    { id: 'credentials', title: 'Provider credentials valid', remediation: 'Issue a valid key with the read scopes listed in the docs.' },
    {
      id: 'signals',
      title: 'Latency, errors and throughput flowing per tenant',
      remediation: 'Instrument the service and tag every request metric with the tenant.',
    },
    {
      id: 'alerting',
      title: 'Error and latency alerts with a notification target',
      remediation: 'Keep an enabled, unmuted alert on errors and on latency, each notifying someone.',
    },
  ],
  keyMeasurement: { measurement: 'signalsFlowing', metric: 'MonitoringSignals', unit: 'Count', label: 'Monitoring signals flowing' },
  deployment: { scheduleHours: 1, why: 'a monitoring integration that stops should be seen within the hour' },

  fromEnvironment(env) {
    const sources: Record<string, SourceConfig> = {};
    const gate = {} as MonitoringGateConfig;
    const tenantTag = env.SAAS_READINESS_TENANT_TAG || DEFAULT_TENANT_TAG;
    if (!new RegExp(TAG_PATTERN).test(tenantTag)) return { skip: `SAAS_READINESS_TENANT_TAG is not a tag name (${TAG_PATTERN})` };
    // The notebook's names first, then the ones Datadog's own agent, tracers and clients read.
    const ddApiKey = env.DATADOG_API_KEY || env.DD_API_KEY;
    const ddAppKey = env.DATADOG_APP_KEY || env.DD_APP_KEY;
    const ddSite = env.DATADOG_SITE || env.DD_SITE;
    // Without DD_ENV there is no telling production from staging: Datadog stays unconfigured.
    if (ddApiKey && ddAppKey && env.DD_ENV) {
      registerSecret(ddApiKey);
      registerSecret(ddAppKey);
      sources.datadog = {
        type: 'datadog',
        apiKey: ddApiKey,
        appKey: ddAppKey,
        ...(ddSite ? { site: ddSite } : {}),
        ...(env.DATADOG_API_URL ? { apiUrl: env.DATADOG_API_URL } : {}),
      };
      gate.datadog = { source: 'datadog', env: env.DD_ENV, ...(env.DD_SERVICE ? { service: env.DD_SERVICE } : {}), tenantTag };
    }
    if (env.NEW_RELIC_KEY && env.NEW_RELIC_ACCOUNT_ID) {
      registerSecret(env.NEW_RELIC_KEY);
      sources.newrelic = {
        type: 'newrelic',
        apiKey: env.NEW_RELIC_KEY,
        accountId: env.NEW_RELIC_ACCOUNT_ID,
        ...(env.NEW_RELIC_REGION ? { region: env.NEW_RELIC_REGION } : {}),
        ...(env.NEW_RELIC_API_URL ? { apiUrl: env.NEW_RELIC_API_URL } : {}),
      };
      const appName = agentAppName(env.NEW_RELIC_APP_NAME);
      gate.newrelic = { source: 'newrelic', tenantAttribute: tenantTag, ...(appName ? { appName } : {}) };
    }
    const envVars: Record<string, string> = {
      'sources.datadog.site': env.DATADOG_SITE ? 'DATADOG_SITE' : 'DD_SITE',
      'sources.datadog.apiUrl': 'DATADOG_API_URL',
      'sources.newrelic.accountId': 'NEW_RELIC_ACCOUNT_ID',
      'sources.newrelic.region': 'NEW_RELIC_REGION',
      'sources.newrelic.apiUrl': 'NEW_RELIC_API_URL',
      'gates.monitoring.datadog.service': 'DD_SERVICE',
      'gates.monitoring.datadog.env': 'DD_ENV',
      'gates.monitoring.datadog.tenantTag': 'SAAS_READINESS_TENANT_TAG',
      'gates.monitoring.newrelic.appName': 'NEW_RELIC_APP_NAME',
      'gates.monitoring.newrelic.tenantAttribute': 'SAAS_READINESS_TENANT_TAG',
    };
    if (gate.datadog || gate.newrelic) return { gate, sources, envVars };
    const half = [
      ddApiKey && !ddAppKey ? `${env.DATADOG_API_KEY ? 'DATADOG_API_KEY' : 'DD_API_KEY'} is set but DATADOG_APP_KEY (or DD_APP_KEY) is not` : '',
      !ddApiKey && ddAppKey ? `${env.DATADOG_APP_KEY ? 'DATADOG_APP_KEY' : 'DD_APP_KEY'} is set but DATADOG_API_KEY (or DD_API_KEY) is not` : '',
      ddApiKey && ddAppKey && !env.DD_ENV ? 'the Datadog keys are set but DD_ENV is not: set it to the env tag of production, e.g. DD_ENV=prod' : '',
      env.NEW_RELIC_KEY && !env.NEW_RELIC_ACCOUNT_ID ? 'NEW_RELIC_KEY is set but NEW_RELIC_ACCOUNT_ID is not' : '',
    ].filter(Boolean);
    return { skip: `${MONITORING_HINT}${half.length ? ` (${half.join('; ')})` : ''}` };
  },

  uses: (c) => sections(c).map(([type, section]) => providerUse(type, section)),

  validate(config, at) {
    for (const [k, pattern] of Object.entries(config.alertPatterns ?? {})) {
      try {
        new RegExp(pattern, 'i');
      } catch (err) {
        throw new ConfigError(`not a valid regular expression: ${(err as Error).message}`, at(`alertPatterns.${k}`));
      }
    }
  },

  /** Gate 4 counts tenants against gate 1's minimum unless it has its own: resolved here, so a deployed slice carries the number. */
  resolve(config, all) {
    if (config.minTenants !== undefined) return config;
    const tenants = all.gates.tenants as { minTenants?: number } | undefined;
    return { ...config, minTenants: tenants?.minTenants ?? DEFAULT_MIN_TENANTS };
  },

  async run(config, ctx) {
    const providers = await Promise.all(
      sections(config)
        .filter(([, section]) => ctx.describe(section.source).configured)
        .map(([type, section]) => openProvider(ctx, providerUse(type, section))),
    );
    if (providers.length === 0) return skippedOutcome(MONITORING_HINT);
    const { checkMonitoring } = require('./check') as typeof import('./check');
    return checkMonitoring({
      providers,
      require: config.require,
      minTenants: config.minTenants,
      signalWindowMinutes: config.signalWindowMinutes,
      tenantWindowHours: config.tenantWindowHours,
      alertPatterns: { ...DEFAULT_ALERT_PATTERNS, ...config.alertPatterns },
      ...(ctx.zeroConfig ? { zeroConfigEnv: ZERO_CONFIG_ENV } : {}),
      now: ctx.now(),
      signal: ctx.signal,
      progress: ctx.progress,
    });
  },
};

/** NR-13: the app name the New Relic agent reports under: the first of NEW_RELIC_APP_NAME's `;`/`,` list. */
export function agentAppName(value: string | undefined): string | undefined {
  return value?.split(/[;,]/)[0]?.trim() || undefined;
}

/**
 * Opens one provider. When that fails (a secret cannot be read), the provider is still reported,
 * with every criterion in ERROR naming why.
 */
async function openProvider(ctx: GateContext, use: SourceUse<MonitoringProvider, ProviderOptions>): Promise<MonitoringProvider> {
  try {
    return await ctx.open(use);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const { type, title } = ctx.describe(use.source);
    const fail = () => Promise.reject(err);
    return {
      id: type,
      label: title,
      credentialsTitle: `${title} key readable`,
      verifyCredentials: fail,
      readSignals: fail,
      tenantBreakdown: fail,
      alertRules: fail,
    };
  }
}
