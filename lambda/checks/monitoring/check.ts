import { describeError, SettingRequiredError, SourceError } from '../../core/errors';
import { plural } from '../../core/plural';
import { errorOutcome, listOffenders, statusOf, type Artifact, type Criterion, type GateOutcome, type Measurement, type Status } from '../../core/result';
import {
  ALERTED_SIGNALS,
  SIGNALS,
  type AlertedSignal,
  type AlertRule,
  type MonitoringProvider,
  type SignalKind,
  type SignalReading,
  type TenantBreakdown,
} from './ports';

export { DEFAULT_ALERT_PATTERNS } from './ports';

export interface MonitoringCheckInput {
  providers: MonitoringProvider[];
  /** `any` (default): one provider meeting every criterion is enough; `all`: every provider must. */
  require: 'any' | 'all';
  /** Distinct tenants the throughput breakdown must show (gate 4's own, else gate 1's, resolved at load time). */
  minTenants: number;
  signalWindowMinutes: number;
  tenantWindowHours: number;
  alertPatterns: Record<AlertedSignal, string>;
  /**
   * Zero-config (no readiness.yaml): per provider id, the env vars its default queries are built
   * from, named by fix lines instead of `gates.monitoring` keys the user has no file for.
   */
  zeroConfigEnv?: Record<string, string>;
  now: Date;
  signal: AbortSignal;
  progress?: (message: string) => void;
}

/**
 * Gate 4: per provider, (1) the credentials work, (2) latency, errors and throughput have data in
 * the recent window and throughput splits into ≥ minTenants tenants, (3) enabled, unmuted alerts
 * with a notification target cover errors and latency. Providers are evaluated concurrently.
 */
export async function checkMonitoring(input: MonitoringCheckInput): Promise<GateOutcome> {
  if (input.providers.length === 0) return errorOutcome('no monitoring provider to evaluate', 'Configure gates.monitoring.datadog, newrelic or cloudwatch.');
  const evaluated = await Promise.all(input.providers.map(async (p) => ({ provider: p, criteria: await evaluate(p, input) })));
  const perProvider = evaluated.map((e) => ({ ...e, status: statusOf(e.criteria) }));
  const status = combine(
    perProvider.map((p) => p.status),
    input.require,
  );
  const criteria = perProvider.flatMap((p) => p.criteria);
  const live = perProvider.filter((p) => p.status === 'PASS');
  const deciding = status === 'PASS' ? live : perProvider.filter((p) => p.status === status);
  const summary =
    status === 'PASS'
      ? `monitoring live in ${live.map((p) => p.provider.label).join(' and ')}${
          perProvider.length > live.length && input.require === 'any'
            ? `; not live (require: any, so not needed): ${perProvider
                .filter((p) => p.status !== 'PASS')
                .map((p) => `${p.provider.label} ${p.status}`)
                .join(', ')}`
            : ''
        }`
      : deciding
          .map(
            (p) =>
              `${p.provider.label}: ${deciders(p.criteria, p.status)
                .map((c) => c.summary)
                .join('; ')}`,
          )
          .join(' | ');
  const remediation = [
    ...new Set(deciding.flatMap((p) => p.criteria.filter((c) => c.status !== 'PASS').map((c) => c.remediation)).filter((r): r is string => Boolean(r))),
  ].join(' ');
  const measurements: Measurement[] = [
    { name: 'signalsFlowing', value: signalsFlowing(criteria), unit: 'signals', threshold: `= ${SIGNALS.length}` },
    { name: 'liveProviders', value: live.length, unit: 'providers', threshold: input.require === 'all' ? `= ${perProvider.length}` : '>= 1' },
    ...criteria.flatMap((c) => c.measurements ?? []),
  ];
  const artifacts = tenantArtifacts(criteria);
  return {
    status,
    summary,
    criteria,
    measurements,
    ...(artifacts.length ? { artifacts } : {}),
    evidence: [
      `require: ${input.require} (${perProvider.map((p) => `${p.provider.label} ${p.status}`).join(', ')})`,
      `signals window ${input.signalWindowMinutes} min, tenant window ${input.tenantWindowHours} h, minTenants ${input.minTenants}`,
    ],
    ...(status !== 'PASS' && remediation ? { remediation } : {}),
  };
}

/** The most of latency, errors and throughput one provider saw flowing (0 when none could be read). */
function signalsFlowing(criteria: readonly Criterion[]): number {
  const counts = criteria.flatMap((c) => c.measurements ?? []).filter((m) => m.name.endsWith('.signalsFlowing') && typeof m.value === 'number');
  return Math.max(0, ...counts.map((m) => m.value as number));
}

/**
 * `all` is the usual strict combination. `any` is PASS when one provider passes, ERROR while an
 * unevaluated provider might still pass, and FAIL only when every provider measured a failure.
 */
export function combine(statuses: Status[], require: 'any' | 'all'): Status {
  if (statuses.length === 0) return 'ERROR';
  if (require === 'all') {
    if (statuses.includes('FAIL')) return 'FAIL';
    if (statuses.includes('ERROR')) return 'ERROR';
    return statuses.every((s) => s === 'PASS') ? 'PASS' : 'SKIP';
  }
  if (statuses.includes('PASS')) return 'PASS';
  if (statuses.includes('ERROR')) return 'ERROR';
  return statuses.includes('FAIL') ? 'FAIL' : 'SKIP';
}

/** Criteria left unevaluated because the credentials check did not pass: they never lead a summary. */
const dependents = new WeakSet<Criterion>();

/** Tenants listed in the evidence before the rest goes to an artifact only. */
const TENANTS_SHOWN = 10;
/** Every tenant a signals criterion saw, for the artifact holding the full list. */
const tenantsSeen = new WeakMap<Criterion, { provider: string; by: string; tenants: string[] }>();

/** One text file per provider whose tenant list is longer than the evidence shows (written with --out). */
function tenantArtifacts(criteria: readonly Criterion[]): Artifact[] {
  return criteria.flatMap((c) => {
    const seen = tenantsSeen.get(c);
    if (!seen || seen.tenants.length <= TENANTS_SHOWN) return [];
    return [
      {
        name: `monitoring-tenants-${seen.provider}.txt`,
        contentType: 'text/plain',
        content: `# ${plural(seen.tenants.length, 'tenant')} seen by ${seen.by}\n${seen.tenants.join('\n')}\n`,
      },
    ];
  });
}

/** The criteria that decide a provider's status, without those that only follow from another. */
function deciders(criteria: Criterion[], status: Status): Criterion[] {
  const same = criteria.filter((c) => c.status === status);
  const own = same.filter((c) => !dependents.has(c));
  return own.length ? own : same;
}

async function evaluate(p: MonitoringProvider, input: MonitoringCheckInput): Promise<Criterion[]> {
  input.progress?.(`${p.label}: checking credentials`);
  const credentials = await credentialsCriterion(p, input.signal);
  if (credentials.status !== 'PASS') {
    // A missing setting (SKIP) leaves the rest unconfigured too; a rejected or unverifiable key leaves it unevaluated.
    const status = credentials.status === 'SKIP' ? 'SKIP' : 'ERROR';
    // The cause is the credentials criterion's to state; these two say only what was not read.
    const because = credentials.status === 'SKIP' ? 'the credentials check was skipped' : 'the credentials check did not pass';
    return [
      credentials,
      notEvaluated(p, 'signals', 'Latency, errors and throughput flowing per tenant', status, `no signal was read, as ${because}`),
      notEvaluated(p, 'alerting', 'Error and latency alerts with a notification target', status, 'no alert rule was read either'),
    ];
  }
  input.progress?.(`${p.label}: reading signals and alert rules`);
  const [signals, alerting] = await Promise.all([signalsCriterion(p, input), alertingCriterion(p, input)]);
  return [credentials, signals, alerting];
}

function notEvaluated(p: MonitoringProvider, id: string, title: string, status: Status, why: string): Criterion {
  const criterion: Criterion = { id: `${p.id}.${id}`, title: `${p.label}: ${title}`, status, summary: `not evaluated: ${why}` };
  dependents.add(criterion);
  return criterion;
}

/** A rejected key is what this gate measures (FAIL); anything else means it could not be measured (ERROR). */
function failure(p: MonitoringProvider, id: string, title: string, err: unknown, remediation: string): Criterion {
  if (err instanceof SourceError && err.kind === 'credentials') {
    return {
      id: `${p.id}.${id}`,
      title,
      status: 'FAIL',
      summary: err.message,
      remediation: `Issue a valid key for ${p.label} with the read scopes listed in the docs and update the secret or env var.`,
    };
  }
  if (err instanceof SettingRequiredError) {
    return { id: `${p.id}.${id}`, title, status: 'SKIP', summary: `not configured: ${err.message}`, remediation: `Set ${err.setting}.` };
  }
  return { id: `${p.id}.${id}`, title, status: 'ERROR', summary: describeError(err), remediation };
}

async function credentialsCriterion(p: MonitoringProvider, signal: AbortSignal): Promise<Criterion> {
  const title = `${p.label}: ${p.credentialsTitle}`;
  try {
    const evidence = await p.verifyCredentials(signal);
    return { id: `${p.id}.credentials`, title, status: 'PASS', summary: `credentials accepted`, evidence: [evidence] };
  } catch (err) {
    return failure(p, 'credentials', title, err, `Check that ${p.label} is reachable from where the check runs${p.access ? ` and that ${p.access}` : ''}.`);
  }
}

async function signalsCriterion(p: MonitoringProvider, input: MonitoringCheckInput): Promise<Criterion> {
  const title = `${p.label}: latency, errors and throughput flowing per tenant`;
  const id = `${p.id}.signals`;
  const to = input.now;
  const recent = { from: new Date(to.getTime() - input.signalWindowMinutes * 60_000), to };
  const long = { from: new Date(to.getTime() - input.tenantWindowHours * 3_600_000), to };
  let readings: Record<SignalKind, SignalReading>;
  let breakdown: TenantBreakdown;
  try {
    [readings, breakdown] = await Promise.all([p.readSignals(recent, input.signal), p.tenantBreakdown(long, input.signal)]);
  } catch (err) {
    const env = input.zeroConfigEnv?.[p.id];
    return failure(
      p,
      'signals',
      title,
      err,
      env
        ? `The default ${p.label} queries are built from ${env}: check that they name production; for queries of your own, write them in a readiness.yaml (saas-readiness init).`
        : `Check the ${p.label} queries in gates.monitoring (they must be valid for the provider).`,
    );
  }
  const seeing = (c: Criterion) => {
    tenantsSeen.set(c, { provider: p.id, by: breakdown.by, tenants: breakdown.tenants });
    return c;
  };
  const measuredZero = (k: SignalKind) => readings[k].samples <= 0 && readings[k].absentMeansZero === true && readings.throughput.samples > 0;
  const missing = SIGNALS.filter((k) => readings[k].samples <= 0 && !measuredZero(k));
  const tenantCount = breakdown.tenants.length;
  const evidence = [
    ...SIGNALS.map((k) => {
      const r = readings[k];
      const age = r.lastAt ? `, newest ${Math.max(0, Math.round((to.getTime() - r.lastAt.getTime()) / 60_000))} min ago` : '';
      const zero = measuredZero(k) ? ` (counted only when non-zero; throughput flowing, so 0 ${k})` : '';
      const seen = r.unit === 'value' ? `${r.valueName ?? 'value'} ${r.samples}` : `${r.samples} ${r.unit}`;
      return `${k}: ${seen} in the last ${input.signalWindowMinutes} min${age}${zero} — ${r.query}`;
    }),
    `tenants: ${tenantCount} distinct by ${breakdown.by} over ${input.tenantWindowHours} h${tenantCount ? ` (${listOffenders(breakdown.tenants, tenantCount, TENANTS_SHOWN)})` : ''}${
      tenantCount > TENANTS_SHOWN ? `; all ${tenantCount} in monitoring-tenants-${p.id}.txt (written with --out)` : ''
    } — ${breakdown.query}`,
  ];
  const measurements: Measurement[] = [
    ...SIGNALS.map((k) => ({ name: `${p.id}.${k}Samples`, value: readings[k].samples, unit: readings[k].unit, threshold: '> 0' })),
    { name: `${p.id}.signalsFlowing`, value: SIGNALS.length - missing.length, unit: 'signals', threshold: `= ${SIGNALS.length}` },
    { name: `${p.id}.tenantsMonitored`, value: tenantCount, unit: 'tenants', threshold: `>= ${input.minTenants}` },
  ];
  const problems: string[] = [];
  if (missing.length) problems.push(`no ${missing.join(', ')} data in the last ${input.signalWindowMinutes} min`);
  if (tenantCount === 0) problems.push(`throughput has no breakdown by ${breakdown.by} over ${input.tenantWindowHours} h (tenants not tagged)`);
  else if (tenantCount < input.minTenants)
    problems.push(`throughput by ${breakdown.by} shows only ${tenantCount} tenants over ${input.tenantWindowHours} h, need ≥ ${input.minTenants}`);
  if (problems.length) {
    const fixes = [
      missing.length ? `Send ${missing.join(', ')} to ${p.label} (instrument the service, or point the ${missing.join('/')} query at the metric you use).` : '',
      tenantCount < input.minTenants ? `Tag every request metric with the tenant (${breakdown.by}) so monitoring sees tenants, not just the service.` : '',
    ];
    return seeing({ id, title, status: 'FAIL', summary: problems.join('; '), evidence, measurements, remediation: fixes.filter(Boolean).join(' ') });
  }
  return seeing({
    id,
    title,
    status: 'PASS',
    summary: `latency, errors and throughput flowing; ${plural(tenantCount, 'tenant')} monitored by ${breakdown.by}`,
    evidence,
    measurements,
  });
}

async function alertingCriterion(p: MonitoringProvider, input: MonitoringCheckInput): Promise<Criterion> {
  const title = `${p.label}: error and latency alerts enabled, unmuted, with a notification target`;
  const id = `${p.id}.alerting`;
  let rules: AlertRule[];
  try {
    rules = await p.alertRules(input.signal);
  } catch (err) {
    return failure(p, 'alerting', title, err, `Check that the ${p.label} credentials may read alert rules.`);
  }
  const patterns = Object.fromEntries(ALERTED_SIGNALS.map((s) => [s, new RegExp(input.alertPatterns[s], 'i')])) as Record<AlertedSignal, RegExp>;
  // Rules the provider read but left out of the judgement (another env or app): named with the reason.
  const excluded = rules.filter((r) => r.excluded);
  rules = rules.filter((r) => !r.excluded);
  const notCounted = excluded.length
    ? `not counted: ${listOffenders(
        excluded.map((r) => `"${r.name}" (${r.excluded})`),
        excluded.length,
        3,
      )}`
    : '';
  const evidence: string[] = [`${plural(rules.length, 'alert rule')} read`, ...(notCounted ? [notCounted] : [])];
  const problems: string[] = [];
  const measurements: Measurement[] = [];
  for (const kind of ALERTED_SIGNALS) {
    const covering = rules.filter((r) => patterns[kind].test(`${r.name} ${r.query}`));
    const good = covering.filter((r) => r.enabled && !r.mutedBy && r.notifies.length > 0);
    measurements.push({ name: `${p.id}.${kind}Alerts`, value: good.length, unit: 'rules', threshold: '>= 1' });
    if (good.length) {
      evidence.push(
        `${kind}: ${listOffenders(
          good.map((r) => `"${r.name}"${r.state ? ` [${r.state}]` : ''} → ${listOffenders(r.notifies, r.notifies.length, 3)}`),
          good.length,
          3,
        )}`,
      );
      continue;
    }
    if (covering.length === 0) {
      problems.push(`no alert rule covers ${kind}`);
      continue;
    }
    const why = covering.map(
      (r) =>
        `"${r.name}" ${
          !r.enabled
            ? 'disabled'
            : r.mutedBy
              ? `muted (${r.mutedBy})`
              : r.disabledRoute
                ? `would notify through ${r.disabledRoute}, which is disabled`
                : `has no notification target${r.noTargetReason ? ` (${r.noTargetReason})` : ''}`
        }`,
    );
    problems.push(`no usable ${kind} alert: ${listOffenders(why, why.length, 3)}`);
  }
  if (problems.length) {
    return {
      id,
      title,
      status: 'FAIL',
      summary: problems.join('; '),
      evidence,
      measurements,
      remediation: `In ${p.label}, keep at least one enabled, unmuted alert on errors and one on latency, each notifying someone (e.g. @pagerduty / @slack handle, workflow destination, SNS topic).`,
    };
  }
  return {
    id,
    title,
    status: 'PASS',
    summary: `error and latency alerts enabled, unmuted and notifying${notCounted ? `; ${notCounted}` : ''}`,
    evidence,
    measurements,
  };
}
