import type { CheckResult } from '../../lambda/core/result';
import type { RunReport } from '../../lambda/core/runner';

/** A cost result with a tenant_costs.json artifact, as gate 2 writes it. */
export function costResult(
  lines: { tenant: string; tracked: number; billed: number; status: string }[],
  status: CheckResult['status'] = 'PASS',
  startedAt = '2026-11-28T08:00:00.000Z',
): CheckResult {
  const doc = {
    window: { from: '2026-10-27', to: '2026-11-25' },
    tolerancePercent: '5.00',
    materialityUsd: '1.00',
    lines: [
      { tenant_id: '(total)', provider: 'aws', tracked_cost: '0.00', actual_cost: '0.00', variance_pct: null, status: 'total' },
      ...lines.map((l) => ({
        tenant_id: l.tenant,
        provider: 'aws',
        tracked_cost: l.tracked.toFixed(2),
        actual_cost: l.billed.toFixed(2),
        // As gate 2 writes it: an exact decimal string.
        variance_pct: l.billed ? (((l.tracked - l.billed) / l.billed) * 100).toFixed(2) : null,
        status: l.status,
      })),
    ],
  };
  return {
    gate: 'cost',
    title: 'Cost tracking accurate',
    status,
    summary: status === 'PASS' ? 'AWS: all tenants within ±5%' : 'AWS: 1 tenant outside ±5%',
    criteria: [
      { id: 'fresh', title: 'ledger fresh', status: 'PASS', summary: 'newest entry 2 h old' },
      {
        id: 'aws-tenants',
        title: 'AWS per tenant',
        status,
        summary: status === 'PASS' ? 'all within' : 'initech outside',
        remediation: status === 'PASS' ? undefined : 'Fix the metering.',
      },
    ],
    measurements: [],
    evidence: [],
    startedAt,
    durationMs: 1200,
    artifacts: [{ name: 'tenant_costs.json', contentType: 'application/json', content: JSON.stringify(doc) }],
  };
}

export function result(gate: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return {
    gate,
    title: `Gate ${gate}`,
    status,
    summary: `${gate} is ${status}`,
    criteria: [],
    measurements: [],
    evidence: [],
    startedAt: '2026-11-28T08:00:00.000Z',
    durationMs: 10,
    ...extra,
  };
}

export function report(results: CheckResult[], extra: Partial<RunReport> = {}): RunReport {
  const bad = results.some((r) => r.status !== 'PASS');
  return {
    schemaVersion: 1,
    tool: { name: 'saas-readiness', version: '0.1.0' },
    suite: 'acme',
    verdict: bad ? 'NOT READY' : 'READY',
    verdictReason: bad ? 'something is not ready' : `${results.length} passed`,
    allowSkip: false,
    probes: true,
    startedAt: '2026-11-28T08:00:00.000Z',
    durationMs: 1500,
    results,
    ...extra,
  };
}
