import { acknowledgementOf, acknowledgementRecord, classifyAcknowledgements, newAcknowledgement } from '../../lambda/core/acknowledgements';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const input = (expires: string) => ({ gate: 'cost', owner: 'jane@acme.example', reason: 'AWS bill export late, OPS-42', expires });

describe('acknowledgements', () => {
  it.each(['7d', '168h', '2026-12-05T12:00:00Z', '2026-12-05T14:00:00+02:00'])('accepts an expiry of at most 7 days: %s', (expires) => {
    expect(newAcknowledgement(input(expires), NOW)).toEqual({
      gate: 'cost',
      owner: 'jane@acme.example',
      reason: 'AWS bill export late, OPS-42',
      createdAt: NOW.toISOString(),
      validUntil: '2026-12-05T12:00:00.000Z',
    });
  });

  it.each(['169h', '8d', '2026-12-05T12:00:01Z'])('refuses an expiry beyond 7 days: %s', (expires) => {
    expect(() => newAcknowledgement(input(expires), NOW)).toThrow(/^--expires: at most 7 days ahead/);
  });

  it('trims what was typed', () => {
    expect(newAcknowledgement({ gate: ' tenants ', owner: '  ops  ', reason: '  registry migration OPS-1  ', expires: ' 2h ' }, NOW)).toMatchObject({
      gate: 'tenants',
      owner: 'ops',
      reason: 'registry migration OPS-1',
    });
  });

  it('reads back what it writes, and nothing of another shape (which then excuses nothing)', () => {
    const ack = newAcknowledgement(input('4h'), NOW);
    const record = acknowledgementRecord('acme-rag', ack);
    expect(record).toMatchObject({ pk: 'acme-rag#ack', sk: `${NOW.toISOString()}#cost` });
    expect(acknowledgementOf(record)).toEqual(ack);
    for (const broken of [{ gate: 'billing' }, { owner: '' }, { validUntil: 'soon' }, { reason: 42 }])
      expect(acknowledgementOf({ ...record, ...broken })).toBeUndefined();
  });

  it('classifies: in use when its gate is not passing, unused when it passes or is not evaluated, expired after validUntil', () => {
    const base = newAcknowledgement(input('4h'), NOW);
    const acks = [
      base,
      { ...base, gate: 'tenants' as const },
      { ...base, gate: 'config' as const },
      { ...base, gate: 'monitoring' as const, validUntil: '2026-11-28T11:59:59.999Z' },
    ];
    const standing = { cost: 'not passing', tenants: 'passing', config: 'not evaluated', monitoring: 'not passing' } as const;
    expect(classifyAcknowledgements(acks, (g) => standing[g as keyof typeof standing], NOW).map((a) => [a.gate, a.state])).toEqual([
      ['cost', 'in use'],
      ['tenants', 'unused'],
      ['config', 'unused'],
      ['monitoring', 'expired'],
    ]);
  });
});
