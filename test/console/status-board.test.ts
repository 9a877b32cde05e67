import { describe, expect, it } from 'vitest';
import { StatusBoard, outcomeClass } from '../../src/console/status-board.js';

describe('the status board', () => {
  it('keeps 03 one outcome and groups rejections and technical failures', () => {
    expect(['hit', 'list', 'none', 'rueckweisung_14', 'technical_timeout'].map(outcomeClass)).toEqual(['hit', 'list', 'none', 'rejected', 'technical']);
  });

  it('counts the window per target with p50/p99 and the last failure class; older answers drop out', () => {
    let now = Date.parse('2026-12-04T10:00:00Z');
    const board = new StatusBoard(60_000, () => new Date(now));
    for (let i = 1; i <= 100; i++) board.record('land:09', i === 100 ? 'technical_timeout' : 'none', i / 1000);
    board.record('land:05', 'hit', 0.2);
    const [l05, l09] = board.snapshot();
    expect(l09).toMatchObject({ target: 'land:09', count: 100, perMinute: 100, mix: { none: 99, technical: 1, hit: 0 }, p50Ms: 50, p99Ms: 99 });
    expect(l09?.lastFailure?.failureClass).toBe('timeout');
    expect(l05).toMatchObject({ count: 1, p50Ms: 200, p99Ms: 200 });
    now += 61_000;
    const [, later] = board.snapshot();
    expect(later).toMatchObject({ count: 0, mix: { none: 0 } });
    expect(later?.p50Ms).toBeUndefined();
    expect(later?.lastFailure?.failureClass).toBe('timeout'); // the last failure stays until another
  });
});
