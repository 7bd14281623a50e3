import type { RunKind } from '../core/metrics';
import type { CheckResult } from '../core/result';
import type { RunReport } from '../core/runner';

/** One run of a deployed gate, as every sink receives it. */
export interface PublishedRun {
  readonly report: RunReport;
  readonly result: CheckResult;
  readonly suite: string;
  readonly run: RunKind;
  /** S3 prefix of this run's reports, `reports/<suite>/<gate>/<startedAt>/`. */
  readonly prefix: string;
  /** Active probes the scheduled run left out. */
  readonly probesLeftOut: readonly string[];
  readonly requestId: string;
  readonly functionArn: string;
}

/** Where a deployed gate's result goes: EMF metrics, the result log line, the history table, S3 reports, Security Hub. */
export interface ResultSink {
  readonly name: string;
  publish(run: PublishedRun): void | Promise<void>;
}
