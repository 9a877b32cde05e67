import { RELEASES, type Release } from '../xmeld/releases.js';

/**
 * Which XMeld release is spoken with whom, and when (issue #19). Sixteen states do not switch on
 * the same night: each release has a change-over window, each caller and each register the
 * releases it takes, and the gateway answers every caller in its own release.
 */
export interface ReleaseWindow {
  /** From this day on (inclusive, gateway's time zone UTC) the release is the default. */
  defaultFrom?: string;
  /** Until this day (inclusive) the release is accepted; absent = no end. */
  acceptedUntil?: string;
}

export type ReleaseWindows = Partial<Record<Release, ReleaseWindow>>;

export interface ReleasePolicy {
  windows: ReleaseWindows;
}

/** The releases accepted on `now`: every release whose window has not ended. */
export function acceptedReleases(policy: ReleasePolicy, now: Date): Release[] {
  return RELEASES.filter((r) => isAccepted(policy, r, now));
}

export function isAccepted(policy: ReleasePolicy, release: Release, now: Date): boolean {
  const until = policy.windows[release]?.acceptedUntil;
  return until === undefined || dayOf(now) <= until;
}

/**
 * The default release on `now`: of the accepted releases whose `defaultFrom` has come, the one
 * that came last; else the newest accepted release that is not waiting for its `defaultFrom`.
 */
export function defaultRelease(policy: ReleasePolicy, now: Date): Release {
  const accepted = acceptedReleases(policy, now);
  const today = dayOf(now);
  const fromOf = (r: Release) => policy.windows[r]?.defaultFrom;
  const started = accepted
    .filter((r) => (fromOf(r) ?? '9999') <= today)
    .sort((a, b) => ((fromOf(a) as string) < (fromOf(b) as string) ? -1 : 1));
  const notWaiting = accepted.filter((r) => fromOf(r) === undefined);
  const chosen = started.at(-1) ?? notWaiting.at(-1) ?? accepted.at(-1) ?? RELEASES[RELEASES.length - 1];
  return chosen as Release;
}

export type CallerVerdict = { ok: true } | { ok: false; reason: 'retired' | 'notForParty' };

/**
 * May this caller send a message in `release` on `now`? `partyReleases` is what its registration
 * says (absent: every accepted release).
 */
export function checkCallerRelease(
  policy: ReleasePolicy, release: Release, partyReleases: readonly Release[] | undefined, now: Date,
): CallerVerdict {
  if (!isAccepted(policy, release, now)) return { ok: false, reason: 'retired' };
  if (partyReleases !== undefined && !partyReleases.includes(release)) return { ok: false, reason: 'notForParty' };
  return { ok: true };
}

/**
 * The release to forward a query in: the caller's own where the register takes it, else the
 * default where the register takes that, else the newest the register takes. `undefined`:
 * the register takes no release the gateway still speaks.
 */
export function forwardRelease(
  policy: ReleasePolicy, callerRelease: Release, registerReleases: readonly Release[] | undefined, now: Date,
): Release | undefined {
  const takes = (registerReleases ?? RELEASES).filter((r) => isAccepted(policy, r, now));
  if (takes.includes(callerRelease)) return callerRelease;
  const preferred = defaultRelease(policy, now);
  if (takes.includes(preferred)) return preferred;
  return takes.at(-1);
}

/** The calendar day of an instant, as `YYYY-MM-DD` in UTC (the windows' unit). */
function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}
