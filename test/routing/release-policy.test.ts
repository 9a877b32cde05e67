import { describe, expect, it } from 'vitest';
import {
  acceptedReleases, checkCallerRelease, defaultRelease, forwardRelease, type ReleasePolicy,
} from '../../src/routing/release-policy.js';

/** A change-over as an operator would configure it: 26.11 default from 1 Nov, 25.11a until end of April. */
const changeOver: ReleasePolicy = { windows: { '26.11': { defaultFrom: '2026-11-01' }, '25.11a': { acceptedUntil: '2027-04-30' } } };
const day = (d: string) => new Date(`${d}T12:00:00Z`);

describe('release windows', () => {
  it('before the change-over 25.11a is the default, both are accepted', () => {
    expect(defaultRelease(changeOver, day('2026-10-31'))).toBe('25.11a');
    expect(acceptedReleases(changeOver, day('2026-10-31'))).toEqual(['25.11a', '26.11']);
  });
  it('from defaultFrom on (inclusive) 26.11 is the default; 25.11a is still accepted', () => {
    expect(defaultRelease(changeOver, new Date('2026-11-01T00:00:00Z'))).toBe('26.11');
    expect(acceptedReleases(changeOver, day('2027-04-30'))).toEqual(['25.11a', '26.11']);
  });
  it('after acceptedUntil 25.11a is retired', () => {
    expect(acceptedReleases(changeOver, new Date('2027-05-01T00:00:00Z'))).toEqual(['26.11']);
    expect(checkCallerRelease(changeOver, '25.11a', undefined, day('2027-05-01'))).toEqual({ ok: false, reason: 'retired' });
  });
  it('without windows the newest release is the default and all are accepted', () => {
    expect(defaultRelease({ windows: {} }, day('2026-12-03'))).toBe('26.11');
    expect(acceptedReleases({ windows: {} }, day('2030-01-01'))).toEqual(['25.11a', '26.11']);
  });
  it('the later of two started defaults wins', () => {
    const p: ReleasePolicy = { windows: { '25.11a': { defaultFrom: '2025-11-01' }, '26.11': { defaultFrom: '2026-11-01' } } };
    expect(defaultRelease(p, day('2026-06-01'))).toBe('25.11a');
    expect(defaultRelease(p, day('2026-11-02'))).toBe('26.11');
  });
});

describe('callers', () => {
  it('a party registered for one release may send only that one', () => {
    expect(checkCallerRelease(changeOver, '26.11', ['25.11a'], day('2026-12-03'))).toEqual({ ok: false, reason: 'notForParty' });
    expect(checkCallerRelease(changeOver, '25.11a', ['25.11a'], day('2026-12-03'))).toEqual({ ok: true });
    expect(checkCallerRelease(changeOver, '26.11', undefined, day('2026-12-03'))).toEqual({ ok: true });
  });
});

describe('forwarding', () => {
  const now = day('2026-12-03');
  it('in the caller\'s own release where the register takes it', () => {
    expect(forwardRelease(changeOver, '25.11a', ['25.11a', '26.11'], now)).toBe('25.11a');
    expect(forwardRelease(changeOver, '26.11', undefined, now)).toBe('26.11');
  });
  it('in the release the register takes, when it takes only the other one', () => {
    expect(forwardRelease(changeOver, '26.11', ['25.11a'], now)).toBe('25.11a');
    expect(forwardRelease(changeOver, '25.11a', ['26.11'], now)).toBe('26.11');
  });
  it('never in a retired release, and not at all to a register that takes only retired ones', () => {
    const late = day('2027-06-01');
    expect(forwardRelease(changeOver, '26.11', ['25.11a', '26.11'], late)).toBe('26.11');
    expect(forwardRelease(changeOver, '26.11', ['25.11a'], late)).toBeUndefined();
  });
});
