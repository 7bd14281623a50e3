import type { Logger } from '@aws-lambda-powertools/logger';
import type { GateDefinition } from '../core/gate';
import { keyMeasurementValue } from '../core/metrics';
import { RESULT_LOG_MESSAGE } from '../handlers/contract';
import { redact } from '../core/redact';
import type { ResultSink } from './sink';

/**
 * One structured line per run at INFO: the dashboard's Logs Insights widgets query it (the latest
 * result per gate, runs by status, the key measurement over time as `keyValue`).
 */
export function resultLogSink(logger: Logger, gate?: Pick<GateDefinition, 'keyMeasurement'>): ResultSink {
  return {
    name: 'log',
    publish({ suite, result, run, prefix, probesLeftOut }) {
      logger.info(RESULT_LOG_MESSAGE, {
        suite,
        gate: result.gate,
        run,
        status: result.status,
        summary: result.summary,
        ...(result.remediation ? { remediation: redact(result.remediation) } : {}),
        ...(probesLeftOut.length ? { probesLeftOut } : {}),
        durationMs: result.durationMs,
        ...keyField(gate, result.measurements),
        report: prefix,
      });
    },
  };
}

/** The gate's key measurement as `keyMetric` (its metric name) and `keyValue`, when the result carries it. */
function keyField(gate: Pick<GateDefinition, 'keyMeasurement'> | undefined, measurements: Parameters<typeof keyMeasurementValue>[1]): Record<string, unknown> {
  if (!gate) return {};
  const value = keyMeasurementValue(gate, measurements);
  return value === undefined ? {} : { keyMetric: gate.keyMeasurement.metric, keyValue: value };
}
