import type { Logger } from '@aws-lambda-powertools/logger';
import { RESULT_LOG_MESSAGE } from '../handlers/contract';
import { redact } from '../core/redact';
import type { ResultSink } from './sink';

/** One structured line per run at INFO: the dashboard's "latest result" table queries it. */
export function resultLogSink(logger: Logger): ResultSink {
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
        report: prefix,
      });
    },
  };
}
