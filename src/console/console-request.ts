/** Pure helpers of the console's requests: cookies, form dates, the protocol filter a page asks for. */
import type { ExportFilter } from '../protocol/export-filter.js';
import type { ExportRequester, Hop } from '../protocol/protocol-record.js';
import { startOfLocalDay } from '../protocol/retention.js';
import { actorOf, type ConsoleUser } from './console-auth.js';
import { purposeLabel } from './html.js';
import type { VorgangFilter } from './pages/vorgang-page.js';

export const SESSION_COOKIE = 'konsole';

export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** `YYYY-MM-DD` as the start of that day in Europe/Berlin (`next`: of the day after). */
export function dayStart(value: string | undefined, next = false): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (m === null) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (next ? 1 : 0)));
  return startOfLocalDay({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** The hops of a query's trail (not the store's own records, not operator events). */
export const QUERY_HOPS: Hop[] = ['received', 'rejected', 'routed', 'dispatched', 'answered', 'delivered', 'delivery-failed', 'failed', 'aborted'];

export function exportFilterOf(f: VorgangFilter): ExportFilter {
  const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const from = dayStart(f.von);
  const to = dayStart(f.bis, true);
  const nummer = text(f.nummer);
  const aktenzeichen = text(f.aktenzeichen);
  const behoerde = text(f.behoerde);
  const ziel = text(f.ziel);
  return {
    hops: QUERY_HOPS,
    ...(from ? { from } : {}), ...(to ? { to } : {}),
    ...(nummer ? { vorgangsnummer: nummer } : {}), ...(aktenzeichen ? { aktenzeichen } : {}),
    ...(behoerde ? { autorKennung: behoerde } : {}), ...(ziel ? { target: ziel } : {}),
  };
}

/** Who reads the protocol, as the `exported` record names them; undefined without a valid purpose. */
export function requesterOf(user: ConsoleUser, zweck: string | undefined): ExportRequester | undefined {
  const purpose = purposeLabel(zweck ?? '');
  if (purpose === undefined) return undefined;
  const p = `${purpose} (Konsole, ${actorOf(user)})`;
  if (user.role === 'security-authority') return { kind: 'authority', id: user.authority ?? user.name, purpose: p };
  return { kind: user.role === 'dpo' ? 'dpo' : 'operator', id: user.name, purpose: p };
}

/** The partition a user's role reads. */
export function partitionOf(user: ConsoleUser): string {
  return user.role === 'security-authority' ? `authority:${user.authority ?? user.name}` : 'operator';
}

export function groupByVorgang<T extends { vorgangsnummer: string }>(records: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of records) {
    const g = groups.get(r.vorgangsnummer);
    if (g) g.push(r);
    else groups.set(r.vorgangsnummer, [r]);
  }
  return [...groups.values()];
}
