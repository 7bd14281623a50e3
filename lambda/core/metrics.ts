/**
 * The CloudWatch metrics of a deployed suite, defined once: the Lambda handlers emit them (EMF),
 * the dashboard graphs them and the alarms watch them, all from these names.
 */
import type { GateId } from './gate';
import type { Measurement, Status } from './result';

export const METRIC_NAMESPACE = 'SaasReadiness';

/** Every metric carries exactly these dimensions, in this order. */
export const DIMENSIONS = { suite: 'Suite', gate: 'Gate', run: 'Run' } as const;

/**
 * Which kind of run produced a datapoint: `scheduled` runs leave the gate's active probes out,
 * `probes` runs (the opt-in probe schedule, or a manual invoke with `{"probes": true}`) include them.
 * They are kept apart so that a passive hourly PASS cannot hide a failed daily probe.
 */
export type RunKind = 'scheduled' | 'probes';

/** One status metric per status: exactly one of them is 1 in every run. `Passed` is 1 only for PASS. */
export const STATUS_METRICS: Record<Status, string> = {
  PASS: 'Passed',
  FAIL: 'Failed',
  SKIP: 'Skipped',
  ERROR: 'Errored',
};

/** Wall time of the gate evaluation, in milliseconds. */
export const DURATION_METRIC = 'DurationMs';

export type MetricUnitName = 'Count' | 'Percent' | 'Milliseconds' | 'None';

/** A gate's key measurement, picked from `CheckResult.measurements` and emitted as its own metric. */
export interface KeyMeasurement {
  metric: string;
  unit: MetricUnitName;
  /** Label on the dashboard. */
  label: string;
  /** Matches the measurement's name; the first numeric match is emitted. */
  measurement: RegExp;
  /** Draw the gate's threshold as horizontal lines at ± this value (cost variance). */
  symmetric?: boolean;
}

export const KEY_MEASUREMENTS: Record<GateId, KeyMeasurement> = {
  tenants: { metric: 'ActiveTenants', unit: 'Count', label: 'Active tenants', measurement: /^activeTenants$/ },
  cost: { metric: 'CostVariancePercent', unit: 'Percent', label: 'Cost variance %', measurement: /variance/i, symmetric: true },
  config: { metric: 'ConfigStableDays', unit: 'Count', label: 'Config schema stable (days)', measurement: /stable.*days|days.*(stable|unchanged)/i },
  monitoring: { metric: 'MonitoringSignals', unit: 'Count', label: 'Monitoring signals flowing', measurement: /signals?/i },
};

export function dimensionsOf(suite: string, gate: GateId, run: RunKind): Record<string, string> {
  return { [DIMENSIONS.suite]: suite, [DIMENSIONS.gate]: gate, [DIMENSIONS.run]: run };
}

/** The value of a gate's key measurement, when the result carries a numeric one. */
export function keyMeasurementValue(gate: GateId, measurements: readonly Measurement[]): number | undefined {
  const key = KEY_MEASUREMENTS[gate];
  const found = measurements.find((m) => key.measurement.test(m.name) && typeof m.value === 'number' && Number.isFinite(m.value));
  return found ? (found.value as number) : undefined;
}
