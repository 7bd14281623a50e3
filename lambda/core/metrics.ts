/**
 * The CloudWatch metrics of a deployed suite, defined once: the Lambda handlers emit them (EMF),
 * the dashboard graphs them and the alarms watch them, all from these names.
 */
import type { GateDefinition, GateId } from './gate';
import type { Measurement } from './result';

export const METRIC_NAMESPACE = 'SaasReadiness';

/** Every metric carries exactly these dimensions, in this order. */
export const DIMENSIONS = { suite: 'Suite', gate: 'Gate', run: 'Run' } as const;

/**
 * Which kind of run produced a datapoint: `scheduled` runs leave the gate's active probes out,
 * `probes` runs (the opt-in probe schedule, or a manual invoke with `{"probes": true}`) include them.
 * They are kept apart so that a passive hourly PASS cannot hide a failed daily probe.
 */
export type RunKind = 'scheduled' | 'probes';

/**
 * The one metric a deployed gate emits per run kind: `Passed`, 1 when the run PASSed and its result
 * was stored, else 0; no datapoint when the function failed (crash, timeout), which its alarm treats
 * as breaching, so function errors need no alarm of their own. Every other figure (status,
 * duration, the key measurement) is a field of the structured result log line, graphed with Logs
 * Insights: custom metrics are billed per metric, log fields are not.
 */
export const STATUS_METRIC = 'Passed';

export type MetricUnitName = 'Count' | 'Percent' | 'Milliseconds' | 'None';

/** The value of a gate's key measurement (declared by name), when the result carries a finite number under that name. */
export function keyMeasurementValue(gate: Pick<GateDefinition, 'keyMeasurement'>, measurements: readonly Measurement[]): number | undefined {
  const found = measurements.find((m) => m.name === gate.keyMeasurement.measurement && typeof m.value === 'number' && Number.isFinite(m.value));
  return found ? (found.value as number) : undefined;
}

export function dimensionsOf(suite: string, gate: GateId, run: RunKind): Record<string, string> {
  return { [DIMENSIONS.suite]: suite, [DIMENSIONS.gate]: gate, [DIMENSIONS.run]: run };
}
