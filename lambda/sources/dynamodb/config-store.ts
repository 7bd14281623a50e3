import {
  ConditionalCheckFailedException,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditTrail, CanaryDocument, CanaryStore, ConfigSnapshot, ConfigStore } from '../../checks/config/ports';
import { explainTableError, nextStartKey, SBT_AWS } from './contract';

/** Where gate 3 finds tenant configs in a DynamoDB item (sbt-aws TenantDetails by default). */
export interface DynamoDbConfigMapping {
  /** Partition key holding the tenant ID. Default `tenantId`. */
  idAttribute?: string;
  /** The config attribute: JSON in a string (sbt-aws) or a map. Default `tenantConfig`. */
  configAttribute?: string;
  /** Default `tier`. */
  tierAttribute?: string;
  /** An ISO-8601 change stamp attribute; when set, changes in the window are counted from it. */
  updatedAtAttribute?: string;
}

/** The type letter of an attribute value (S, N, M, L, BOOL, …). */
const typeOf = (v: AttributeValue) => Object.keys(v).find((k) => k !== '$unknown') ?? '?';

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/**
 * Why a value in a Scan answer is not a DynamoDB attribute value (top level only), or undefined.
 * The SDK passes the wire JSON through unchecked, so a malformed answer must be caught here.
 */
function notAttributeValue(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `is a ${kindOf(v)}, not an attribute value`;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !ATTRIBUTE_TYPES.has(keys[0])) return `has no single attribute type (keys: ${keys.join(', ') || 'none'})`;
  const type = keys[0];
  const inner = (v as Record<string, unknown>)[type];
  let ok: boolean;
  switch (type) {
    case 'S':
    case 'N':
      ok = typeof inner === 'string';
      break;
    case 'BOOL':
    case 'NULL':
      ok = typeof inner === 'boolean';
      break;
    case 'M':
      ok = kindOf(inner) === 'object';
      break;
    case 'B':
      ok = inner !== null && inner !== undefined;
      break;
    default: // L, SS, NS, BS
      ok = Array.isArray(inner);
  }
  return ok ? undefined : `is a ${type} attribute holding a ${kindOf(inner)}`;
}

/**
 * Runs one SDK call; the SDK's deserialization failures (two lines) become one naming the operation
 * and table, and a missing table says how to find a generated name.
 */
async function sendChecked<T>(operation: string, client: DynamoDBClient, table: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const message = (err as { message?: unknown } | null)?.message;
    if (typeof message !== 'string' || !/Deserialization error/.test(message)) throw await explainTableError(err, client, table);
    throw new Error(`malformed ${operation} response from DynamoDB table ${table}: ${message.split('\n')[0].trim()}`);
  }
}

async function describeTable(client: DynamoDBClient, table: string, signal?: AbortSignal): Promise<TableDescription> {
  const out = await sendChecked('DescribeTable', client, table, () => client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal }));
  if (!out.Table) throw new Error(`DescribeTable returned no description for ${table}`);
  return out.Table;
}

/** Reads configs (one Scan), structure (DescribeTable) and the audit settings (streams, PITR) of a DynamoDB table. */
export class DynamoDbConfigStore implements ConfigStore {
  private description?: TableDescription;
  private configs?: ConfigSnapshot['configs'];

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly mapping: DynamoDbConfigMapping,
  ) {}

  async snapshot(signal: AbortSignal): Promise<ConfigSnapshot> {
    const m = this.mapping;
    const idAttr = m.idAttribute ?? SBT_AWS.id;
    const cfgAttr = m.configAttribute ?? SBT_AWS.config;
    const tierAttr = m.tierAttribute ?? SBT_AWS.tier;
    this.description = await describeTable(this.client, this.table, signal);
    const defs = new Map((this.description.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
    const structure = new Set((this.description.KeySchema ?? []).map((k) => `key ${k.AttributeName} ${k.KeyType} ${defs.get(k.AttributeName) ?? '?'}`));
    const configs: ConfigSnapshot['configs'] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pages = 0;
    let seen = 0;
    const malformed = `malformed Scan response from DynamoDB table ${this.table}`;
    do {
      const page = await sendChecked('Scan', this.client, this.table, () =>
        this.client.send(new ScanCommand({ TableName: this.table, ExclusiveStartKey: start }), { abortSignal: signal }),
      );
      pages++;
      const items: unknown = page.Items;
      if (items !== undefined && !Array.isArray(items)) throw new Error(`${malformed}: Items is not a list`);
      for (const item of (items ?? []) as unknown[]) {
        seen++;
        if (kindOf(item) !== 'object') throw new Error(`${malformed}: item ${seen} is not a map of attributes`);
        for (const [name, value] of Object.entries(item as Record<string, unknown>)) {
          const bad = notAttributeValue(value);
          if (bad) throw new Error(`${malformed}: item ${seen}, attribute ${name} ${bad}`);
          structure.add(`attribute ${name} ${typeOf(value as AttributeValue)}`);
        }
        const attrs = item as Record<string, AttributeValue>;
        const id = attrs[idAttr];
        if (!id) continue;
        const cfg = attrs[cfgAttr];
        const text = (v?: AttributeValue) => v?.S ?? v?.N ?? (v?.BOOL !== undefined ? String(v.BOOL) : null);
        const tenantId = text(id) ?? '(unreadable id)';
        let raw: unknown = null; // no attribute, or NULL: no config
        let problem: string | undefined;
        if (cfg?.S !== undefined) raw = cfg.S;
        else if (cfg?.M) {
          try {
            raw = unmarshall(cfg.M);
          } catch (err) {
            throw new Error(`${malformed}: item ${seen} (${tenantId}), attribute ${cfgAttr}: ${(err as Error).message}`);
          }
        } else if (cfg && !cfg.NULL) problem = `${cfgAttr} is a ${typeOf(cfg)} attribute; expected a JSON string or a map`;
        configs.push({
          tenantId,
          raw,
          ...(problem ? { problem } : {}),
          tier: text(attrs[tierAttr]),
          updatedAt: m.updatedAtAttribute ? text(attrs[m.updatedAtAttribute]) : null,
        });
      }
      start = nextStartKey(page.LastEvaluatedKey);
    } while (start);
    configs.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
    this.configs = configs;
    return { store: `DynamoDB table ${this.table}, attribute ${cfgAttr} (${pages} scan pages)`, configs, structure: [...structure] };
  }

  /** DynamoDB has no migrations tables: stability comes from the history alone. */
  async lastMigration(): Promise<undefined> {
    return undefined;
  }

  async auditTrail(since: Date, _reservedKey: string, _nonce: string | undefined, signal: AbortSignal): Promise<AuditTrail> {
    const table = (this.description ??= await describeTable(this.client, this.table, signal));
    const backups = await sendChecked('DescribeContinuousBackups', this.client, this.table, () =>
      this.client.send(new DescribeContinuousBackupsCommand({ TableName: this.table }), { abortSignal: signal }),
    );
    const pitr = backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const streams = table.StreamSpecification?.StreamEnabled ? `stream (${table.StreamSpecification.StreamViewType ?? 'enabled'})` : undefined;
    const parts = [
      pitr?.PointInTimeRecoveryStatus === 'ENABLED' ? `point-in-time recovery since ${pitr.EarliestRestorableDateTime?.toISOString() ?? '?'}` : undefined,
      streams,
    ].filter(Boolean);
    if (parts.length === 0) {
      return {
        present: false,
        where: `DynamoDB table ${this.table}: no stream and point-in-time recovery ${pitr?.PointInTimeRecoveryStatus ?? 'not reported'}`,
        changes: null,
      };
    }
    let changes: number | null = null;
    let countNote = 'streams and point-in-time recovery keep changes but do not count them; set updatedAtAttribute to count';
    if (this.mapping.updatedAtAttribute) {
      const configs = this.configs ?? (await this.snapshot(signal)).configs;
      const from = since.toISOString();
      changes = configs.filter((c) => c.updatedAt && c.updatedAt >= from).length;
      countNote = `tenants whose ${this.mapping.updatedAtAttribute} is in the window (at least one change each)`;
    }
    return { present: true, where: `DynamoDB table ${this.table}: ${parts.join(', ')}`, changes, countNote };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/**
 * Compare-and-set on the canary's item only: GetItem (strongly consistent) and UpdateItem with a
 * ConditionExpression on the config attribute, keyed by the canary's ID and nothing else.
 */
export class DynamoDbCanaryStore implements CanaryStore {
  private shape?: 'S' | 'M';

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly mapping: DynamoDbConfigMapping,
  ) {}

  describe(): string {
    return `DynamoDB table ${this.table}`;
  }

  private key(tenant: string) {
    return { [this.mapping.idAttribute ?? SBT_AWS.id]: { S: tenant } };
  }

  private value(config: string): AttributeValue {
    return this.shape === 'M' ? { M: marshall(JSON.parse(config) as Record<string, unknown>, { removeUndefinedValues: true }) } : { S: config };
  }

  async read(tenant: string, signal?: AbortSignal): Promise<CanaryDocument | undefined> {
    const attr = this.mapping.configAttribute ?? SBT_AWS.config;
    const out = await sendChecked('GetItem', this.client, this.table, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: this.key(tenant),
          ConsistentRead: true,
          ProjectionExpression: '#c',
          ExpressionAttributeNames: { '#c': attr },
        }),
        { abortSignal: signal },
      ),
    );
    const v = out.Item?.[attr];
    if (!v) return undefined;
    if (v.S !== undefined) {
      this.shape = 'S';
      return { config: v.S };
    }
    if (v.M) {
      this.shape = 'M';
      return { config: JSON.stringify(unmarshall(v.M)) };
    }
    throw new Error(`canary '${tenant}': ${attr} is a ${typeOf(v)} attribute; expected a JSON string or a map`);
  }

  private async conditionalSet(tenant: string, expected: string, next: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(tenant),
          UpdateExpression: 'SET #c = :next',
          ConditionExpression: '#c = :expected',
          ExpressionAttributeNames: { '#c': this.mapping.configAttribute ?? SBT_AWS.config },
          ExpressionAttributeValues: { ':next': this.value(next), ':expected': this.value(expected) },
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  write(tenant: string, expected: CanaryDocument, next: string, signal?: AbortSignal): Promise<boolean> {
    return this.conditionalSet(tenant, expected.config, next, signal);
  }

  async restore(tenant: string, current: string, original: CanaryDocument): Promise<boolean> {
    // A repair in a new process learns whether the attribute is a string or a map first.
    if (!this.shape) await this.read(tenant);
    return this.conditionalSet(tenant, current, original.config);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
