import { ACK_MAX_HOURS, EXPIRED_ACK_SHOWN_DAYS, type Acknowledgement } from '../../lambda/core/acknowledgements';
import type { GateId } from '../../lambda/core/gate';
import { registerSecret } from '../../lambda/core/redact';
import { decide, HOOK_MESSAGE_LIMIT, type DecisionInput } from '../../lambda/hook/decision';
import type { LatestVerdict } from '../../lambda/hook/history';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const hoursAhead = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();
const DASHBOARD = 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/acme-rag-readiness';

const pass = (gate: GateId, h = 0.5): LatestVerdict => ({ gate, status: 'PASS', summary: `${gate} fine`, at: hoursAgo(h), run: 'scheduled' });
const ALL_PASS = { tenants: pass('tenants'), cost: pass('cost', 3), config: pass('config'), monitoring: pass('monitoring') };
const ack = (gate: GateId, validUntil: string, createdAt = hoursAgo(1)): Acknowledgement => ({
  gate,
  owner: 'jane@acme.example',
  reason: 'Bill export delayed by AWS; ticket OPS-42',
  createdAt,
  validUntil,
});

function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    operation: 'UPDATE',
    target: 'stack acme-rag-billing',
    suite: 'acme-rag',
    gates: [
      { id: 'tenants', maxAgeHours: 2 },
      { id: 'cost', maxAgeHours: 48 },
      { id: 'config', maxAgeHours: 2 },
      { id: 'monitoring', maxAgeHours: 2 },
    ],
    history: { verdicts: ALL_PASS, acknowledgements: [] },
    failureMode: 'FAIL',
    dashboardUrl: DASHBOARD,
    now: NOW,
    ...over,
  };
}

describe('the deploy-time decision', () => {
  it('READY: every required gate PASS within its max age → SUCCESS naming the gates and the dashboard', () => {
    const d = decide(input());
    expect(d.hookStatus).toBe('SUCCESS');
    expect(d.errorCode).toBeUndefined();
    expect(d.message).toMatch(/^saas-readiness: suite acme-rag is READY for stack acme-rag-billing: tenants, cost, config, monitoring passing/);
    expect(d.message).toContain(`Dashboard: ${DASHBOARD}`);
    expect(d.findings.map((f) => f.state)).toEqual(['passing', 'passing', 'passing', 'passing']);
  });

  it('NOT READY: a gate whose newest verdict FAILed → FAILED NonCompliant naming it, its reason, the break-glass and the dashboard', () => {
    const d = decide(
      input({
        history: {
          verdicts: { ...ALL_PASS, cost: { gate: 'cost', status: 'FAIL', summary: 'AWS bill differs from the ledger by 8.0% (> 5%)', at: hoursAgo(3) } },
          acknowledgements: [],
        },
      }),
    );
    expect(d.hookStatus).toBe('FAILED');
    expect(d.errorCode).toBe('NonCompliant');
    const lines = d.message.split('\n');
    expect(lines[0]).toBe('saas-readiness: suite acme-rag is NOT READY: cost not passing; stack acme-rag-billing is held.');
    expect(d.message).toContain('✗ cost: FAIL at 2026-11-28T09:00:00.000Z (3.0 h ago): AWS bill differs from the ledger by 8.0% (> 5%)');
    expect(d.message).toContain('✓ tenants: PASS');
    expect(d.message).toContain('FailureMode FAIL: CloudFormation stops this operation.');
    expect(d.message).toContain('saas-readiness ack --gate cost --owner <you>');
    expect(lines[lines.length - 1]).toBe(`Dashboard: ${DASHBOARD}`);
  });

  it.each(['ERROR', 'SKIP'] as const)('NOT READY: a newest verdict %s is not passing either', (status) => {
    const d = decide(
      input({
        history: {
          verdicts: { ...ALL_PASS, monitoring: { gate: 'monitoring', status, summary: 'Datadog: HTTP 403', at: hoursAgo(0.2) } },
          acknowledgements: [],
        },
      }),
    );
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.message).toContain(`✗ monitoring: ${status} at`);
  });

  it('stale: a PASS older than the gate max age holds the stack (monitoring went dark)', () => {
    const d = decide(input({ history: { verdicts: { ...ALL_PASS, monitoring: pass('monitoring', 26) }, acknowledgements: [] } }));
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.findings.find((f) => f.gate === 'monitoring')!.state).toBe('stale');
    expect(d.message).toContain('✗ monitoring: newest verdict PASS at 2026-11-27T10:00:00.000Z (26.0 h ago) is older than the allowed 2 h');
  });

  it('each gate has its own max age: a 30 h old cost PASS is fresh against 48 h', () => {
    expect(decide(input({ history: { verdicts: { ...ALL_PASS, cost: pass('cost', 30) }, acknowledgements: [] } })).hookStatus).toBe('SUCCESS');
  });

  it('missing history: a required gate that never reported holds the stack', () => {
    const { monitoring: _gone, ...rest } = ALL_PASS;
    const d = decide(input({ history: { verdicts: rest, acknowledgements: [] } }));
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.message).toContain('✗ monitoring: no verdict in the history (the gate has not run, or its records expired)');
  });

  it('an empty history holds the stack with every gate named', () => {
    const d = decide(input({ history: { verdicts: {}, acknowledgements: [] } }));
    expect(d.message.split('\n')[0]).toBe(
      'saas-readiness: suite acme-rag is NOT READY: tenants, cost, config, monitoring not passing; stack acme-rag-billing is held.',
    );
  });

  it('acknowledged: an active acknowledgement of the failing gate lets the stack through, and the answer shows it', () => {
    const a = ack('cost', hoursAhead(4));
    const d = decide(
      input({ history: { verdicts: { ...ALL_PASS, cost: { gate: 'cost', status: 'FAIL', summary: 'drift 8%', at: hoursAgo(3) } }, acknowledgements: [a] } }),
    );
    expect(d.hookStatus).toBe('SUCCESS');
    expect(d.message.split('\n')[0]).toBe(
      'saas-readiness: suite acme-rag is NOT READY, but every gate not passing is acknowledged; stack acme-rag-billing proceeds under break-glass.',
    );
    expect(d.message).toContain(
      `⚠ cost: FAIL at 2026-11-28T09:00:00.000Z (3.0 h ago): drift 8% — acknowledged by jane@acme.example until ${a.validUntil}: Bill export delayed by AWS; ticket OPS-42`,
    );
    expect(d.acknowledgements).toEqual([{ ...a, state: 'in use', standing: 'not passing' }]);
  });

  it('an acknowledgement excuses only its own gate', () => {
    const d = decide(
      input({
        history: {
          verdicts: { ...ALL_PASS, cost: { gate: 'cost', status: 'FAIL', summary: 'drift', at: hoursAgo(3) }, monitoring: pass('monitoring', 30) },
          acknowledgements: [ack('cost', hoursAhead(4))],
        },
      }),
    );
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.message.split('\n')[0]).toContain(': monitoring not passing;');
  });

  it('an acknowledgement also covers a stale or missing verdict of its gate', () => {
    const { monitoring: _gone, ...rest } = ALL_PASS;
    const d = decide(input({ history: { verdicts: rest, acknowledgements: [ack('monitoring', hoursAhead(2))] } }));
    expect(d.hookStatus).toBe('SUCCESS');
    expect(d.findings.find((f) => f.gate === 'monitoring')).toMatchObject({
      state: 'missing',
      acknowledgedBy: expect.objectContaining({ owner: 'jane@acme.example' }),
    });
  });

  it('expired acknowledgement: it excuses nothing, and the answer says it expired', () => {
    const a = ack('cost', hoursAgo(1), hoursAgo(5));
    const d = decide(
      input({ history: { verdicts: { ...ALL_PASS, cost: { gate: 'cost', status: 'FAIL', summary: 'drift', at: hoursAgo(3) } }, acknowledgements: [a] } }),
    );
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.acknowledgements).toEqual([{ ...a, state: 'expired', standing: 'not passing' }]);
    expect(d.message).toContain(
      `• acknowledgement cost — expired (expired: it excuses nothing): jane@acme.example, expired ${a.validUntil}: Bill export delayed`,
    );
  });

  it('an acknowledgement expired longer ago than the shown window is no longer listed', () => {
    const old = ack('cost', hoursAgo(EXPIRED_ACK_SHOWN_DAYS * 24 + 1), hoursAgo(EXPIRED_ACK_SHOWN_DAYS * 24 + 2));
    expect(decide(input({ history: { verdicts: ALL_PASS, acknowledgements: [old] } })).acknowledgements).toEqual([]);
  });

  it('unused acknowledgement: active while its gate passes anyway; flagged in a SUCCESS answer', () => {
    const a = ack('tenants', hoursAhead(ACK_MAX_HOURS - 1));
    const d = decide(input({ history: { verdicts: ALL_PASS, acknowledgements: [a] } }));
    expect(d.hookStatus).toBe('SUCCESS');
    expect(d.acknowledgements).toEqual([{ ...a, state: 'unused', standing: 'passing' }]);
    expect(d.message).toContain('• acknowledgement tenants — unused (unused: the gate passes without it): jane@acme.example');
  });

  it('delete operations are never held, whatever the history says (and it is not consulted)', () => {
    for (const history of [undefined, { verdicts: {}, acknowledgements: [] }, { error: 'AccessDeniedException (HTTP 400)' }]) {
      const d = decide(input({ operation: 'DELETE', history }));
      expect(d).toEqual({
        hookStatus: 'SUCCESS',
        message: 'saas-readiness: stack acme-rag-billing is being deleted; deletes are never held.',
        findings: [],
        acknowledgements: [],
      });
    }
  });

  it('history that cannot be read, FailureMode FAIL: FAILED InternalFailure, the cause named, the operation stopped', () => {
    const d = decide(input({ history: { error: 'DynamoDB table acme-rag-history: AccessDeniedException (HTTP 400)' } }));
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(d.message).toBe(
      [
        'saas-readiness: readiness of suite acme-rag is unknown for stack acme-rag-billing: the history could not be read (DynamoDB table acme-rag-history: AccessDeniedException (HTTP 400)).',
        'FailureMode FAIL: CloudFormation stops this operation.',
        `Dashboard: ${DASHBOARD}`,
      ].join('\n'),
    );
  });

  it('history that cannot be read, FailureMode WARN: still FAILED (never SUCCESS), saying CloudFormation continues unverified', () => {
    const d = decide(input({ failureMode: 'WARN', history: { error: 'TimeoutError' } }));
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(d.message).toContain('FailureMode WARN: CloudFormation continues with this warning; the deployment is NOT verified.');
  });

  it('a CREATE or UPDATE decided without the history is FAILED InternalFailure, never SUCCESS', () => {
    expect(decide(input({ history: undefined }))).toMatchObject({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: expect.stringContaining('the history could not be read (the history was not read)'),
    });
  });

  it('NOT READY under FailureMode WARN says the deployment goes ahead while not ready', () => {
    const d = decide(input({ failureMode: 'WARN', history: { verdicts: {}, acknowledgements: [] } }));
    expect(d).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(d.message).toContain('FailureMode WARN: CloudFormation continues with this warning; the deployment is going ahead while the suite is NOT READY.');
  });

  it('keeps the message within the 4096 characters CloudFormation shows, verdict line and dashboard intact', () => {
    const huge = 'x'.repeat(5000);
    const verdicts = Object.fromEntries(
      (['tenants', 'cost', 'config', 'monitoring'] as const).map((g) => [g, { gate: g, status: 'FAIL' as const, summary: huge, at: hoursAgo(1) }]),
    );
    const acks = Array.from({ length: 20 }, (_, i) => ({ ...ack('tenants', hoursAgo(i + 1), hoursAgo(i + 2)), reason: `r${i} ${huge}` }));
    const d = decide(input({ history: { verdicts, acknowledgements: acks } }));
    expect(d.message.length).toBeLessThanOrEqual(HOOK_MESSAGE_LIMIT);
    expect(d.message.split('\n')[0]).toMatch(/^saas-readiness: suite acme-rag is NOT READY/);
    expect(d.message.endsWith(`Dashboard: ${DASHBOARD}`)).toBe(true);
  });

  it('never carries a registered secret into the message', () => {
    registerSecret('pg-Hook-Secret-771');
    const d = decide(
      input({
        history: {
          verdicts: { ...ALL_PASS, tenants: { gate: 'tenants', status: 'ERROR', summary: 'auth failed for pg-Hook-Secret-771', at: hoursAgo(0.1) } },
          acknowledgements: [],
        },
      }),
    );
    expect(d.message).not.toContain('pg-Hook-Secret-771');
    expect(d.message).toContain('auth failed for ***');
  });
});
