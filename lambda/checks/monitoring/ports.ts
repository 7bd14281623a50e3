import { definePort } from '../../core/ports';
/** The tenant tag / attribute every provider uses unless told otherwise (SAAS_READINESS_TENANT_TAG in zero-config). */
export const DEFAULT_TENANT_TAG = 'tenant_id';

/** What a tenant tag / attribute may be called. */
export const TAG_PATTERN = '^[A-Za-z_][A-Za-z0-9_.:/-]{0,199}$';

/** The three signals gate 4 expects every monitoring integration to carry. */
export const SIGNALS = ['latency', 'errors', 'throughput'] as const;
export type SignalKind = (typeof SIGNALS)[number];

/** Alerting must cover these two signals. */
export const ALERTED_SIGNALS = ['errors', 'latency'] as const;
export type AlertedSignal = (typeof ALERTED_SIGNALS)[number];

export interface TimeWindow {
  from: Date;
  to: Date;
}

/** What a provider measured for one signal in a window. */
export interface SignalReading {
  /** The query or expression sent, for the evidence. */
  query: string;
  /** Data seen: datapoints with a value (Datadog, CloudWatch), events counted (New Relic count(…)), or a query's value (New Relic average(…)). */
  samples: number;
  unit: 'datapoints' | 'events' | 'value';
  /** For `value`: what the value is, as the provider names it (e.g. `average.duration`). */
  valueName?: string;
  /** Time of the newest datapoint, where the provider reports one. */
  lastAt?: Date;
  /**
   * A count the provider writes only when it is non-zero (Datadog's trace.*.errors): no data
   * while throughput flows is a measured zero, not a missing signal.
   */
  absentMeansZero?: boolean;
}

/** Throughput broken down by the tenant tag / attribute / dimension. */
export interface TenantBreakdown {
  query: string;
  /** Tag, attribute or dimension the breakdown is by. */
  by: string;
  /** Distinct tenants with throughput above zero in the window. */
  tenants: string[];
}

/** A monitor (Datadog), NRQL alert condition (New Relic) or alarm (CloudWatch). */
export interface AlertRule {
  id: string;
  name: string;
  /** What the rule watches (its query, metric or expression); decides whether it covers errors or latency. */
  query: string;
  enabled: boolean;
  /** Why the rule would not notify now (silenced, downtime, muting rule, actions suppressed). */
  mutedBy?: string;
  /** Where it notifies: @handles, workflow destinations, alarm action ARNs. */
  notifies: string[];
  /** Why nothing it raises reaches a target, when the provider can say more than "no target". */
  noTargetReason?: string;
  /** What would notify but is switched off (e.g. `workflow "Prod to PagerDuty"`): the rule is reported as routed to something disabled. */
  disabledRoute?: string;
  /** Current state as the provider reports it (OK, Alert, ALARM…), for the evidence. */
  state?: string;
  /**
   * Why the rule is left out of the judgement although it was read (it watches another env or
   * app): such rules never count, and a PASS names them with this reason.
   */
  excluded?: string;
}

/**
 * One monitoring integration, as gate 4 sees it. Adapters throw a `credentials` SourceError when
 * the provider refuses the integration's own key; any other error means "not evaluated".
 */
export interface MonitoringProvider {
  /** The source type, e.g. `datadog`. */
  readonly id: string;
  /** e.g. "Datadog (datadoghq.eu)". */
  readonly label: string;
  /** Title of the credentials criterion, e.g. "Datadog API key valid". */
  readonly credentialsTitle: string;
  /** What access the integration needs, in the provider's own terms (API key scopes, IAM actions), for fix lines. */
  readonly access?: string;
  /** Proves the credentials work; returns one line of evidence (e.g. the user the key belongs to). */
  verifyCredentials(signal: AbortSignal): Promise<string>;
  readSignals(window: TimeWindow, signal: AbortSignal): Promise<Record<SignalKind, SignalReading>>;
  tenantBreakdown(window: TimeWindow, signal: AbortSignal): Promise<TenantBreakdown>;
  alertRules(signal: AbortSignal): Promise<AlertRule[]>;
}

/** One provider section of `gates.monitoring` (e.g. `datadog: { source, env, tenantTag }`): its options. */
export type ProviderOptions = Readonly<Record<string, unknown>>;

/** Every source that opens this port adds a section keyed by its type to `gates.monitoring`. */
export const MONITORING_PROVIDER = definePort<MonitoringProvider, ProviderOptions>('monitoringProvider', 'monitoring provider');

/** Default words that make a rule count as covering errors or latency (matched on its name and query). */
export const DEFAULT_ALERT_PATTERNS: Record<AlertedSignal, string> = {
  errors: 'error|5xx|fault|exception|fail',
  latency: 'latenc|duration|response.?time|p9[059]|percentile|slow',
};
