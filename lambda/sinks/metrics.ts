import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { GateDefinition } from '../core/gate';
import { DURATION_METRIC, dimensionsOf, keyMeasurementValue, STATUS_METRICS } from '../core/metrics';
import { STATUSES } from '../core/result';
import type { ResultSink } from './sink';

/**
 * EMF through Powertools: one status metric per status (exactly one is 1), the duration, and the
 * gate's key measurement when the result carries it. Stored on the handler's module-level
 * Metrics instance; Powertools flushes it when the handler returns or throws.
 */
export function metricsSink(metrics: Metrics, gate: Pick<GateDefinition, 'keyMeasurement'>): ResultSink {
  return {
    name: 'metrics',
    publish({ suite, result, run }) {
      // Only the documented dimensions: alarms and the dashboard match on the exact dimension set.
      metrics.addDimensions(dimensionsOf(suite, result.gate, run));
      for (const status of STATUSES) metrics.addMetric(STATUS_METRICS[status], MetricUnit.Count, result.status === status ? 1 : 0);
      metrics.addMetric(DURATION_METRIC, MetricUnit.Milliseconds, result.durationMs);
      const key = keyMeasurementValue(gate, result.measurements);
      if (key !== undefined) metrics.addMetric(gate.keyMeasurement.metric, gate.keyMeasurement.unit, key);
    },
  };
}
