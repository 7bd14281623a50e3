/** The `dynamodb` source: a DynamoDB table, for gate 1's tenants, gate 2's ledger, gate 3's configs and canary, and a history. */
import { COST_LEDGER } from '../../checks/cost/ports';
import { CANARY_STORE, CONFIG_STORE } from '../../checks/config/ports';
import { TENANT_STORE } from '../../checks/tenants/ports';
import type { JsonSchema } from '../../core/config/json-schema';
import { HISTORY } from '../../core/history';
import { tableArn, type Permission } from '../../core/permissions';
import { opens, type SourceDefinition } from '../../core/source';
import { dynamoDbSourceSchema, requireCustomLayoutNames, type DynamoDbSourceConfig } from './schema';

export type { DynamoDbSourceConfig } from './schema';

const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const names = { type: 'array', items: name, minItems: 1, uniqueItems: true };
const options = (properties: Record<string, JsonSchema>): JsonSchema => ({ properties });
const scanSegments = { type: 'integer', minimum: 1, maximum: 64, default: 4, description: 'DynamoDB: parallel scan segments.' };

// The adapters and the SDK client load when a gate opens a port, not when the declaration is read (validate, schema, synth).
const client = async (src: DynamoDbSourceConfig) =>
  new (require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb')).DynamoDBClient(src.region ? { region: src.region } : {});
const read = (src: DynamoDbSourceConfig, actions: string[]): Permission[] => [{ sid: 'ReadTable', actions, resources: [tableArn(src.table, src.region)] }];

export const source: SourceDefinition<DynamoDbSourceConfig> = {
  type: 'dynamodb',
  title: 'DynamoDB',
  module: __filename,
  schema: dynamoDbSourceSchema,
  opens: [
    opens(TENANT_STORE, {
      optionsSchema: options({
        idAttribute: { ...name, description: 'DynamoDB: ID attribute (sbt-aws: tenantId; required with layout custom).' },
        statusAttribute: { ...name, description: 'DynamoDB: status attribute path (sbt-aws: sbtaws_active; an item without it is not active).' },
        configAttribute: { ...name, description: 'DynamoDB: config attribute (sbt-aws: tenantConfig; required with layout custom).' },
        quotaPaths: { ...names, description: 'DynamoDB: quota paths, e.g. tenantConfig.quotas.requestsPerMinute.' },
        scanSegments,
      }),
      validate: (src, mapping, at, sourceName) => requireCustomLayoutNames(src, sourceName, mapping, ['idAttribute', 'configAttribute'], at),
      permissions: (src) => read(src, ['dynamodb:Scan']),
      open: async (src, mapping, ctx) =>
        new (require('./tenant-store') as typeof import('./tenant-store')).DynamoDbTenantStore(await client(src), src.table, mapping, ctx.progress, src.layout),
    }),
    opens(COST_LEDGER, {
      optionsSchema: options({ scanSegments }),
      permissions: (src) => read(src, ['dynamodb:Scan']),
      open: async (src, mapping) =>
        new (require('./ledger') as typeof import('./ledger')).DynamoDbCostLedger(
          await client(src),
          src.table,
          mapping,
          mapping.scanSegments as number | undefined,
        ),
    }),
    opens(CONFIG_STORE, {
      optionsSchema: options({
        idAttribute: { ...name, description: 'DynamoDB: partition key with the tenant ID (default tenantId).' },
        configAttribute: { ...name, description: 'DynamoDB: config attribute, JSON string or map (default tenantConfig).' },
        tierAttribute: { ...name, description: 'DynamoDB: tier attribute (default tier).' },
        updatedAtAttribute: { ...name, description: 'DynamoDB: ISO-8601 change stamp; counts changes in the window.' },
      }),
      validate: (src, mapping, at, sourceName) => requireCustomLayoutNames(src, sourceName, mapping, ['idAttribute', 'configAttribute'], at),
      permissions: (src) => read(src, ['dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups']),
      open: async (src, mapping) =>
        new (require('./config-store') as typeof import('./config-store')).DynamoDbConfigStore(await client(src), src.table, mapping),
    }),
    opens(CANARY_STORE, {
      permissions: (src, canary) => [
        {
          sid: 'WriteCanaryOnly',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [tableArn(src.table, src.region)],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [canary.tenant] } },
        },
      ],
      open: async (src, canary) =>
        new (require('./config-store') as typeof import('./config-store')).DynamoDbCanaryStore(await client(src), src.table, canary.mapping),
    }),
    opens(HISTORY, {
      permissions: (src, history) => [
        {
          sid: 'GateHistory',
          actions: ['dynamodb:Query', 'dynamodb:PutItem'],
          resources: [tableArn(src.table, src.region)],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': history.partitions } },
        },
      ],
      open: async (src) => {
        const c = await client(src);
        return Object.assign(new (require('./history') as typeof import('./history')).DynamoDbHistoryStore(c, src.table), { close: () => c.destroy() });
      },
    }),
  ],
};
