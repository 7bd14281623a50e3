import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { compareGate, gateRecordOf, previousRun } from '../core/changes';
import { historyKey, type HistoryStore } from '../core/history';
import { redact } from '../core/redact';
import { changeNotification } from '../handlers/change-notification';
import type { ResultSink } from './sink';

/**
 * Appends the run to the history; when it differs from the previous run of the same kind and a
 * changes topic is given, tells the topic first (one message per change, none otherwise).
 */
export function historySink(store: HistoryStore, changes?: { sns: SNSClient; topicArn: string }): ResultSink {
  return {
    name: 'history',
    async publish({ suite, result, run, prefix, probesLeftOut, requestId }) {
      const sk = `${result.startedAt}#${requestId}`;
      if (changes) {
        const previous = await previousRun(store, suite, result.gate, sk, new Date(), run);
        const change = previous && compareGate(previous, gateRecordOf(result));
        if (change) await changes.sns.send(new PublishCommand({ TopicArn: changes.topicArn, ...changeNotification(change, suite, run) }));
      }
      await store.append({
        pk: historyKey.result(suite, result.gate),
        sk,
        run,
        ...gateRecordOf(result),
        ...(result.remediation ? { remediation: redact(result.remediation) } : {}),
        measurements: result.measurements,
        ...(probesLeftOut.length ? { probesLeftOut: [...probesLeftOut] } : {}),
        durationMs: result.durationMs,
        report: prefix,
      });
    },
  };
}
