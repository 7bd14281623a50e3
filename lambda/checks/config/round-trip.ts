import { randomBytes } from 'node:crypto';
import { describeError } from '../../core/errors';
import type { CanaryDocument, CanaryStore, EffectiveConfig, Interrupts, ProbeJournal, ProbeJournalEntry } from './ports';

export { DEFAULT_PROBE_KEY } from './defaults';

export interface RoundTripOptions {
  canary: CanaryStore;
  journal: ProbeJournal;
  tenant: string;
  key: string;
  effectiveConfig?: EffectiveConfig;
  /** Longest acceptable propagation to the app, ms. */
  propagationLimitMs: number;
  pollIntervalMs: number;
  interrupts?: Interrupts;
  signal: AbortSignal;
  now: () => Date;
  progress?: (message: string) => void;
}

export interface RoundTripResult {
  tenant: string;
  nonce?: string;
  /** Set when the probe could not run or finish for a reason outside the system under test. */
  error?: string;
  wrote: boolean;
  readBack?: { ok: boolean; ms: number; detail?: string };
  propagation?: { seen: boolean; ms: number; url: string; polls: number; detail?: string };
  restore?: RestoreOutcome;
  interruptedBy?: NodeJS.Signals;
}

export interface RestoreOutcome {
  /** exact: config and stamp back as before; surgical: only our key removed (someone changed the config meanwhile); none-needed; failed. */
  how: 'exact' | 'surgical' | 'none-needed' | 'failed';
  detail: string;
}

type Doc = Record<string, unknown>;

function parseObject(text: string): Doc | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts the canary back. Exactly (config and stamp) when the config is still what the probe wrote;
 * otherwise, when our nonce is still there but something else changed too, removes only our key
 * (restoring the key's original value if it had one) so the concurrent change is kept.
 * Every write is conditional; a lost race is retried a few times, never forced.
 */
export async function restoreCanary(canary: CanaryStore, entry: ProbeJournalEntry): Promise<RestoreOutcome> {
  try {
    if (await canary.restore(entry.tenant, entry.written, entry.original)) {
      return { how: 'exact', detail: 'config and change stamp restored exactly' };
    }
    const originalDoc = parseObject(entry.original.config) ?? {};
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await canary.read(entry.tenant);
      const doc = current && parseObject(current.config);
      if (!current || !doc || doc[entry.key] !== entry.nonce) {
        return { how: 'none-needed', detail: 'the probe value is not in the canary config (never written, or already restored)' };
      }
      const next: Doc = { ...doc };
      if (entry.key in originalDoc) next[entry.key] = originalDoc[entry.key];
      else delete next[entry.key];
      const surgical: CanaryDocument = { config: JSON.stringify(next), stamp: current.stamp };
      if (await canary.restore(entry.tenant, current.config, surgical)) {
        return { how: 'surgical', detail: 'the config was changed by someone else meanwhile; only the probe key was removed, their change kept' };
      }
    }
    return { how: 'failed', detail: 'the canary config kept changing; probe key left in place (it is ignored by the fingerprint)' };
  } catch (err) {
    return { how: 'failed', detail: describeError(err) };
  }
}

/**
 * Repairs probes a hard kill left unfinished; returns one line per repaired entry. Each entry names
 * the tenant that was the canary of its run (also when the canary setting changed since), and the
 * repair only touches that tenant, only where our nonce is still in place.
 */
export async function repairPending(canary: CanaryStore, journal: ProbeJournal): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await journal.pending((tenant) => canary.read(tenant))) {
    const outcome = await restoreCanary(canary, entry);
    if (outcome.how === 'failed') throw new Error(`cannot repair the unfinished probe of ${entry.startedAt} on ${entry.tenant}: ${outcome.detail}`);
    await journal.end(entry.id, `repaired: ${outcome.how}`);
    lines.push(`repaired the unfinished probe of ${entry.startedAt} on ${entry.tenant} (${outcome.how}: ${outcome.detail})`);
  }
  return lines;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The no-deploy round trip: journal → conditional write of a nonce under the reserved key → read
 * back → poll the app's effective config → restore. The restore runs on every path out (failure,
 * abort at the deadline, SIGINT/SIGTERM); the journal covers a hard kill.
 */
export async function runRoundTrip(o: RoundTripOptions): Promise<RoundTripResult> {
  const result: RoundTripResult = { tenant: o.tenant, wrote: false };
  const original = await o.canary.read(o.tenant, o.signal);
  if (!original) return { ...result, error: `canary tenant '${o.tenant}' has no config in ${o.canary.describe()}` };
  const doc = parseObject(original.config);
  if (!doc) return { ...result, error: `canary tenant '${o.tenant}' config is not a JSON object` };
  // Another run's probe in flight, or a leftover whose journal is elsewhere: probing now would
  // make that value part of "the original" and restore it later.
  if (o.key in doc) {
    return {
      ...result,
      error: `canary '${o.tenant}' already holds ${o.key} (another run is probing, or a killed run's journal is kept elsewhere); not probed. If no run is in progress, remove that key from the canary's config`,
    };
  }

  const nonce = `sr-${o.now().toISOString()}-${randomBytes(6).toString('hex')}`;
  const written = JSON.stringify({ ...doc, [o.key]: nonce });
  const entry: ProbeJournalEntry = {
    id: randomBytes(8).toString('hex'),
    tenant: o.tenant,
    key: o.key,
    nonce,
    original,
    written,
    startedAt: o.now().toISOString(),
  };
  result.nonce = nonce;
  await o.journal.begin(entry);

  const local = new AbortController();
  const signal = AbortSignal.any([o.signal, local.signal]);
  const unwatch = o.interrupts?.watch((sig) => {
    result.interruptedBy ??= sig;
    local.abort(new Error(`interrupted by ${sig}`));
  });
  try {
    o.progress?.(`writing probe nonce to canary ${o.tenant}`);
    const started = Date.now();
    result.wrote = await o.canary.write(o.tenant, original, written, signal);
    const writtenAt = Date.now();
    if (!result.wrote) {
      result.error = `canary '${o.tenant}' changed between read and write; not probed (no write made)`;
      return result;
    }
    const back = await o.canary.read(o.tenant, signal);
    const backDoc = back && parseObject(back.config);
    const seen = backDoc?.[o.key];
    result.readBack = {
      ok: seen === nonce,
      ms: Date.now() - started,
      ...(seen === nonce
        ? {}
        : {
            detail: back
              ? `read back ${seen === undefined ? 'no probe key' : `a different value (${JSON.stringify(seen).slice(0, 60)})`}`
              : 'the canary config disappeared',
          }),
    };
    if (result.readBack.ok && o.effectiveConfig) result.propagation = await pollPropagation(o, nonce, signal, writtenAt);
  } catch (err) {
    result.error = signal.aborted ? describeError(signal.reason ?? err) : describeError(err);
  } finally {
    o.progress?.(`restoring canary ${o.tenant}`);
    result.restore = await restoreCanary(o.canary, entry);
    if (result.restore.how !== 'failed') await o.journal.end(entry.id, `restored: ${result.restore.how}`).catch(() => undefined);
    unwatch?.();
    if (result.interruptedBy) o.interrupts?.reraise(result.interruptedBy);
  }
  return result;
}

async function pollPropagation(o: RoundTripOptions, nonce: string, signal: AbortSignal, started: number): Promise<NonNullable<RoundTripResult['propagation']>> {
  const app = o.effectiveConfig!;
  o.progress?.(`waiting for the nonce at ${app.url}`);
  let polls = 0;
  let lastError: string | undefined;
  const pollTimeoutMs = Math.max(1000, o.pollIntervalMs * 4);
  // Propagation is measured from the committed write; polling stops once the limit has passed.
  while (!signal.aborted) {
    polls++;
    const pollStarted = Date.now();
    const pollTimeout = AbortSignal.timeout(pollTimeoutMs);
    try {
      const body = await app.fetch(AbortSignal.any([signal, pollTimeout]));
      lastError = undefined;
      if (body.includes(nonce)) return { seen: true, ms: Date.now() - started, url: app.url, polls };
    } catch (err) {
      if (signal.aborted) break;
      lastError = pollTimeout.aborted ? `no answer within ${pollTimeoutMs / 1000} s` : describeError(err);
    }
    if (Date.now() - started > o.propagationLimitMs) break;
    await sleep(Math.max(0, o.pollIntervalMs - (Date.now() - pollStarted)), signal);
  }
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
  return { seen: false, ms: Date.now() - started, url: app.url, polls, ...(lastError ? { detail: `last poll: ${lastError}` } : {}) };
}
