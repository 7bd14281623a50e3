import { SourceError } from '../../core/errors';
import { nextMonthStart } from '../../checks/cost/window';
import type { ObjectStore } from './store';

/** The current snapshot of one billing period: the files its manifest lists, nothing else. */
export interface PeriodSnapshot {
  /** YYYY-MM. */
  month: string;
  /** [first day, first day after) of the billing period. */
  days: [string, string];
  /** Where the manifest was read, for messages. */
  manifest: string;
  /** `executionId` (Data Exports) or `assemblyId` (legacy CUR). */
  snapshot: string;
  /** Keys of the data files, in the manifest's order. */
  files: string[];
  layout: 'dataexport' | 'legacy';
}

export interface ExportLocation {
  prefix: string;
  exportName: string;
  layout?: 'dataexport' | 'legacy';
}

const base = (loc: ExportLocation) => `${loc.prefix ? `${loc.prefix}/` : ''}${loc.exportName}`;

/** Where the reader looks for a month's manifest, for the ERROR when there is none. */
export function manifestKeys(loc: ExportLocation, month: string): string[] {
  const de = `${base(loc)}/metadata/BILLING_PERIOD=${month}/${loc.exportName}-Manifest.json`;
  const legacy = `${base(loc)}/${legacyFolder(month)}/${loc.exportName}-Manifest.json`;
  return loc.layout === 'dataexport' ? [de] : loc.layout === 'legacy' ? [legacy] : [de, legacy];
}

/** CUR-13: `yyyymmdd-yyyymmdd`, the period's first day and the next period's. */
function legacyFolder(month: string): string {
  return `${month.replace('-', '')}01-${nextMonthStart(month).slice(0, 7).replace('-', '')}01`;
}

/**
 * The current snapshot of `month`: the Data Exports manifest at its fixed key (DE-2), else the
 * newest one under the partition's metadata folder (create-new delivery, DE-5), else the legacy
 * CUR period manifest (CUR-14). Undefined when the export has no manifest for the month.
 */
export async function findSnapshot(store: ObjectStore, loc: ExportLocation, month: string, signal: AbortSignal): Promise<PeriodSnapshot | undefined> {
  if (loc.layout !== 'legacy') {
    const fixed = `${base(loc)}/metadata/BILLING_PERIOD=${month}/${loc.exportName}-Manifest.json`;
    let key = fixed;
    let body = await store.get(fixed, signal);
    if (!body) {
      const folder = `${base(loc)}/metadata/BILLING_PERIOD=${month}/`;
      const manifests = (await store.list(folder, signal)).filter((o) => o.key.endsWith('-Manifest.json'));
      const newest = manifests.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.key < b.key ? 1 : -1))[0];
      if (newest) {
        key = newest.key;
        body = await store.get(key, signal);
      }
    }
    if (body) return dataExportsManifest(store, `${store.label}/${key}`, body, month);
  }
  if (loc.layout !== 'dataexport') {
    const key = `${base(loc)}/${legacyFolder(month)}/${loc.exportName}-Manifest.json`;
    const body = await store.get(key, signal);
    if (body) return legacyManifest(`${store.label}/${key}`, body, month);
  }
  return undefined;
}

function parseJson(where: string, body: Buffer): Record<string, unknown> {
  try {
    const doc = JSON.parse(body.toString('utf8')) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SourceError('malformed', `${where} is not a JSON manifest`);
}

/** An ISO timestamp or `YYYYMMDDTHHmmss.SSSZ` (CUR-15) as its day, YYYY-MM-DD. */
function dayOfStamp(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(text);
  if (iso) return iso[1];
  const compact = /^(\d{4})(\d{2})(\d{2})T/.exec(text);
  return compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : undefined;
}

/**
 * `billingPeriod {start, end}` when the manifest states it as a pair of dates, else the calendar
 * month of the partition (DE-1), which the period is by definition.
 */
function periodOf(doc: Record<string, unknown>, month: string): [string, string] {
  const bp = doc.billingPeriod as { start?: unknown; end?: unknown } | undefined;
  const start = dayOfStamp(bp?.start);
  const end = dayOfStamp(bp?.end);
  return start && end && end > start ? [start, end] : [`${month}-01`, nextMonthStart(month)];
}

/** DE-3: `executionId`, `dataFiles` (full S3 URIs). */
function dataExportsManifest(store: ObjectStore, where: string, body: Buffer, month: string): PeriodSnapshot {
  const doc = parseJson(where, body);
  const files = doc.dataFiles;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) throw new SourceError('malformed', `${where}: dataFiles is not a list of S3 URIs`);
  return {
    month,
    days: periodOf(doc, month),
    manifest: where,
    snapshot: typeof doc.executionId === 'string' ? doc.executionId : '(no executionId)',
    files: (files as string[]).map((uri) => store.keyOf(uri)),
    layout: 'dataexport',
  };
}

/** CUR-15: `assemblyId`, `reportKeys` (keys in the bucket), `billingPeriod`. */
function legacyManifest(where: string, body: Buffer, month: string): PeriodSnapshot {
  const doc = parseJson(where, body);
  const keys = doc.reportKeys;
  if (!Array.isArray(keys) || !keys.every((f) => typeof f === 'string')) throw new SourceError('malformed', `${where}: reportKeys is not a list of S3 keys`);
  return {
    month,
    days: periodOf(doc, month),
    manifest: where,
    snapshot: typeof doc.assemblyId === 'string' ? doc.assemblyId : '(no assemblyId)',
    files: keys as string[],
    layout: 'legacy',
  };
}
