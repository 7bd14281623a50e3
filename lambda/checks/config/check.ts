import { dump } from 'js-yaml';
import { describeError, SourceError } from '../../core/errors';
import type { HistoryRecord, HistoryStore } from '../../core/history';
import { redact } from '../../core/redact';
import { listOffenders, outcomeFromCriteria, type Criterion, type GateOutcome } from '../../core/result';
import { describeChange, fingerprintOf, jsonShape, type Fingerprint } from './fingerprint';
import type { AuditTrail, ConfigSnapshot, ConfigStore, MigrationRecord, StoredConfig } from './ports';
import { repairPending, runRoundTrip, type RoundTripOptions, type RoundTripResult } from './round-trip';

const DAY_MS = 86_400_000;

export interface ConfigCheckInput {
  store: ConfigStore;
  history: HistoryStore;
  /** History partition of this store's fingerprints (`historyKey.schema(suite, source)`). */
  historyKey: string;
  stableDays: number;
  /** False: build no `tenant_configs.yaml` (nothing will write it). Default true. */
  buildArtifact?: boolean;
  /** The probe's reserved key, left out of fingerprints, validation, artifacts and change counts. */
  reservedKey: string;
  /** Validates one config (reserved key removed); returns the first problem, or undefined. */
  validateConfig?: (doc: Record<string, unknown>) => string | undefined;
  /** Shown in evidence, e.g. the schema file name. */
  schemaName?: string;
  fingerprintDepth?: number;
  /** The canary round trip, when configured. */
  roundTrip?: Omit<RoundTripOptions, 'signal' | 'now' | 'progress' | 'key'>;
  probesAllowed: boolean;
  signal: AbortSignal;
  /** Aborts the probe early enough to restore before the gate's deadline. */
  probeSignal: AbortSignal;
  now: () => Date;
  progress?: (message: string) => void;
}

/** What the history keeps per run and store. */
interface SchemaRecord extends HistoryRecord {
  fingerprint: string;
  entries: string[];
  /** First time this fingerprint was recorded (carried forward while it stays the same). */
  since: string;
  /** The change that produced this fingerprint, when history saw the one before. */
  change?: { lines: string[]; detectedAt: string; previousSeenAt: string };
}

type Parsed = { tenant: StoredConfig; doc?: Record<string, unknown>; problem?: string };

/** What one pass over the configs keeps: the problems, the JSON shapes and the artifact lines. */
interface ConfigsPass {
  count: number;
  broken: { id: string; why: string }[];
  invalid: { id: string; why: string }[];
  shapes: Set<string>;
  /** `tenant_configs.yaml`, appended one tenant at a time (no second copy from a join). */
  artifact: string;
}

/**
 * Parses, validates, fingerprints and renders every config in one pass, dropping each document and
 * its stored text as soon as it is done, so memory holds one parsed config at a time (100,000
 * tenants fit a 256 MB Lambda), not every config three times over.
 */
function passOverConfigs(snapshot: ConfigSnapshot, input: ConfigCheckInput): ConfigsPass {
  const pass: ConfigsPass = { count: snapshot.configs.length, broken: [], invalid: [], shapes: new Set(), artifact: '' };
  for (let i = 0; i < snapshot.configs.length; i++) {
    const p = parse(snapshot.configs[i], input.reservedKey);
    const id = p.tenant.tenantId;
    if (p.problem) pass.broken.push({ id, why: p.problem });
    if (p.doc) {
      jsonShape(p.doc, input.reservedKey, pass.shapes, input.fingerprintDepth);
      const why = input.validateConfig?.(p.doc);
      if (why) pass.invalid.push({ id, why });
    }
    if (input.buildArtifact !== false) pass.artifact += artifactEntry(p);
    snapshot.configs[i] = { ...p.tenant, raw: undefined };
  }
  return pass;
}

/** Gate 3: configs parse and validate, change without a deploy, schema stable ≥ stableDays, changes audited. */
export async function checkConfig(input: ConfigCheckInput): Promise<GateOutcome> {
  const evidence: string[] = [];
  let repairError: string | undefined;
  if (input.roundTrip) {
    try {
      if (input.probesAllowed) {
        evidence.push(...(await repairPending(input.roundTrip.canary, input.roundTrip.journal)));
      } else {
        const pending = await input.roundTrip.journal.pending();
        const tenants = [...new Set(pending.map((e) => e.tenant))].join(', ');
        if (pending.length) evidence.push(`${pending.length} unfinished probe(s) on ${tenants} await repair; run once without --no-probes to repair`);
      }
    } catch (err) {
      repairError = describeError(err);
    }
  }

  let snapshot: ConfigSnapshot;
  try {
    input.progress?.('reading tenant configs');
    snapshot = await input.store.snapshot(input.signal);
  } catch (err) {
    return outcomeFromCriteria(
      [
        {
          id: 'configs',
          title: 'Config store reachable, every config parses',
          status: 'ERROR',
          summary: `config store: ${describeError(err)}`,
          remediation: storeRemediation(err),
        },
      ],
      { evidence },
    );
  }

  const pass = passOverConfigs(snapshot, input);
  const criteria: Criterion[] = [configsCriterion(snapshot, pass, input)];
  const fingerprint = fingerprintOf(snapshot.structure, pass.shapes);
  criteria.push(await stabilityCriterion(input, fingerprint));

  let probe: RoundTripResult | undefined;
  criteria.push(await roundTripCriterion(input, repairError, (r) => (probe = r)));

  criteria.push(await auditCriterion(input, probe?.wrote ? probe.nonce : undefined));

  const stable = criteria.find((c) => c.id === 'schema-stable');
  const trip = criteria.find((c) => c.id === 'round-trip');
  const audit = criteria.find((c) => c.id === 'audit-trail');
  return outcomeFromCriteria(criteria, {
    evidence: [...evidence, `schema fingerprint ${fingerprint.hash.slice(0, 19)}… over ${fingerprint.entries.length} elements`],
    ...(input.buildArtifact !== false
      ? { artifacts: [{ name: 'tenant_configs.yaml', contentType: 'application/yaml', content: pass.artifact || '{}\n' }] }
      : {}),
    passSummary: [stable?.summary, trip?.summary, audit?.summary].filter(Boolean).join('; '),
  });
}

function parse(tenant: StoredConfig, reservedKey: string): Parsed {
  if (tenant.problem) return { tenant, problem: tenant.problem };
  let value = tenant.raw;
  if (value === null || value === undefined || value === '') return { tenant, problem: 'no config' };
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      return { tenant, problem: `not valid JSON (${(err as Error).message})` };
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { tenant, problem: `not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})` };
  const doc = { ...(value as Record<string, unknown>) };
  delete doc[reservedKey];
  return { tenant, doc };
}

function configsCriterion(snapshot: ConfigSnapshot, pass: ConfigsPass, input: ConfigCheckInput): Criterion {
  const title = input.validateConfig
    ? `Every config parses and validates against ${input.schemaName ?? 'the JSON Schema'}`
    : 'Every config parses as a JSON object';
  if (pass.count === 0) {
    return {
      id: 'configs',
      title,
      status: 'FAIL',
      summary: `no tenant configs found in ${snapshot.store}`,
      remediation: 'Point gates.config at the table/attribute holding tenant configs.',
    };
  }
  const { broken, invalid } = pass;
  const bad = [...broken, ...invalid];
  const ok = bad.length === 0;
  return {
    id: 'configs',
    title,
    status: ok ? 'PASS' : 'FAIL',
    summary: ok
      ? `${pass.count} tenant configs parse${input.validateConfig ? ` and validate against ${input.schemaName ?? 'the schema'}` : ''}`
      : `${bad.length} of ${pass.count} tenant configs ${broken.length ? 'do not parse' : ''}${broken.length && invalid.length ? ' or ' : ''}${invalid.length ? 'fail the schema' : ''}: ${listOffenders(
          bad.map((b) => b.id),
          bad.length,
        )}`,
    measurements: [
      { name: 'tenantConfigs', value: pass.count, unit: 'tenants' },
      { name: 'invalidConfigs', value: bad.length, threshold: '0' },
    ],
    evidence: [`read from ${snapshot.store}`, ...bad.slice(0, 10).map((b) => `${b.id}: ${b.why}`)],
    ...(ok ? {} : { remediation: 'Fix the configs of the tenants listed (or the schema, if they are right).' }),
  };
}

const isoDay = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/**
 * The newest fingerprint record. Each record carries "since" forward, so only the newest is needed:
 * look back a little first, further only when runs were sparse.
 */
async function latestRecord(history: HistoryStore, pk: string, now: Date): Promise<SchemaRecord | undefined> {
  for (const days of [2, 45, 800]) {
    const recent = await history.query(pk, new Date(now.getTime() - days * DAY_MS).toISOString());
    if (recent.length) return recent[recent.length - 1] as SchemaRecord;
  }
  return undefined;
}

async function stabilityCriterion(input: ConfigCheckInput, fp: Fingerprint): Promise<Criterion> {
  const title = `Config schema unchanged for ≥ ${input.stableDays} days`;
  const now = input.now();
  let latest: SchemaRecord | undefined;
  let migration: MigrationRecord | undefined;
  try {
    latest = await latestRecord(input.history, input.historyKey, now);
    const record: SchemaRecord = {
      pk: input.historyKey,
      sk: `${now.toISOString()}#${fp.hash.slice(7, 15)}`,
      fingerprint: fp.hash,
      entries: fp.entries,
      since: now.toISOString(),
    };
    if (latest && latest.fingerprint === fp.hash) {
      record.since = latest.since;
      if (latest.change) record.change = latest.change;
    } else if (latest) {
      record.change = { lines: describeChange(latest.entries ?? [], fp.entries), detectedAt: now.toISOString(), previousSeenAt: latest.sk.slice(0, 24) };
    }
    await input.history.append(record);
    latest = record;
    migration = await input.store.lastMigration(input.signal);
  } catch (err) {
    return {
      id: 'schema-stable',
      title,
      status: 'ERROR',
      summary: `schema history: ${describeError(err)}`,
      remediation: `Check access to the history store (${input.history.describe()}).`,
    };
  }

  const historySince = new Date(latest.since);
  // A change history saw is decisive; otherwise a migration older than the history extends the proof.
  const useMigration = !latest.change && migration && migration.appliedAt < historySince;
  const since = useMigration ? migration!.appliedAt : historySince;
  const days = Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS));
  const ok = days >= input.stableDays;
  const evidence = [
    `fingerprint recorded in ${input.history.describe()}; this fingerprint first recorded ${latest.since}`,
    migration
      ? `last migration: ${migration.name ? `${migration.name} ` : ''}applied ${migration.appliedAt.toISOString()} (${migration.source})`
      : 'no migrations table found (flyway, prisma, knex, django or gates.config.migrations)',
  ];
  if (latest.change) {
    evidence.push(
      `schema changed between ${latest.change.previousSeenAt} and ${latest.change.detectedAt}: ${latest.change.lines.join('; ') || 'elements reordered'}`,
    );
  }
  const basis = latest.change
    ? `changed on ${isoDay(latest.change.detectedAt)}: ${listOffenders(latest.change.lines, latest.change.lines.length, 3)}`
    : useMigration
      ? `last migration ${isoDay(since)}${migration!.name ? ` (${migration!.name})` : ''}`
      : `history since ${isoDay(since)}${migration ? '' : ', no migrations table'}`;
  return {
    id: 'schema-stable',
    title,
    status: ok ? 'PASS' : 'FAIL',
    summary: ok ? `schema stable since ${isoDay(since)} (${days} days; ${basis})` : `schema unchanged for ${days} of ${input.stableDays} days (${basis})`,
    measurements: [
      { name: 'schemaStableDays', value: days, unit: 'days', threshold: `>= ${input.stableDays}` },
      { name: 'schemaStableSince', value: since.toISOString() },
    ],
    evidence,
    ...(ok
      ? {}
      : {
          remediation: latest.change
            ? `Freeze the config schema: billing reads it. The gate passes ${input.stableDays} days after the last change (${isoDay(new Date(since.getTime() + input.stableDays * DAY_MS))}).`
            : `Stability must be proven: keep the history (${input.history.describe()}) across runs, or point gates.config.migrations at your migrations table.`,
        }),
  };
}

async function roundTripCriterion(input: ConfigCheckInput, repairError: string | undefined, keep: (r: RoundTripResult) => void): Promise<Criterion> {
  const title = 'Config changes reach the app without a deployment (canary round trip)';
  const rt = input.roundTrip;
  if (!rt) {
    return {
      id: 'round-trip',
      title,
      status: 'SKIP',
      summary: 'no canary configured: no-deploy changes not tested',
      remediation: 'Set gates.config.canary.tenant to a test tenant (and canary.effectiveConfigUrl to the app endpoint serving its effective config).',
    };
  }
  if (!input.probesAllowed) {
    const journal = repairError ? `; the probe journal could not be read (${repairError}), so unfinished probes are unknown` : '';
    return { id: 'round-trip', title, status: 'SKIP', summary: `canary round trip configured but not run (--no-probes)${journal}` };
  }
  if (repairError)
    return {
      id: 'round-trip',
      title,
      status: 'ERROR',
      summary: `not probed: ${repairError}`,
      remediation: 'Restore the canary config by hand, or fix access and run again.',
    };

  let r: RoundTripResult;
  try {
    r = await runRoundTrip({ ...rt, key: input.reservedKey, signal: input.probeSignal, now: input.now, progress: input.progress });
  } catch (err) {
    return { id: 'round-trip', title, status: 'ERROR', summary: `canary round trip: ${describeError(err)}` };
  }
  keep(r);
  const limitS = rt.propagationLimitMs / 1000;
  const restored = r.restore
    ? r.restore.how === 'failed'
      ? `canary NOT restored (${r.restore.detail}); the journal in ${rt.journal.describe()} repairs it on the next run`
      : r.restore.how === 'exact'
        ? 'canary restored exactly'
        : `canary restored (${r.restore.detail})`
    : 'canary untouched';
  const evidence = [`canary ${r.tenant} in ${rt.canary.describe()}; journal ${rt.journal.describe()}`, restored];
  if (r.readBack) evidence.push(`read back ${r.readBack.ok ? 'ok' : 'FAILED'} in ${r.readBack.ms} ms${r.readBack.detail ? ` (${r.readBack.detail})` : ''}`);
  if (r.propagation)
    evidence.push(
      `${r.propagation.url}: ${r.propagation.seen ? `nonce seen after ${(r.propagation.ms / 1000).toFixed(2)} s` : `nonce not seen in ${(r.propagation.ms / 1000).toFixed(1)} s`} (${r.propagation.polls} polls)${r.propagation.detail ? `; ${r.propagation.detail}` : ''}`,
    );
  const measurements = [
    ...(r.readBack ? [{ name: 'readBackMs', value: r.readBack.ms, unit: 'ms' }] : []),
    ...(r.propagation?.seen ? [{ name: 'propagationSeconds', value: Number((r.propagation.ms / 1000).toFixed(2)), unit: 's', threshold: `<= ${limitS}` }] : []),
  ];
  const base = { id: 'round-trip', title, evidence, measurements };
  const failedRestore = r.restore?.how === 'failed' ? `; ${restored}` : '';

  if (r.interruptedBy) return { ...base, status: 'ERROR', summary: `canary round trip interrupted by ${r.interruptedBy}; ${restored}` };
  if (r.readBack && !r.readBack.ok) {
    return {
      ...base,
      status: 'FAIL',
      summary: `config write not read back from the store: ${r.readBack.detail}${failedRestore}`,
      remediation: 'Check for caches or replicas between writer and reader of the config store.',
    };
  }
  if (r.error) return { ...base, status: 'ERROR', summary: `canary round trip: ${r.error}${r.wrote ? `; ${restored}` : ''}` };
  if (r.propagation && !r.propagation.seen) {
    if (r.propagation.detail)
      return { ...base, status: 'ERROR', summary: `effective config not readable at ${r.propagation.url}: ${r.propagation.detail}${failedRestore}` };
    return {
      ...base,
      status: 'FAIL',
      summary: `config change not visible to the app within ${limitS} s at ${r.propagation.url}${failedRestore}`,
      remediation:
        'The app must pick up config changes without a deployment: reload configs on change (LISTEN/NOTIFY, streams) or cache them with a TTL below the limit.',
    };
  }
  if (r.propagation && r.propagation.ms > rt.propagationLimitMs) {
    return {
      ...base,
      status: 'FAIL',
      summary: `config change reached the app after ${(r.propagation.ms / 1000).toFixed(1)} s, limit ${limitS} s${failedRestore}`,
      remediation: 'Shorten the config cache TTL or reload on change.',
    };
  }
  if (r.restore?.how === 'failed') return { ...base, status: 'ERROR', summary: restored };
  return {
    ...base,
    status: 'PASS',
    summary: r.propagation
      ? `config change reached the app in ${(r.propagation.ms / 1000).toFixed(2)} s (limit ${limitS} s), ${restored}`
      : `config change written and read back in ${r.readBack?.ms} ms without a deploy, ${restored}`,
  };
}

async function auditCriterion(input: ConfigCheckInput, nonce: string | undefined): Promise<Criterion> {
  const title = 'Config changes are audited';
  const since = new Date(input.now().getTime() - input.stableDays * DAY_MS);
  let trail: AuditTrail;
  try {
    trail = await input.store.auditTrail(since, input.reservedKey, nonce, input.signal);
  } catch (err) {
    return { id: 'audit-trail', title, status: 'ERROR', summary: `audit trail: ${describeError(err)}` };
  }
  if (!trail.present) {
    return {
      id: 'audit-trail',
      title,
      status: 'FAIL',
      summary: `no audit trail for config changes (${trail.where})`,
      remediation: 'Record config changes: an audit table filled by a trigger (set gates.config.audit), or DynamoDB streams / point-in-time recovery.',
    };
  }
  const evidence = [`audit trail: ${trail.where}`];
  if (trail.countNote) evidence.push(trail.countNote);
  if (trail.probeEntries) evidence.push(`${trail.probeEntries} entries written by the readiness probe left out of the count`);
  if (trail.recordedNonce === false) {
    return {
      id: 'audit-trail',
      title,
      status: 'FAIL',
      summary: `the audit trail (${trail.where}) did not record the canary write`,
      evidence,
      remediation: 'Make the audit trigger fire on every config update.',
    };
  }
  if (trail.recordedNonce) evidence.push('the canary write was recorded by the audit trail');
  const count = trail.changes === null ? 'change count not available' : `${trail.changes} config changes in the last ${input.stableDays} days`;
  return {
    id: 'audit-trail',
    title,
    status: 'PASS',
    summary: `${count} (${trail.where})`,
    measurements: [{ name: 'configChanges', value: trail.changes, unit: 'changes' }],
    evidence,
  };
}

/**
 * A key whose last word is secret, password, token or key (apiKey, db_password, accessTokens): its
 * value is replaced in the artifact. Judging the last word keeps `monthly_token_quota` readable.
 */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = (words[words.length - 1] ?? '').replace(/s$/, '');
  return ['secret', 'password', 'passwd', 'token', 'key', 'apikey', 'credential'].includes(last);
}

function redactSecrets(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(redactSecrets);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, isSecretKey(k) ? '***redacted***' : redactSecrets(v)]));
  }
  return node;
}

/** One tenant's entry of `tenant_configs.yaml`: tier, updated_at and the config with secret-looking values redacted. */
function artifactEntry(p: Parsed): string {
  const entry = {
    ...(p.tenant.tier != null ? { tier: p.tenant.tier } : {}),
    ...(p.tenant.updatedAt != null ? { updated_at: p.tenant.updatedAt } : {}),
    ...(p.doc ? { config: redactSecrets(p.doc) } : { problem: p.problem }),
  };
  return redact(dump({ [p.tenant.tenantId]: entry }, { noRefs: true, lineWidth: -1 }));
}

/** The fix for a store that could not be read: the source's own where it has one; connection advice only where the cause may be the connection. */
function storeRemediation(err: unknown): string {
  if (err instanceof SourceError && err.remediation) return err.remediation;
  if (err instanceof SourceError && (err.kind === 'not-found' || err.kind === 'malformed')) {
    return 'The store answered, but not as the settings expect: check the table mapping (gates.config.table / configColumn).';
  }
  return 'Check the connection settings and the table mapping (gates.config.table / configColumn).';
}
