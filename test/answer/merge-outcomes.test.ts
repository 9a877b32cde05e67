import { describe, expect, it } from 'vitest';
import { mergeFanOut } from '../../src/answer/merge-outcomes.js';
import type { Outcome } from '../../src/answer/outcome.js';

const list = (n: number, tag: string): Outcome => ({ kind: 'resultList', persons: Array.from({ length: n }, (_, i) => `<p>${tag}${i}</p>`) });

describe('merging the answers of a fanned-out free search', () => {
  it('passes a single answer through', () => {
    expect(mergeFanOut([{ kind: 'neutral' }])).toEqual({ kind: 'neutral' });
  });
  it('joins the Ergebnislisten and leaves out neutral legs', () => {
    expect(mergeFanOut([list(2, 'a'), { kind: 'neutral' }, list(1, 'b')])).toEqual({ kind: 'resultList', persons: ['<p>a0</p>', '<p>a1</p>', '<p>b0</p>'] });
  });
  it('is neutral when every leg is', () => {
    expect(mergeFanOut([{ kind: 'neutral' }, { kind: 'neutral' }])).toEqual({ kind: 'neutral' });
  });
  it('answers 13 above 1000 persons, and up to 1000 as a list', () => {
    expect(mergeFanOut([list(600, 'a'), list(401, 'b')])).toEqual({ kind: 'rejected', reasons: [{ code: '13' }] });
    const merged = mergeFanOut([list(600, 'a'), list(400, 'b')]);
    expect(merged.kind === 'resultList' && merged.persons.length).toBe(1000);
  });
  it('answers a partial failure honestly as a technical failure, never a shorter list', () => {
    expect(mergeFanOut([list(2, 'a'), { kind: 'technical', failure: 'timeout' }])).toEqual({ kind: 'technical', failure: 'timeout' });
  });
  it('passes rejections of legs on together', () => {
    expect(mergeFanOut([list(1, 'a'), { kind: 'rejected', reasons: [{ code: '22' }] }, { kind: 'rejected', reasons: [{ code: '22' }] }]))
      .toEqual({ kind: 'rejected', reasons: [{ code: '22' }] });
  });
});
