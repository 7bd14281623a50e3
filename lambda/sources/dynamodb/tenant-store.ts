import { type DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isQuotaName } from '../../core/tenant-id';
import type { TenantCensus, TenantStore } from '../../checks/tenants/ports';
import { explainTableError, nextStartKey, SBT_AWS } from './contract';

export { dynamoDbSourceSchema, requireCustomLayoutNames, type DynamoDbLayout, type DynamoDbSourceConfig } from './schema';
import type { DynamoDbLayout } from './schema';

/** Where gate 1 finds tenants in a DynamoDB item. Paths are dotted; a JSON-string attribute is parsed. */
export interface DynamoDbTenantMapping {
  /** Default `tenantId`. */
  idAttribute?: string;
  /** Default (sbt-aws) `sbtaws_active`; an item without it is not active. Custom layout without it: every item is active. */
  statusAttribute?: string;
  /** Values meaning active, compared case-insensitively as strings. Default `[true, active]`. */
  activeValues?: string[];
  /** The tenant config attribute (a map, or JSON in a string). Default `tenantConfig`. */
  configAttribute?: string;
  /** Quota paths, e.g. `tenantConfig.quotas.requestsPerMinute`; each must be positive. Default: every
   * numeric field named like quota or rate_limit, at the top level or inside the config. */
  quotaPaths?: string[];
  /** Parallel scan segments. Default 4. */
  scanSegments?: number;
}

type Doc = Record<string, unknown>;

function parsed(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[{[]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Follows a dotted path through maps and JSON-string attributes. */
export function valueAtPath(item: Doc, path: string): unknown {
  let node: unknown = item;
  for (const part of path.split('.')) {
    node = parsed(node);
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Doc)[part];
  }
  return node;
}

/** Numeric fields named like quotas, anywhere in a document: path → value. */
function quotaFieldsIn(node: unknown, prefix: string, out: Map<string, unknown>, depth = 0): void {
  const doc = parsed(node);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || depth > 6) return;
  for (const [k, v] of Object.entries(doc as Doc)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const inner = parsed(v);
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) quotaFieldsIn(inner, path, out, depth + 1);
    else if (isQuotaName(k) && (typeof inner === 'number' || typeof inner === 'bigint' || inner === null || /^\s*-?\d/.test(String(inner))))
      out.set(path, inner);
  }
}

/** Which quota fields of one item miss, and how: absent, NULL, 0 or negative. */
function quotaWhy(quotas: Map<string, unknown>): string {
  if (quotas.size === 0) return 'no quota field';
  return [...quotas]
    .flatMap(([path, v]) => {
      if (v === undefined) return [`${path} is absent`];
      if (v === null) return [`${path} is NULL`];
      if (positive(v)) return [];
      const n = Number(v);
      return [`${path} is ${n === 0 ? '0' : String(v)}`];
    })
    .join(', ');
}

function positive(v: unknown): boolean {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0;
}

function hasConfig(v: unknown): boolean {
  const doc = parsed(v);
  if (doc === undefined || doc === null || doc === '') return false;
  if (typeof doc === 'object') return Object.keys(doc as Doc).length > 0;
  return false;
}

/**
 * Counts tenants in a DynamoDB table. DynamoDB cannot aggregate, so every page is scanned (in
 * parallel segments, projecting only the attributes needed) and the census is computed in one pass.
 */
export class DynamoDbTenantStore implements TenantStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly mapping: DynamoDbTenantMapping,
    private readonly progress?: (message: string) => void,
    private readonly layout: DynamoDbLayout = 'sbt-aws',
  ) {}

  async census(signal: AbortSignal): Promise<TenantCensus> {
    const m = this.mapping;
    const idAttr = m.idAttribute ?? SBT_AWS.id;
    const statusAttr = m.statusAttribute ?? (this.layout === 'sbt-aws' ? SBT_AWS.active : undefined);
    const activeValues = (m.activeValues ?? ['true', 'active']).map((v) => v.toLowerCase());
    const configAttr = m.configAttribute ?? SBT_AWS.config;
    const segments = m.scanSegments ?? 4;

    // Project only the top-level attributes the census reads (aliased: any may be a reserved word);
    // without explicit quota paths the whole item is needed to discover quota-named attributes.
    const roots = new Set([idAttr, statusAttr, configAttr].filter((p): p is string => p !== undefined).map((p) => p.split('.')[0]));
    for (const p of m.quotaPaths ?? []) roots.add(p.split('.')[0]);
    const names = Object.fromEntries([...roots].map((r, i) => [`#a${i}`, r]));
    const projection = m.quotaPaths ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {};

    let total = 0;
    let withStatus = 0;
    let pages = 0;
    const quotaFieldNames = new Set<string>();
    // One small record per item; the verdict on status waits until every item is seen.
    const rows: { id: string | null; hasStatus: boolean; active: boolean; config: boolean; quota: boolean; quotaWhy: string }[] = [];
    const scanSegment = async (segment: number) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        let page;
        try {
          page = await this.client.send(
            new ScanCommand({ TableName: this.table, Segment: segment, TotalSegments: segments, ExclusiveStartKey: start, ...projection }),
            { abortSignal: signal },
          );
        } catch (err) {
          throw signal.aborted ? err : await explainTableError(err, this.client, this.table);
        }
        pages++;
        if (page.Items !== undefined && !Array.isArray(page.Items)) {
          throw new Error(`malformed Scan response from DynamoDB table ${this.table}: Items is not a list`);
        }
        for (const raw of page.Items ?? []) {
          let item: Doc;
          try {
            item = unmarshall(raw, { wrapNumbers: false }) as Doc;
          } catch (err) {
            throw new Error(`malformed item in DynamoDB table ${this.table}: ${(err as Error).message}`);
          }
          total++;
          const status = statusAttr === undefined ? undefined : valueAtPath(item, statusAttr);
          const hasStatus = status !== undefined && status !== null;
          if (hasStatus) withStatus++;
          const quotas = new Map<string, unknown>();
          if (m.quotaPaths) for (const p of m.quotaPaths) quotas.set(p, valueAtPath(item, p));
          else quotaFieldsIn(item, '', quotas);
          for (const k of quotas.keys()) quotaFieldNames.add(k);
          const id = valueAtPath(item, idAttr);
          rows.push({
            id: id === undefined || id === null ? null : String(id),
            hasStatus,
            active: statusAttr === undefined || (hasStatus && activeValues.includes(String(status).toLowerCase())),
            config: hasConfig(valueAtPath(item, configAttr)),
            quota: quotas.size > 0 && [...quotas.values()].every(positive),
            quotaWhy: quotaWhy(quotas),
          });
        }
        if (pages % 20 === 0) this.progress?.(`scanned ${total} items`);
        start = nextStartKey(page.LastEvaluatedKey);
      } while (start);
    };
    await Promise.all(Array.from({ length: segments }, (_, s) => scanSegment(s)));

    const active = rows.filter((r) => r.active);
    const quotaFields = [...quotaFieldNames].sort();
    const missingConfig = active.filter((r) => !r.config).map((r) => r.id ?? '(no id)');
    const quotaOffenders = active
      .filter((r) => !r.quota)
      .map((r) => ({ id: r.id ?? '(no id)', why: r.quotaWhy }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ids = active.map((r) => r.id);
    return {
      store: `DynamoDB table ${this.table} (${pages} pages, ${segments} segments)`,
      total,
      active: active.length,
      activeRule: statusAttr === undefined ? 'every item (layout custom without statusAttribute)' : `${statusAttr} in (${activeValues.join(', ')})`,
      configRule: `a non-empty '${configAttr}' attribute`,
      missingConfig: { count: missingConfig.length, examples: missingConfig.sort().slice(0, 10) },
      quotaFields,
      missingQuota: {
        count: quotaOffenders.length,
        examples: quotaOffenders.slice(0, 10).map((o) => o.id),
        reasons: quotaOffenders.slice(0, 10).map((o) => o.why),
      },
      async *activeIds() {
        yield ids;
      },
      notes:
        statusAttr !== undefined && withStatus < total ? [`${total - withStatus} items have no '${statusAttr}' attribute and were not counted as active`] : [],
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
