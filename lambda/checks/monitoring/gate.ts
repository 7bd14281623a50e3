import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigError } from '../../core/errors';
import { sourceOf } from '../../core/config/sources';
import type { GateCommon, GateDefinition } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { registerSecret } from '../../core/redact';
import { skippedOutcome } from '../../core/result';
import { isSecretRef } from '../../core/secrets';
import { datadogApiUrl, DatadogMonitoring, type DatadogQueries, type DatadogSourceConfig } from '../../sources/datadog/monitoring';
import { agentAppName, newRelicGraphqlUrl, NewRelicMonitoring, type NewRelicQueries, type NewRelicSourceConfig } from '../../sources/newrelic/monitoring';
import {
  CloudWatchMonitoring,
  DEFAULT_TENANT_DIMENSION,
  type CloudWatchSignal,
  type CloudWatchSourceConfig,
  type CloudWatchTenantMetric,
} from '../../sources/cloudwatch/monitoring';
import { checkMonitoring, DEFAULT_ALERT_PATTERNS } from './check';
import type { AlertedSignal, MonitoringProvider, SignalKind } from './ports';

/** `gates.monitoring` in readiness.yaml. */
export interface MonitoringGateConfig extends GateCommon {
  /** `any` (default): one live provider is enough; `all`: every configured provider must be live. */
  require?: 'any' | 'all';
  /** Distinct tenants the throughput breakdown must show. Default gates.tenants.minTenants, else 10. */
  minTenants?: number;
  /** Window in which latency, errors and throughput must have data. Default 15. */
  signalWindowMinutes?: number;
  /** Window of the per-tenant breakdown (long, so quiet tenants do not flap). Default 24. */
  tenantWindowHours?: number;
  /** Regular expressions (case-insensitive) on a rule's name and query deciding what it covers. */
  alertPatterns?: Partial<Record<AlertedSignal, string>>;
  datadog?: { source: string; env?: string; service?: string; queries?: DatadogQueries; tenantTag?: string; monitorTags?: string[] };
  newrelic?: { source: string; nrql?: NewRelicQueries; tenantAttribute?: string; appName?: string };
  cloudwatch?: {
    source: string;
    signals?: Partial<Record<SignalKind, CloudWatchSignal>>;
    tenantMetric: CloudWatchTenantMetric;
    alarmNamePrefix?: string;
  };
}

/** The tenant tag / attribute every gate uses unless told otherwise (SAAS_READINESS_TENANT_TAG in zero-config). */
export const DEFAULT_TENANT_TAG = 'tenant_id';

export const MONITORING_HINT =
  'not configured: set DATADOG_API_KEY + DATADOG_APP_KEY + DD_ENV [+ DD_SERVICE, DATADOG_SITE] for Datadog, or NEW_RELIC_KEY + NEW_RELIC_ACCOUNT_ID [+ NEW_RELIC_REGION] for New Relic (or configure gates.monitoring, e.g. for CloudWatch)';

const query = { type: 'string', minLength: 1 };
const signalQueries = (desc: string) => ({
  type: 'object',
  additionalProperties: false,
  description: desc,
  properties: { latency: query, errors: query, throughput: query, tenants: query },
});
const cloudWatchSignal = {
  type: 'object',
  oneOf: [
    { additionalProperties: false, required: ['expression'], properties: { expression: { ...query, maxLength: 2048 } } },
    {
      additionalProperties: false,
      required: ['namespace', 'metricName'],
      properties: {
        namespace: query,
        metricName: query,
        dimensions: { type: 'object', additionalProperties: { type: 'string' } },
        stat: { type: 'string', default: 'Sum' },
      },
    },
  ],
};
const TAG_PATTERN = '^[A-Za-z_][A-Za-z0-9_.:/-]{0,199}$';
const tag = { type: 'string', pattern: TAG_PATTERN };

const schema: JsonSchema = {
  properties: {
    require: { enum: ['any', 'all'], default: 'any', description: 'any: one live provider is enough; all: every configured provider must be live.' },
    minTenants: { type: 'integer', minimum: 1, description: 'Distinct tenants in the throughput breakdown (default gates.tenants.minTenants, else 10).' },
    signalWindowMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 15, description: 'Latency, errors and throughput need data in this window.' },
    tenantWindowHours: { type: 'integer', minimum: 1, maximum: 336, default: 24, description: 'Window of the per-tenant throughput breakdown.' },
    alertPatterns: {
      type: 'object',
      additionalProperties: false,
      description: 'Case-insensitive regular expressions on a rule name + query deciding whether it covers errors / latency.',
      properties: { errors: { type: 'string', default: DEFAULT_ALERT_PATTERNS.errors }, latency: { type: 'string', default: DEFAULT_ALERT_PATTERNS.latency } },
    },
    datadog: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: {
        source: { type: 'string', description: 'A source of type datadog.' },
        env: { type: 'string', description: "The env tag of production (Datadog's DD_ENV, e.g. prod); required when the source has an apiKey." },
        service: { type: 'string', minLength: 1, description: 'The service tag (DD_SERVICE); narrows the default queries and the span search.' },
        queries: signalQueries('Datadog metric queries; defaults: trace.<span>.* of the span names found in the env, tenants from the spans API.'),
        tenantTag: { ...tag, default: DEFAULT_TENANT_TAG, description: 'Span attribute / metric tag that carries the tenant ID.' },
        monitorTags: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Only monitors with these tags (e.g. service:api).' },
      },
    },
    newrelic: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: {
        source: { type: 'string', description: 'A source of type newrelic.' },
        nrql: signalQueries('NRQL counting events, without SINCE/UNTIL; defaults use the Transaction event.'),
        tenantAttribute: { ...tag, default: DEFAULT_TENANT_TAG, description: 'Attribute that carries the tenant ID.' },
        appName: { type: 'string', minLength: 1, pattern: "^[^']+$", description: 'APM app (appName) the default NRQL and the alert conditions are scoped to; zero-config: NEW_RELIC_APP_NAME.' },
      },
    },
    cloudwatch: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'tenantMetric'],
      properties: {
        source: { type: 'string', description: 'A source of type cloudwatch.' },
        signals: {
          type: 'object',
          additionalProperties: false,
          description: 'Each an expression (Metrics Insights, metric math, SEARCH) or a metric; defaults: API Gateway REST API Latency, 5XXError, Count.',
          properties: { latency: cloudWatchSignal, errors: cloudWatchSignal, throughput: cloudWatchSignal },
        },
        tenantMetric: {
          type: 'object',
          additionalProperties: false,
          required: ['namespace', 'metricName'],
          description: 'Per-tenant request metric, broken down by its tenant dimension with SEARCH.',
          properties: { namespace: query, metricName: query, dimension: { type: 'string', minLength: 1, maxLength: 255, default: DEFAULT_TENANT_DIMENSION }, stat: { type: 'string', default: 'Sum' } },
        },
        alarmNamePrefix: { type: 'string', minLength: 1, description: 'Only alarms whose name starts with this.' },
      },
    },
  },
};

const PROVIDERS = ['datadog', 'newrelic', 'cloudwatch'] as const;

export const monitoringGate: GateDefinition<MonitoringGateConfig> = {
  id: 'monitoring',
  title: 'Production monitoring live',
  configSchema: schema,

  fromEnvironment(env) {
    const sources: Record<string, SourceConfig> = {};
    const gate: MonitoringGateConfig = {};
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
      sources.datadog = { type: 'datadog', apiKey: ddApiKey, appKey: ddAppKey, ...(ddSite ? { site: ddSite } : {}), ...(env.DATADOG_API_URL ? { apiUrl: env.DATADOG_API_URL } : {}) };
      gate.datadog = { source: 'datadog', env: env.DD_ENV, ...(env.DD_SERVICE ? { service: env.DD_SERVICE } : {}), tenantTag };
    }
    if (env.NEW_RELIC_KEY && env.NEW_RELIC_ACCOUNT_ID) {
      registerSecret(env.NEW_RELIC_KEY);
      sources.newrelic = { type: 'newrelic', apiKey: env.NEW_RELIC_KEY, accountId: env.NEW_RELIC_ACCOUNT_ID, ...(env.NEW_RELIC_REGION ? { region: env.NEW_RELIC_REGION } : {}), ...(env.NEW_RELIC_API_URL ? { apiUrl: env.NEW_RELIC_API_URL } : {}) };
      const appName = agentAppName(env.NEW_RELIC_APP_NAME);
      gate.newrelic = { source: 'newrelic', tenantAttribute: tenantTag, ...(appName ? { appName } : {}) };
    }
    if (gate.datadog || gate.newrelic) return { gate, sources };
    const half = [
      ddApiKey && !ddAppKey ? `${env.DATADOG_API_KEY ? 'DATADOG_API_KEY' : 'DD_API_KEY'} is set but DATADOG_APP_KEY (or DD_APP_KEY) is not` : '',
      !ddApiKey && ddAppKey ? `${env.DATADOG_APP_KEY ? 'DATADOG_APP_KEY' : 'DD_APP_KEY'} is set but DATADOG_API_KEY (or DD_API_KEY) is not` : '',
      ddApiKey && ddAppKey && !env.DD_ENV ? 'the Datadog keys are set but DD_ENV is not: set it to the env tag of production, e.g. DD_ENV=prod' : '',
      env.NEW_RELIC_KEY && !env.NEW_RELIC_ACCOUNT_ID ? 'NEW_RELIC_KEY is set but NEW_RELIC_ACCOUNT_ID is not' : '',
    ].filter(Boolean);
    return { skip: `${MONITORING_HINT}${half.length ? ` (${half.join('; ')})` : ''}` };
  },

  validate(config, all, at) {
    for (const id of PROVIDERS) {
      const own = config[id];
      if (!own) continue;
      sourceOf(all, own.source, at(`${id}.source`), [id]);
    }
    const dd = config.datadog && (all.sources[config.datadog.source] as DatadogSourceConfig);
    if (dd && dd.apiKey && !dd.appKey) {
      throw new ConfigError(`source '${config.datadog!.source}' has an apiKey but no appKey; metric queries and monitors need DD-APPLICATION-KEY (set DATADOG_APP_KEY)`, at('datadog.source'));
    }
    if (dd && dd.apiKey && !config.datadog!.env) {
      throw new ConfigError("required: the env tag of production (e.g. env: prod, or ${env:DD_ENV}); without it staging data and monitors would count", at('datadog.env'));
    }
    const nr = config.newrelic && (all.sources[config.newrelic.source] as NewRelicSourceConfig);
    if (nr && nr.apiKey && (nr.accountId === undefined || nr.accountId === '')) {
      throw new ConfigError(`source '${config.newrelic!.source}' has an apiKey but no accountId; NRQL needs the account (set NEW_RELIC_ACCOUNT_ID)`, at('newrelic.source'));
    }
    for (const [k, q] of Object.entries(config.newrelic?.nrql ?? {})) {
      if (/\b(SINCE|UNTIL)\b/i.test(q)) throw new ConfigError('leave out SINCE/UNTIL: the gate appends its own window', at(`newrelic.nrql.${k}`));
    }
    for (const [k, pattern] of Object.entries(config.alertPatterns ?? {})) {
      try {
        new RegExp(pattern, 'i');
      } catch (err) {
        throw new ConfigError(`not a valid regular expression: ${(err as Error).message}`, at(`alertPatterns.${k}`));
      }
    }
  },

  async run(config, ctx) {
    const providers: MonitoringProvider[] = [];
    if (config.datadog) {
      const src = ctx.source<DatadogSourceConfig>(config.datadog.source, 'datadog.source', ['datadog']);
      if (src.apiKey) {
        const own = config.datadog;
        providers.push(
          await withKeys(ctx.secrets.resolve.bind(ctx.secrets), [src.apiKey, src.appKey ?? ''], 'datadog', 'Datadog', ([apiKey, appKey]) =>
            new DatadogMonitoring({
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
            }),
          ),
        );
      }
    }
    if (config.newrelic) {
      const src = ctx.source<NewRelicSourceConfig>(config.newrelic.source, 'newrelic.source', ['newrelic']);
      if (src.apiKey) {
        const own = config.newrelic;
        providers.push(
          await withKeys(ctx.secrets.resolve.bind(ctx.secrets), [src.apiKey], 'newrelic', 'New Relic', ([apiKey]) =>
            new NewRelicMonitoring({
              apiKey,
              accountId: Number(src.accountId),
              url: newRelicGraphqlUrl(src),
              queries: own.nrql,
              tenantAttribute: own.tenantAttribute ?? DEFAULT_TENANT_TAG,
              appName: own.appName,
              deadline: ctx.deadline,
            }),
          ),
        );
      }
    }
    if (config.cloudwatch) {
      const src = ctx.source<CloudWatchSourceConfig>(config.cloudwatch.source, 'cloudwatch.source', ['cloudwatch']);
      // The SDK's standard retry strategy handles throttling (with backoff) within maxAttempts.
      const client = new CloudWatchClient({
        ...(src.region ? { region: src.region } : {}),
        maxAttempts: 3,
        requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000 },
      });
      const region = src.region ?? (await client.config.region().catch(() => 'region not set'));
      providers.push(new CloudWatchMonitoring(client, { ...config.cloudwatch, region }));
    }
    if (providers.length === 0) return skippedOutcome(MONITORING_HINT);

    const tenantsGate = ctx.config.gates.tenants as { minTenants?: number } | undefined;
    const minTenants = config.minTenants ?? tenantsGate?.minTenants ?? 10;
    return checkMonitoring({
      providers,
      require: config.require ?? 'any',
      minTenants,
      minTenantsSource: config.minTenants ? 'gates.monitoring.minTenants' : tenantsGate?.minTenants ? 'gates.tenants.minTenants' : 'default',
      signalWindowMinutes: config.signalWindowMinutes ?? 15,
      tenantWindowHours: config.tenantWindowHours ?? 24,
      alertPatterns: { ...DEFAULT_ALERT_PATTERNS, ...config.alertPatterns },
      now: ctx.now(),
      signal: ctx.signal,
      progress: ctx.progress,
    });
  },
};

/**
 * Resolves a provider's keys (env values or `${secret:…}`) and registers them for redaction. When
 * a secret cannot be read, the provider is still reported, with every criterion in ERROR naming why.
 */
async function withKeys(
  resolve: (value: string) => Promise<string>,
  refs: string[],
  id: MonitoringProvider['id'],
  label: string,
  build: (keys: string[]) => MonitoringProvider,
): Promise<MonitoringProvider> {
  try {
    const keys = await Promise.all(refs.map((r) => (r && isSecretRef(r) ? resolve(r) : Promise.resolve(r))));
    keys.forEach(registerSecret);
    return build(keys);
  } catch (err) {
    const fail = () => Promise.reject(err);
    return { id, label, credentialsTitle: `${label} key readable`, verifyCredentials: fail, readSignals: fail, tenantBreakdown: fail, alertRules: fail };
  }
}
