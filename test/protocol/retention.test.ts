import { describe, expect, it } from 'vitest';
import { earliestDeletion, latestDeletion, purgeCutoff } from '../../src/protocol/retention.js';

const deletedAt = (at: Date, now: Date) => at.getTime() < purgeCutoff(now).getTime();
/** Twelve months later by wall clock (UTC suffices as a lower bound), 29 Feb → 28 Feb. */
const MONTH12 = (d: Date) => {
  const x = new Date(d);
  x.setUTCFullYear(x.getUTCFullYear() + 1);
  if (x.getUTCMonth() !== d.getUTCMonth()) x.setUTCDate(0);
  return x;
};

describe('retention', () => {
  it('cuts at local (Berlin) midnight one year back', () => {
    expect(purgeCutoff(new Date('2026-07-15T13:00:00+02:00'))).toEqual(new Date('2025-07-15T00:00:00+02:00'));
    // 00:30 in Berlin is still the previous day in UTC: the Berlin day counts.
    expect(purgeCutoff(new Date('2026-01-02T00:30:00+01:00'))).toEqual(new Date('2025-01-02T00:00:00+01:00'));
    // 29 February minus a year: 28 February (the safe side).
    expect(purgeCutoff(new Date('2028-02-29T12:00:00+01:00'))).toEqual(new Date('2027-02-28T00:00:00+01:00'));
  });

  it('a record of 1 January goes on 2 January of the next year, not before', () => {
    const at = new Date('2025-01-01T00:00:00.000+01:00');
    expect(deletedAt(at, new Date('2026-01-01T23:59:59.999+01:00'))).toBe(false);
    expect(deletedAt(at, new Date('2026-01-02T00:00:00.000+01:00'))).toBe(true);
  });

  it('a record of 31 December goes exactly at the end of the following year', () => {
    const at = new Date('2025-12-31T23:59:59.999+01:00');
    expect(deletedAt(at, new Date('2026-12-31T23:59:59.999+01:00'))).toBe(false);
    expect(deletedAt(at, new Date('2027-01-01T00:00:00.000+01:00'))).toBe(true);
    expect(earliestDeletion(at)).toEqual(latestDeletion(at));
  });

  it('keeps every record twelve months and deletes it by the end of the following year', () => {
    // Every 7 hours over four years, crossing DST changes and a leap day.
    const start = new Date('2024-01-01T00:00:00+01:00').getTime();
    for (let t = start; t < start + 4 * 365 * 864e5; t += 7 * 3600e3) {
      const at = new Date(t);
      const earliest = earliestDeletion(at);
      expect(earliest.getTime()).toBeGreaterThanOrEqual(MONTH12(at).getTime());
      expect(earliest.getTime()).toBeLessThanOrEqual(latestDeletion(at).getTime());
      expect(deletedAt(at, earliest)).toBe(true);
      expect(deletedAt(at, new Date(earliest.getTime() - 1))).toBe(false);
      // Once due, a record stays due: the cutoff never moves backwards.
      expect(deletedAt(at, new Date(earliest.getTime() + 400 * 864e5))).toBe(true);
    }
  });

  it('handles 29 February', () => {
    expect(earliestDeletion(new Date('2024-02-29T10:00:00+01:00'))).toEqual(new Date('2025-03-01T00:00:00+01:00'));
    expect(earliestDeletion(new Date('2027-02-28T10:00:00+01:00'))).toEqual(new Date('2028-03-01T00:00:00+01:00'));
  });
});
