import { describe, expect, it } from 'vitest';
import { StatusBoard, outcomeClass } from '../../src/console/status-board.js';

/** The board's latency bins are ≈ 4.4 % wide: a quantile is its bin's middle. */
const within = (ms: number | undefined, expected: number): boolean => ms !== undefined && Math.abs(ms - expected) / expected <= 0.03;

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
    expect(l09).toMatchObject({ target: 'land:09', count: 100, perMinute: 100, mix: { none: 99, technical: 1, hit: 0 } });
    expect(within(l09?.p50Ms, 50)).toBe(true);
    expect(within(l09?.p99Ms, 99)).toBe(true);
    expect(l09?.lastFailure?.failureClass).toBe('timeout');
    expect(l05).toMatchObject({ count: 1 });
    expect(within(l05?.p50Ms, 200) && within(l05?.p99Ms, 200)).toBe(true);
    now += 61_000;
    const [, later] = board.snapshot();
    expect(later).toMatchObject({ count: 0, mix: { none: 0 } });
    expect(later?.p50Ms).toBeUndefined();
    expect(later?.lastFailure?.failureClass).toBe('timeout'); // the last failure stays until another
  });

  it('gives quantiles within 3 % from 0.2 ms to a minute', () => {
    for (const ms of [0.2, 1, 7, 49, 333, 2_500, 60_000]) {
      const board = new StatusBoard(60_000, () => new Date('2026-12-04T10:00:00Z'));
      board.record('land:09', 'hit', ms / 1000);
      const [s] = board.snapshot();
      expect(within(s?.p50Ms, ms), `${ms} ms → ${s?.p50Ms}`).toBe(true);
    }
  });

  it('holds the answers of the window at any rate, not every answer: 30 minutes at 100 a second', () => {
    let now = Date.parse('2026-12-04T10:00:00Z');
    const board = new StatusBoard(15 * 60_000, () => new Date(now));
    for (let i = 0; i < 180_000; i++) {
      board.record('land:09', i % 100 === 0 ? 'technical_timeout' : 'hit', 0.02 + (i % 10) / 1000);
      now += 10;
    }
    const [s] = board.snapshot();
    // 15 minutes at 100/s, give or take one slice (a sixtieth of the window) at the edge
    expect(s?.count).toBeGreaterThanOrEqual(90_000);
    expect(s?.count).toBeLessThanOrEqual(91_500);
    expect((s?.mix.technical ?? 0) / (s?.count ?? 1)).toBeCloseTo(0.01, 3);
    expect(within(s?.p50Ms, 24)).toBe(true);
    const slices = (board as unknown as { slices: Map<string, unknown[]> }).slices.get('land:09');
    expect(slices?.length).toBeLessThanOrEqual(61);
  });
});
