import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../core/errors';
import { sourceOf } from '../../core/config/sources';
import type { GateCommon, GateDefinition } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import type { DynamoDbSourceConfig } from '../../sources/dynamodb/tenant-store';
import { connectPostgres, clientConfig, describeTarget, type PostgresSourceConfig } from '../../sources/postgres/connection';
import { CostExplorerBill, type CostExplorerSourceConfig } from '../../sources/costexplorer/bill';
import { CUR_METRICS, CurBill, type CurSourceConfig } from '../../sources/cur/bill';
import { DataExportBill } from '../../sources/dataexport/bill';
import type { DataExportSourceConfig } from '../../sources/dataexport/schema';
import { AthenaBill } from '../../sources/athena/bill';
import { costColumn } from '../../sources/athena/query';
import type { AthenaSourceConfig } from '../../sources/athena/schema';
import { OpenAiCostsBill, type OpenAiSourceConfig } from '../../sources/openai/costs';
import { CsvCostLedger, type CsvSourceConfig } from '../../sources/ledger/csv';
import { DynamoDbCostLedger } from '../../sources/ledger/dynamodb';
import type { LedgerMapping } from '../../sources/ledger/mapping';
import { PostgresCostLedger } from '../../sources/ledger/postgres';
import { checkCost, type ProviderSetup } from './check';
import { parseMoney } from './money';
import type { AwsBillQuery, BillSource, CostLedger, Provider } from './ports';
import { parseDay, resolveWindow, type WindowConfig } from './window';

/** `gates.cost` in readiness.yaml. */
export interface CostGateConfig extends GateCommon {
  ledger: LedgerMapping & { source: string; scanSegments?: number };
  aws?: {
    source: string;
    tagKey?: string;
    metric?: AwsBillQuery['metric'];
    excludeRecordTypes?: string[];
    linkedAccounts?: string[];
    sharedValue?: string;
    ledgerProviders?: string[];
    maxCostExplorerUsd?: number;
    maxUntaggedPercent?: number;
  };
  openai?: { source: string; projects?: Record<string, string>; ledgerProviders?: string[] };
  window?: WindowConfig;
  tolerancePercent?: number;
  materialityUsd?: number;
  maxLagHours?: number;
}

const ident = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const providerValues = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true };

const schema: JsonSchema = {
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
        table: { ...ident, default: 'tenant_costs', description: 'PostgreSQL: the ledger table.' },
        tenantColumn: { ...ident, default: 'tenant_id' },
        dateColumn: { ...ident, default: 'usage_date', description: 'A date (date-only) or timestamp column.' },
        providerColumn: { ...ident, default: 'provider' },
        costColumn: { ...ident, default: 'cost_usd', description: 'Cost in USD (numeric).' },
        scanSegments: { type: 'integer', minimum: 1, maximum: 64, default: 4, description: 'DynamoDB: parallel scan segments.' },
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
        excludeRecordTypes: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: ['Credit', 'Refund', 'Tax'], description: 'Record types left out ([] keeps all).' },
        linkedAccounts: { type: 'array', items: { type: 'string', pattern: '^\\d{12}$' }, minItems: 1, uniqueItems: true, description: 'Only these linked accounts.' },
        sharedValue: { type: 'string', minLength: 1, description: 'Tag value of pooled resources (e.g. shared).' },
        ledgerProviders: { ...providerValues, default: ['aws'], description: 'Ledger provider values that are AWS costs.' },
        maxCostExplorerUsd: {
          type: 'number',
          minimum: 0.01,
          maximum: 1000,
          default: 0.25,
          description: 'Cost Explorer: the most one run may spend on requests ($0.01 each); past it the gate ERRORs pointing to the dataexport and athena sources.',
        },
        maxUntaggedPercent: { type: 'number', minimum: 0, maximum: 100, default: 20, description: 'The largest untagged share of the AWS bill that still PASSes.' },
      },
    },
    openai: {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      description: 'The actual OpenAI bill: an openai source.',
      properties: {
        source: { type: 'string', description: 'An openai source.' },
        projects: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, description: 'Project ID → tenant ID. Without it OpenAI is compared in total only.' },
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
};

const LEDGER_TYPES = ['postgres', 'dynamodb', 'csv'] as const;
const AWS_BILL_TYPES = ['costexplorer', 'cur', 'dataexport', 'athena'] as const;
const POSTGRES_ONLY = ['table'] as const;

export const costGate: GateDefinition<CostGateConfig> = {
  id: 'cost',
  title: 'Cost tracking accurate',
  configSchema: schema,
  cliOptions: [
    { name: 'from', type: 'string', description: 'cost: first day of the window, YYYY-MM-DD (inclusive; with --to)' },
    { name: 'to', type: 'string', description: 'cost: last day of the window, YYYY-MM-DD (inclusive)' },
  ],
  checkOptions(options) {
    // The window from --from/--to alone: a missing partner or a bad date is a usage error.
    if (options.from !== undefined || options.to !== undefined) resolveWindow(undefined, options, new Date());
  },

  fromEnvironment(env) {
    const hint =
      'not configured: set DATABASE_URL (ledger table tenant_costs) plus OPENAI_ADMIN_KEY and/or SAAS_READINESS_COST_TAG=tenant_id (Cost Explorer, $0.01 per request) or SAAS_READINESS_BILL_EXPORT=path/to/cur.csv; or write gates.cost in readiness.yaml';
    if (!env.DATABASE_URL) return { skip: hint };
    const sources: Record<string, PostgresSourceConfig | CostExplorerSourceConfig | CurSourceConfig | OpenAiSourceConfig> = {
      appdb: { type: 'postgres', url: env.DATABASE_URL },
    };
    const gate: CostGateConfig = { ledger: { source: 'appdb' } };
    if (env.SAAS_READINESS_BILL_EXPORT) {
      sources['aws-bill'] = { type: 'cur', path: env.SAAS_READINESS_BILL_EXPORT };
      gate.aws = { source: 'aws-bill', ...(env.SAAS_READINESS_COST_TAG ? { tagKey: env.SAAS_READINESS_COST_TAG } : {}) };
    } else if (env.SAAS_READINESS_COST_TAG) {
      sources['aws-bill'] = { type: 'costexplorer' };
      gate.aws = { source: 'aws-bill', tagKey: env.SAAS_READINESS_COST_TAG };
    }
    if (env.OPENAI_ADMIN_KEY) {
      sources['openai-bill'] = { type: 'openai', adminKey: env.OPENAI_ADMIN_KEY, ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}) };
      gate.openai = { source: 'openai-bill' };
    }
    if (!gate.aws && !gate.openai) return { skip: hint };
    return { gate, sources };
  },

  validate(config, all, at) {
    const check = (name: string, field: string, types: readonly string[]) => sourceOf(all, name, at(field), types).type;
    const ledgerType = check(config.ledger.source, 'ledger.source', LEDGER_TYPES);
    for (const key of POSTGRES_ONLY) {
      if (ledgerType !== 'postgres' && config.ledger[key] !== undefined) throw new ConfigError(`only applies to a postgres ledger; '${config.ledger.source}' is ${ledgerType}`, at(`ledger.${key}`));
    }
    if (ledgerType !== 'dynamodb' && config.ledger.scanSegments !== undefined) throw new ConfigError(`only applies to a dynamodb ledger`, at('ledger.scanSegments'));
    if (config.aws) {
      const type = check(config.aws.source, 'aws.source', AWS_BILL_TYPES);
      const metric = config.aws.metric ?? 'UnblendedCost';
      if ((type === 'cur' || type === 'dataexport') && !(CUR_METRICS as readonly string[]).includes(metric)) {
        throw new ConfigError(`${metric} cannot be read from a bill export (use ${CUR_METRICS.join(', ')}, or a costexplorer source)`, at('aws.metric'));
      }
      if (type === 'athena') {
        const src = all.sources[config.aws.source] as AthenaSourceConfig;
        try {
          costColumn(src.format ?? 'cur2', metric);
        } catch (err) {
          throw new ConfigError((err as Error).message, at('aws.metric'));
        }
      }
      if (config.aws.maxCostExplorerUsd !== undefined && type !== 'costexplorer') throw new ConfigError(`only applies to a costexplorer source; '${config.aws.source}' is ${type}`, at('aws.maxCostExplorerUsd'));
    }
    if (config.openai) check(config.openai.source, 'openai.source', ['openai']);
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
    const ledger = await openLedger(config, ctx);
    closers.push(() => ledger.close());
    const providers: Partial<Record<Provider, ProviderSetup>> = {};
    try {
      if (config.aws) {
        const a = config.aws;
        const src = ctx.source<CostExplorerSourceConfig | CurSourceConfig | DataExportSourceConfig | AthenaSourceConfig>(a.source, 'aws.source', AWS_BILL_TYPES);
        const query: AwsBillQuery = {
          tagKey: a.tagKey ?? 'tenant_id',
          metric: a.metric ?? 'UnblendedCost',
          excludeRecordTypes: a.excludeRecordTypes ?? ['Credit', 'Refund', 'Tax'],
          linkedAccounts: a.linkedAccounts,
        };
        const bill: BillSource =
          src.type === 'costexplorer'
            ? new CostExplorerBill(src, query, parseMoney(String(a.maxCostExplorerUsd ?? 0.25)))
            : src.type === 'cur'
              ? new CurBill(src, query)
              : src.type === 'dataexport'
                ? new DataExportBill(src, query)
                : new AthenaBill(src, query, ctx.deadline);
        closers.push(() => bill.close?.());
        providers.aws = {
          bill,
          ledgerValues: a.ledgerProviders ?? ['aws'],
          sharedValue: a.sharedValue,
          tagKey: query.tagKey,
          maxUntaggedPercent: parseMoney(String(a.maxUntaggedPercent ?? 20)),
        };
      }
      if (config.openai) {
        const src = ctx.source<OpenAiSourceConfig>(config.openai.source, 'openai.source', ['openai']);
        providers.openai = { bill: new OpenAiCostsBill(src, ctx.secrets, ctx.deadline), ledgerValues: config.openai.ledgerProviders ?? ['openai'], projects: config.openai.projects };
      }
      return await checkCost({
        ledger,
        window,
        providers,
        tolerancePercent: parseMoney(String(config.tolerancePercent ?? 5)),
        materiality: parseMoney(String(config.materialityUsd ?? 1)),
        maxLagHours: config.maxLagHours ?? 24,
        now: ctx.now(),
        signal: ctx.signal,
        progress: ctx.progress,
      });
    } finally {
      await Promise.all(closers.map((close) => close()));
    }
  },
};

async function openLedger(config: CostGateConfig, ctx: Parameters<GateDefinition['run']>[1]): Promise<CostLedger> {
  const src = ctx.source<PostgresSourceConfig | DynamoDbSourceConfig | CsvSourceConfig>(config.ledger.source, 'ledger.source', LEDGER_TYPES);
  if (src.type === 'postgres') {
    const target = describeTarget(await clientConfig(src, ctx.secrets));
    return new PostgresCostLedger(() => connectPostgres(src, ctx.secrets, ctx.signal), config.ledger, target);
  }
  if (src.type === 'dynamodb') {
    return new DynamoDbCostLedger(new DynamoDBClient(src.region ? { region: src.region } : {}), src.table, config.ledger, config.ledger.scanSegments ?? 4);
  }
  return new CsvCostLedger(src, config.ledger);
}

