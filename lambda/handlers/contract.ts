/**
 * What the CDK stack and the gate handler agree on: the environment variables the stack sets,
 * the event the schedules send, and the log line the dashboard's Logs Insights query reads.
 */

export const HANDLER_ENV = {
  /** The gate this function runs (`tenants`, `cost`, …). */
  gate: 'SAAS_READINESS_GATE',
  /** The deployed slice of readiness.yaml as JSON: version, suite, the gate and the sources it names. */
  config: 'SAAS_READINESS_CONFIG',
  /** DynamoDB history table (pk/sk strings, TTL expiresAt). */
  historyTable: 'SAAS_READINESS_HISTORY_TABLE',
  /** S3 bucket for report.json, report.md and the gate's artifacts. */
  reportsBucket: 'SAAS_READINESS_REPORTS_BUCKET',
  /** SNS topic told when a result changed since the previous run of the same kind (unset: no notifications). */
  changesTopic: 'SAAS_READINESS_CHANGES_TOPIC',
  /** `1`: publish scheduled runs' results to Security Hub in the function's account and region. */
  securityHub: 'SAAS_READINESS_SECURITY_HUB',
} as const;

/** Time kept back from the function timeout for publishing the result after the gate's deadline. */
export const PUBLISH_RESERVE_SECONDS = 20;

/** The scheduled event. `probes: true` runs the gate with its active probes; anything else leaves them out. */
export interface GateEvent {
  probes?: boolean;
}

/** Logged once per run at INFO with these fields; the dashboard's "latest result" table queries it. */
export const RESULT_LOG_MESSAGE = 'readiness gate result';

/** S3 key prefix of one gate's reports (`reports/<suite>/<gate>/`), or of one run with `startedAt`. */
export function reportPrefix(suite: string, gate: string, startedAt?: string): string {
  return `reports/${suite}/${gate}/${startedAt ? `${startedAt}/` : ''}`;
}
