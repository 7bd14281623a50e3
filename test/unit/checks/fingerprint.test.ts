/**
 * Schema fingerprint helpers of gate 3, beyond test/config/fingerprint.test.ts: value types at the
 * edges, the depth cut, and how changes are named when keys move together.
 */
import { DEFAULT_FINGERPRINT_DEPTH, describeChange, fingerprintOf, jsonShape } from '../../../lambda/checks/config/fingerprint';

const shape = (doc: Record<string, unknown>, depth?: number) => {
  const out = new Set<string>();
  jsonShape(doc, '_probe', out, depth);
  return [...out].sort();
};

describe('jsonShape', () => {
  it('types null, booleans and nested arrays', () => {
    expect(shape({ a: null, b: true, m: [[1]] })).toEqual(['json a null', 'json b boolean', 'json m array', 'json m[] array', 'json m[][] number']);
  });

  it('an empty array or object is one element with no children', () => {
    expect(shape({ a: [], o: {} })).toEqual(['json a array', 'json o object']);
  });

  it('array elements of different types each add their type under one path', () => {
    expect(shape({ a: [1, 'x', { k: 1 }] })).toEqual(['json a array', 'json a[] number', 'json a[] object', 'json a[] string', 'json a[].k number']);
  });

  it('skips the reserved key at the top level only', () => {
    expect(shape({ _probe: 'sr-1', nested: { _probe: 1 } })).toEqual(['json nested object', 'json nested._probe number']);
  });

  it('stops at the depth limit (default 8)', () => {
    expect(DEFAULT_FINGERPRINT_DEPTH).toBe(8);
    expect(shape({ a: { b: { c: 1 } } }, 2)).toEqual(['json a object', 'json a.b object']);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 9; i++) deep = { n: deep };
    expect(shape(deep).some((e) => e.includes('leaf'))).toBe(false);
    expect(shape(deep)).toHaveLength(8);
  });
});

describe('fingerprintOf', () => {
  it('merges structure and shapes, sorted and without duplicates', () => {
    const fp = fingerprintOf(['column t.b text', 'column t.a text', 'column t.a text'], new Set(['json x number']));
    expect(fp.entries).toEqual(['column t.a text', 'column t.b text', 'json x number']);
    expect(fp.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprintOf(['column t.a text', 'column t.b text'], new Set(['json x number'])).hash).toBe(fp.hash);
  });

  it('of nothing is still a fingerprint', () => {
    expect(fingerprintOf([], new Set()).entries).toEqual([]);
  });
});

describe('describeChange', () => {
  it('nothing changed: no lines', () => {
    expect(describeChange(shape({ a: 1 }), shape({ a: 2 }))).toEqual([]);
  });

  it('a renamed object is named once; its children follow it', () => {
    expect(describeChange(shape({ retrieval: { topK: 8, shard: 's' } }), shape({ search: { topK: 8, shard: 's' } }))).toEqual([
      'JSON key renamed: retrieval → search',
    ]);
  });

  it('a key moved to another parent is a removal and an addition, not a rename', () => {
    expect(describeChange(shape({ a: { k: 1 }, b: {} }), shape({ a: {}, b: { k: 1 } }))).toEqual([
      'JSON key removed: a.k number',
      'JSON key added: b.k number',
    ]);
  });

  it('a key whose type changed is one line even when another key was added beside it', () => {
    expect(describeChange(shape({ a: 1 }), shape({ a: 'x', z: 1 }))).toEqual(['json a changed: number → string', 'JSON key added: z number']);
  });

  it('names column changes with their kind', () => {
    expect(describeChange(['column t.a text null'], ['column t.b text null'])).toEqual(['column renamed: t.a → t.b']);
    expect(describeChange(['attribute region S'], [])).toEqual(['attribute removed: region S']);
  });
});
