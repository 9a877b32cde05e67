/**
 * Retention of protocol records (§ 40 Abs. 5 BMG, PortalV § 3): keep at least twelve months,
 * delete at the latest at the end of the calendar year after the one the record was made in.
 *
 * Policy: a purge run on local day D deletes every record made before local day (D − 1 year).
 * Counting the twelve months as BGB §§ 187/188 do (the day of the event is not counted, the
 * period ends with the end of the same day a year later), a record of day d may go from day
 * d + 1 year + 1 day on — exactly what this cutoff does — and a record of 31 December Y is
 * deleted by the run at 1 January Y+2 00:00, the deadline. Both bounds hold if the purge runs
 * daily just after local midnight. Days and years are those of Europe/Berlin, the law's
 * calendar. A 29 February minus one year is 28 February (the shorter, safe side).
 *
 * Pure functions; the clock is always passed in.
 */

export const PROTOCOL_TIME_ZONE = 'Europe/Berlin';

interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(instant: Date, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts['year'] ?? NaN,
    month: parts['month'] ?? NaN,
    day: parts['day'] ?? NaN,
    hour: parts['hour'] ?? NaN,
    minute: parts['minute'] ?? NaN,
    second: parts['second'] ?? NaN,
  };
}

export function localDateOf(instant: Date, timeZone = PROTOCOL_TIME_ZONE): LocalDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return { year, month, day };
}

/** Offset of the zone from UTC at an instant, in ms (Berlin: +1h or +2h). */
function offsetMs(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant local midnight starts the given day (never in a DST gap in Europe/Berlin). */
export function startOfLocalDay(date: LocalDate, timeZone = PROTOCOL_TIME_ZONE): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const next = wall - offsetMs(new Date(guess), timeZone);
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function addYears(date: LocalDate, years: number): LocalDate {
  const year = date.year + years;
  return { year, month: date.month, day: Math.min(date.day, daysInMonth(year, date.month)) };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Records with `at` before this instant are due for deletion at `now`. */
export function purgeCutoff(now: Date, timeZone = PROTOCOL_TIME_ZONE): Date {
  return startOfLocalDay(addYears(localDateOf(now, timeZone), -1), timeZone);
}

/** First instant at which a purge deletes a record made at `at`. */
export function earliestDeletion(at: Date, timeZone = PROTOCOL_TIME_ZONE): Date {
  // d + 1 year + 1 day; one more day where the clamped 29 February would keep it (see above).
  let day = addDays(addYears(localDateOf(at, timeZone), 1), 1);
  let start = startOfLocalDay(day, timeZone);
  while (purgeCutoff(start, timeZone).getTime() <= at.getTime()) {
    day = addDays(day, 1);
    start = startOfLocalDay(day, timeZone);
  }
  return start;
}

/** The legal deadline: the end of the calendar year after the record's year (local time). */
export function latestDeletion(at: Date, timeZone = PROTOCOL_TIME_ZONE): Date {
  return startOfLocalDay({ year: localDateOf(at, timeZone).year + 2, month: 1, day: 1 }, timeZone);
}
