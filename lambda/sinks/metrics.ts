import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { dimensionsOf, STATUS_METRIC } from '../core/metrics';
import type { PublishedRun } from './sink';

/**
 * EMF through Powertools: the one status metric, `Passed` — 1 only when the run PASSed and its
 * result was stored (`stored`), else 0. Stored on the handler's module-level Metrics instance;
 * Powertools flushes it when the handler returns or throws. Counts and amounts go to the result
 * log line instead (lambda/sinks/result-log.ts), where Logs Insights graphs them at no metric cost.
 */
export function publishStatusMetric(metrics: Metrics, { suite, result, run }: Pick<PublishedRun, 'suite' | 'result' | 'run'>, stored: boolean): void {
  // Only the documented dimensions: alarms match on the exact dimension set.
  metrics.addDimensions(dimensionsOf(suite, result.gate, run));
  metrics.addMetric(STATUS_METRIC, MetricUnit.Count, stored && result.status === 'PASS' ? 1 : 0);
}
