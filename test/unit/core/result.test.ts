/**
 * The result model every check builds on, beyond what test/core/runner.test.ts and
 * test/properties/verdict.property.test.ts already pin: how the gate summary, remediation and
 * measurements are derived from criteria, and how offenders are listed.
 */
import { errorOutcome, listOffenders, outcomeFromCriteria, skippedOutcome, statusOf, type Criterion } from '../../../lambda/core/result';

const c = (id: string, status: Criterion['status'], extra: Partial<Criterion> = {}): Criterion => ({
  id,
  title: id,
  status,
  summary: `${id} ${status.toLowerCase()}`,
  ...extra,
});

describe('statusOf: FAIL > ERROR > SKIP > PASS', () => {
  it.each([
    [['SKIP', 'ERROR'], 'ERROR'],
    [['SKIP', 'FAIL'], 'FAIL'],
    [['SKIP'], 'SKIP'],
    [['PASS'], 'PASS'],
    [['ERROR', 'SKIP', 'FAIL', 'PASS'], 'FAIL'],
  ] as const)('%j → %s', (statuses, expected) => {
    expect(statusOf(statuses.map((s, i) => c(String(i), s)))).toBe(expected);
  });
});

describe('outcomeFromCriteria', () => {
  it('with no criterion: ERROR "no criterion was evaluated"', () => {
    expect(outcomeFromCriteria([])).toEqual({ status: 'ERROR', summary: 'no criterion was evaluated', criteria: [], measurements: [], evidence: [] });
  });

  it('PASS uses passSummary when given, else joins every criterion summary', () => {
    const all = [c('a', 'PASS'), c('b', 'PASS')];
    expect(outcomeFromCriteria(all).summary).toBe('a pass; b pass');
    expect(outcomeFromCriteria(all, { passSummary: 'all good' }).summary).toBe('all good');
  });

  it('a non-PASS ignores passSummary and joins only the deciding criteria', () => {
    const o = outcomeFromCriteria([c('a', 'ERROR'), c('b', 'PASS'), c('d', 'ERROR')], { passSummary: 'all good' });
    expect(o.status).toBe('ERROR');
    expect(o.summary).toBe('a error; d error');
  });

  it('SKIP is decided by the SKIP criteria', () => {
    const o = outcomeFromCriteria([c('a', 'PASS'), c('b', 'SKIP', { remediation: 'Set B.' })]);
    expect(o).toMatchObject({ status: 'SKIP', summary: 'b skip', remediation: 'Set B.' });
  });

  it("remediation joins the deciding criteria's remediations only, and is absent on PASS", () => {
    const o = outcomeFromCriteria([
      c('a', 'FAIL', { remediation: 'Fix A.' }),
      c('b', 'ERROR', { remediation: 'Fix B.' }),
      c('d', 'FAIL'),
      c('e', 'FAIL', { remediation: 'Fix E.' }),
    ]);
    expect(o.remediation).toBe('Fix A. Fix E.');
    expect(outcomeFromCriteria([c('a', 'PASS', { remediation: 'never shown' })])).not.toHaveProperty('remediation');
    expect(outcomeFromCriteria([c('a', 'FAIL')])).not.toHaveProperty('remediation');
  });

  it("measurements default to every criterion's, in order; explicit ones replace them", () => {
    const m1 = { name: 'x', value: 1 };
    const m2 = { name: 'y', value: 'two' };
    const criteria = [c('a', 'PASS', { measurements: [m1] }), c('b', 'FAIL'), c('d', 'PASS', { measurements: [m2] })];
    expect(outcomeFromCriteria(criteria).measurements).toEqual([m1, m2]);
    expect(outcomeFromCriteria(criteria, { measurements: [] }).measurements).toEqual([]);
  });

  it('passes evidence and artifacts through; no artifacts key without them', () => {
    const artifacts = [{ name: 'f.csv', contentType: 'text/csv', content: 'a\n' }];
    const o = outcomeFromCriteria([c('a', 'PASS')], { evidence: ['e1'], artifacts });
    expect(o.evidence).toEqual(['e1']);
    expect(o.artifacts).toBe(artifacts);
    expect(outcomeFromCriteria([c('a', 'PASS')])).not.toHaveProperty('artifacts');
  });
});

describe('skippedOutcome / errorOutcome', () => {
  it('SKIP carries the hint as summary and remediation, with no criteria', () => {
    expect(skippedOutcome('set DATABASE_URL')).toEqual({
      status: 'SKIP',
      summary: 'set DATABASE_URL',
      criteria: [],
      measurements: [],
      evidence: [],
      remediation: 'set DATABASE_URL',
    });
  });

  it('ERROR carries the cause, and a remediation only when given', () => {
    expect(errorOutcome('unreachable')).toEqual({ status: 'ERROR', summary: 'unreachable', criteria: [], measurements: [], evidence: [] });
    expect(errorOutcome('unreachable', 'check the VPC')).toMatchObject({ remediation: 'check the VPC' });
  });
});

describe('listOffenders', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `t${i + 1}`);

  it('lists up to 10 as they are', () => {
    expect(listOffenders(ids(10))).toBe('t1, t2, t3, t4, t5, t6, t7, t8, t9, t10');
  });

  it('cuts at 10 and names the total', () => {
    expect(listOffenders(ids(11))).toBe('t1, t2, t3, t4, t5, t6, t7, t8, t9, t10 … (11 in total)');
  });

  it('names a total larger than the examples it was given', () => {
    expect(listOffenders(['a', 'b'], 40)).toBe('a, b … (40 in total)');
    expect(listOffenders(['a', 'b'], 2)).toBe('a, b');
  });

  it('takes another limit', () => {
    expect(listOffenders(ids(4), 4, 3)).toBe('t1, t2, t3 … (4 in total)');
    expect(listOffenders(ids(3), 3, 3)).toBe('t1, t2, t3');
  });
});

describe('listOffenders without names', () => {
  it('a count the source gave without examples reads as a count, not " … (5 in total)"', () => {
    expect(listOffenders([], 5)).toBe('5 (not named by the source)');
    expect(listOffenders([], 0)).toBe('');
  });
});
