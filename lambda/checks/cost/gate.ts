import { optionProperties } from '../../core/config/schema';
import { ConfigError } from '../../core/errors';
import type { GateCommon, GateDefinition, SourceCatalog } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import type { SourceUse } from '../../core/source';
import type { ProviderSetup } from './check';
import type { LedgerMapping } from './ledger-mapping';
import { parseMoney } from './money';
import { AWS_BILL, COST_LEDGER, OPENAI_BILL, type AwsBillQuery, type BillSource, type CostLedger, type LedgerOptions, type Provider } from './ports';
import { parseDay, resolveWindow, type WindowConfig } from './window';

/** `gates.cost` in readiness.yaml. */
export interface CostGateConfig extends GateCommon {
  /** The ledger's source, its column names, and what only one backend reads (table, scanSegments). */
  ledger: LedgerMapping & { source: string; [setting: string]: unknown };
  aws?: {
    source: string;
    tagKey: string;
    metric: AwsBillQuery['metric'];
    excludeRecordTypes: string[];
    linkedAccounts?: string[];
    sharedValue?: string;
    ledgerProviders: string[];
    maxUntaggedPercent: number;
    /** Options of the bill source actually used (e.g. costexplorer's maxCostExplorerUsd). */
    [setting: string]: unknown;
  };
  openai?: { source: string; projects?: Record<string, string>; ledgerProviders: string[] };
  window?: WindowConfig;
  tolerancePercent: number;
  materialityUsd: number;
  maxLagHours: number;
}

const ident = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const providerValues = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true };

const schema = (catalog: SourceCatalog): JsonSchema => ({
  required: ['ledger'],
  anyOf: [{ required: ['aws'] }, { required: ['openai'] }],
  $comment: 'configure at least one bill: aws or openai',
  properties: {
    ledger: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      description: "The app's own cost ledger: tenant_costs(tenant_id, usage_date, provider, cost_usd).",
      properties: {
        source: { type: 'string', description: 'A postgres, dynamodb or csv source.' },
        tenantColumn: { ...ident, default: 'tenant_id' },
        dateColumn: { ...ident, default: 'usage_date', description: 'A date (date-only) or timestamp column.' },
        providerColumn: { ...ident, default: 'provider' },
        costColumn: { ...ident, default: 'cost_usd', description: 'Cost in USD (numeric).' },
        ...optionProperties(catalog, COST_LEDGER.id),
      },
    },
    aws: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      description: 'The actual AWS bill: a costexplorer, cur, dataexport or athena source.',
      properties: {
        source: { type: 'string', description: 'A costexplorer, cur, dataexport or athena source.' },
        tagKey: { type: 'string', minLength: 1, maxLength: 128, default: 'tenant_id', description: 'Cost allocation tag holding the tenant ID.' },
        metric: { enum: ['UnblendedCost', 'AmortizedCost', 'NetUnblendedCost', 'BlendedCost', 'NetAmortizedCost'], default: 'UnblendedCost' },
        excludeRecordTypes: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          default: ['Credit', 'Refund', 'Tax'],
          description: 'Record types left out ([] keeps all).',
        },
        linkedAccounts: {
          type: 'array',
          items: { type: 'string', pattern: '^\\d{12}$' },
          minItems: 1,
          uniqueItems: true,
          description: 'Only these linked accounts.',
        },
        sharedValue: { type: 'string', minLength: 1, description: 'Tag value of pooled resources (e.g. shared).' },
        ledgerProviders: { ...providerValues, default: ['aws'], description: 'Ledger provider values that are AWS costs.' },
        maxUntaggedPercent: {
          type: 'number',
          minimum: 0,
          maximum: 100,
          default: 20,
          description: 'The largest untagged share of the AWS bill that still PASSes.',
        },
        ...optionProperties(catalog, AWS_BILL.id),
      },
    },
    openai: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      description: 'The actual OpenAI bill: an openai source.',
      properties: {
        source: { type: 'string', description: 'An openai source.' },
        projects: {
          type: 'object',
          additionalProperties: { type: 'string', minLength: 1 },
          description: 'Project ID → tenant ID. Without it OpenAI is compared in total only.',
        },
        ledgerProviders: { ...providerValues, default: ['openai'], description: 'Ledger provider values that are OpenAI costs.' },
      },
    },
    window: {
      description: 'Default: the last 30 days ending 2 days before today (UTC). --from/--to override.',
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            lastDays: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
            settleDays: { type: 'integer', minimum: 0, maximum: 31, default: 2, description: 'Days before today the window ends.' },
          },
        },
        { type: 'object', additionalProperties: false, required: ['previousMonth'], properties: { previousMonth: { const: true } } },
        { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: day, to: day } },
      ],
    },
    tolerancePercent: { type: 'number', exclusiveMinimum: 0, maximum: 100, default: 5, description: 'Allowed |tracked − actual| / actual.' },
    materialityUsd: { type: 'number', minimum: 0, default: 1, description: 'Tenants below this (tracked and actual) are not judged.' },
    maxLagHours: { type: 'number', exclusiveMinimum: 0, maximum: 8784, default: 24, description: 'Max age of the newest ledger entry.' },
  },
});

const ledgerUse = (c: CostGateConfig): SourceUse<CostLedger, LedgerOptions> => ({
  port: COST_LEDGER,
  source: c.ledger.source,
  field: 'ledger.source',
  options: c.ledger,
  optionsAt: 'ledger',
});
const awsUse = (aws: NonNullable<CostGateConfig['aws']>): SourceUse<BillSource, AwsBillQuery> => ({
  port: AWS_BILL,
  source: aws.source,
  field: 'aws.source',
  // The whole section: the query, plus the options the bill source declares (defaults applied once, at load).
  options: aws as AwsBillQuery & Record<string, unknown>,
  optionsAt: 'aws',
});
const openaiUse = (openai: NonNullable<CostGateConfig['openai']>): SourceUse<BillSource, Record<string, never>> => ({
  port: OPENAI_BILL,
  source: openai.source,
  field: 'openai.source',
  options: {},
});

export const gate: GateDefinition<CostGateConfig> = {
  id: 'cost',
  title: 'Cost tracking accurate',
  module: __filename,
  configSchema: schema,
  criteria: [
    { id: 'ledger', title: 'Cost ledger readable', remediation: 'Check the ledger source settings (table and column names) and that it is reachable.' },
    { id: 'fresh', title: 'Cost ledger up to date', remediation: 'The app must write cost entries continuously (at least daily).' },
    { id: 'aws', title: 'AWS bill readable', remediation: 'Check the AWS bill source settings and credentials.' },
    { id: 'aws-total', title: 'AWS total within tolerance', remediation: 'Reconcile the ledger with the AWS bill: untagged resources, missing metering.' },
    { id: 'aws-tenants', title: 'AWS per tenant within tolerance', remediation: "Compare each tenant's ledger entries with the resources tagged with it." },
    {
      id: 'aws-allocation',
      title: 'AWS bill fully allocated',
      remediation: 'Tag the resources behind untagged spend (pooled ones with the shared value), or raise aws.maxUntaggedPercent if that share is accepted.',
    },
    { id: 'openai', title: 'OpenAI bill readable', remediation: 'Check the OpenAI bill source settings and the admin key.' },
    { id: 'openai-total', title: 'OpenAI total within tolerance', remediation: 'Reconcile the ledger with the OpenAI bill.' },
    { id: 'openai-tenants', title: 'OpenAI per tenant within tolerance', remediation: "Compare each tenant's ledger entries with its OpenAI project." },
  ],
  keyMeasurement: { measurement: 'variancePercent', metric: 'CostVariancePercent', unit: 'Percent', label: 'Cost variance %', symmetric: true },
  deployment: {
    scheduleHours: 24,
    why: 'Cost Explorer refreshes its data about once a day and charges $0.01 per request',
    threshold: (config) => config.tolerancePercent,
  },
  cliOptions: [
    { name: 'from', type: 'string', description: 'cost: first day of the window, YYYY-MM-DD (inclusive; with --to)' },
    { name: 'to', type: 'string', description: 'cost: last day of the window, YYYY-MM-DD (inclusive)' },
  ],
  checkOptions(options) {
    // The window from --from/--to alone: a missing partner or a bad date is a usage error.
    if (options.from !== undefined || options.to !== undefined) resolveWindow(undefined, options, new Date());
  },

  fromEnvironment(env) {
    const bills = 'OPENAI_ADMIN_KEY and/or SAAS_READINESS_COST_TAG=tenant_id (Cost Explorer, $0.01 per request) or SAAS_READINESS_BILL_EXPORT=path/to/cur.csv';
    // The hint names what is actually missing: a set DATABASE_URL is not asked for again.
    if (!env.DATABASE_URL) {
      return { skip: `not configured: set DATABASE_URL (ledger table tenant_costs) plus ${bills}; or write gates.cost in readiness.yaml` };
    }
    const hint = `not configured: DATABASE_URL is set (the ledger), but no bill to compare it with: set ${bills}; or write gates.cost in readiness.yaml`;
    const sources: Record<string, SourceConfig> = {
      appdb: { type: 'postgres', url: env.DATABASE_URL },
    };
    const gate = { ledger: { source: 'appdb' } } as CostGateConfig;
    if (env.SAAS_READINESS_BILL_EXPORT) {
      sources['aws-bill'] = { type: 'cur', path: env.SAAS_READINESS_BILL_EXPORT };
      gate.aws = { source: 'aws-bill', ...(env.SAAS_READINESS_COST_TAG ? { tagKey: env.SAAS_READINESS_COST_TAG } : {}) } as CostGateConfig['aws'];
    } else if (env.SAAS_READINESS_COST_TAG) {
      sources['aws-bill'] = { type: 'costexplorer' };
      gate.aws = { source: 'aws-bill', tagKey: env.SAAS_READINESS_COST_TAG } as CostGateConfig['aws'];
    }
    if (env.OPENAI_ADMIN_KEY) {
      sources['openai-bill'] = { type: 'openai', adminKey: env.OPENAI_ADMIN_KEY, ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}) };
      gate.openai = { source: 'openai-bill' } as CostGateConfig['openai'];
    }
    if (!gate.aws && !gate.openai) return { skip: hint };
    return { gate, sources };
  },

  uses: (c) => [ledgerUse(c), ...(c.aws ? [awsUse(c.aws)] : []), ...(c.openai ? [openaiUse(c.openai)] : [])],

  validate(config, at) {
    const w = config.window;
    if (w && 'from' in w) {
      if (!parseDay(w.from)) throw new ConfigError(`not a calendar date: '${w.from}'`, at('window.from'));
      if (!parseDay(w.to)) throw new ConfigError(`not a calendar date: '${w.to}'`, at('window.to'));
      if (w.to < w.from) throw new ConfigError(`${w.to} is before window.from ${w.from}`, at('window.to'));
    }
  },

  async run(config, ctx) {
    const window = resolveWindow(config.window, ctx.options, ctx.now());
    const closers: (() => unknown)[] = [];
    const ledger = await ctx.open(ledgerUse(config));
    closers.push(() => ledger.close());
    const providers: Partial<Record<Provider, ProviderSetup>> = {};
    try {
      if (config.aws) {
        const bill = await ctx.open(awsUse(config.aws));
        closers.push(() => bill.close?.());
        providers.aws = {
          bill,
          ledgerValues: config.aws.ledgerProviders,
          sharedValue: config.aws.sharedValue,
          tagKey: config.aws.tagKey,
          maxUntaggedPercent: parseMoney(String(config.aws.maxUntaggedPercent)),
        };
      }
      if (config.openai) {
        providers.openai = { bill: await ctx.open(openaiUse(config.openai)), ledgerValues: config.openai.ledgerProviders, projects: config.openai.projects };
      }
      // The check's code loads when the gate runs, not when the declaration is read (help, schema, validate, synth).
      const { checkCost } = require('./check') as typeof import('./check');
      return await checkCost({
        ledger,
        window,
        providers,
        tolerancePercent: parseMoney(String(config.tolerancePercent)),
        materiality: parseMoney(String(config.materialityUsd)),
        maxLagHours: config.maxLagHours,
        now: ctx.now(),
        signal: ctx.signal,
        progress: ctx.progress,
      });
    } finally {
      await Promise.all(closers.map((close) => close()));
    }
  },
};
