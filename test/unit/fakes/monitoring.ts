/**
 * An in-memory monitoring provider, built from `lambda/checks/monitoring/ports.ts`: each call
 * answers what it was given, or rejects with it when it is an error (a `SourceError` of kind `credentials` when the
 * provider refuses the key, a `SettingRequiredError` when a setting is missing, anything else when
 * it cannot be reached). It records the windows it was asked about.
 */
import type { AlertRule, MonitoringProvider, SignalKind, SignalReading, TenantBreakdown, TimeWindow } from '../../../lambda/checks/monitoring/ports';

type Answer<T> = T | Error;

export interface FakeProviderSpec {
  id?: MonitoringProvider['id'];
  label?: string;
  /** Evidence line, or the error verifyCredentials rejects with. */
  credentials?: Answer<string>;
  /** Samples per signal (default 10 each), or full readings, or an error. */
  signals?: Answer<Partial<Record<SignalKind, number | Partial<SignalReading>>>>;
  /** Tenant IDs with throughput (default 12 tenants), or an error. */
  tenants?: Answer<string[]>;
  by?: string;
  /** The access the provider needs, for fix lines (the port's optional `access`). */
  access?: string;
  /** Alert rules (default: one good error rule and one good latency rule), or an error. */
  rules?: Answer<AlertRule[]>;
}

export function rule(name: string, over: Partial<AlertRule> = {}): AlertRule {
  return { id: name.toLowerCase().replace(/\W+/g, '-'), name, query: '', enabled: true, notifies: ['@pagerduty-oncall'], ...over };
}

export const GOOD_RULES = [rule('API 5xx error rate', { state: 'OK' }), rule('API p95 latency')];

export const tenantIds = (n: number) => Array.from({ length: n }, (_, i) => `tenant-${i + 1}`);

function answer<T>(a: Answer<T>): Promise<T> {
  return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
}

function reading(kind: SignalKind, v: number | Partial<SignalReading> | undefined): SignalReading {
  const base: SignalReading = { query: `avg:${kind}{env:prod}`, samples: 10, unit: 'datapoints' };
  if (v === undefined) return base;
  return typeof v === 'number' ? { ...base, samples: v } : { ...base, ...v };
}

export function fakeProvider(spec: FakeProviderSpec = {}): MonitoringProvider & { windows: { signals: TimeWindow[]; tenants: TimeWindow[] }; calls: string[] } {
  const windows = { signals: [] as TimeWindow[], tenants: [] as TimeWindow[] };
  const calls: string[] = [];
  const label = spec.label ?? 'Datadog (datadoghq.com)';
  return {
    id: spec.id ?? 'datadog',
    label,
    credentialsTitle: 'API key valid',
    ...(spec.access ? { access: spec.access } : {}),
    windows,
    calls,
    verifyCredentials: () => (calls.push('credentials'), answer(spec.credentials ?? 'key of ops@example.com')),
    readSignals: (window) => {
      calls.push('signals');
      windows.signals.push(window);
      const s = spec.signals ?? {};
      if (s instanceof Error) return Promise.reject(s);
      return Promise.resolve({ latency: reading('latency', s.latency), errors: reading('errors', s.errors), throughput: reading('throughput', s.throughput) });
    },
    tenantBreakdown: (window) => {
      calls.push('tenants');
      windows.tenants.push(window);
      return answer(spec.tenants ?? tenantIds(12)).then(
        (tenants): TenantBreakdown => ({ query: 'hits by {tenant_id}', by: spec.by ?? 'tag tenant_id', tenants }),
      );
    },
    alertRules: () => (calls.push('rules'), answer(spec.rules ?? GOOD_RULES)),
  };
}
