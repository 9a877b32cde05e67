import { XmlDocument, XmlElement, type XmlNode } from 'libxml2-wasm';
import { releaseOfNamespace } from '../xmeld/releases.js';

/**
 * What `send` shows of a gateway answer: outcome, Vorgangsnummer, correlation and the persons
 * as a table. Read by local names, so it reads 25.11a and 26.11 answers alike; a body that is
 * not XML is summarised by its HTTP status alone.
 */
export interface AnswerSummary {
  httpStatus: number;
  /** Root element of the message in the Body (`datenabruf.…antwort.1331`, `administration.returntosender.0910`). */
  message?: string;
  xmeldNamespace?: string;
  vorgangsnummer?: string;
  /** nachrichtenUUID of the query the answer refers to (ursprungsnachricht). */
  ursprungsUuid?: string;
  ergebnisstatus?: string;
  rueckweisung: string[];
  /** 0910: the RTS code and its text, and the SOAP fault string. */
  rts?: string;
  hinweis?: string;
  faultString?: string;
  persons: PersonRow[];
}

export interface PersonRow {
  familienname: string;
  vornamen: string;
  geburtsdatum: string;
  wohnort: string;
  identifikationsmerkmal: string;
}

const BODY_MESSAGE = '/*/*[local-name()="Body"]/*';

export function readAnswerSummary(status: number, body: string): AnswerSummary {
  const out: AnswerSummary = { httpStatus: status, rueckweisung: [], persons: [] };
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(body);
  } catch {
    return out;
  }
  try {
    const text = (xp: string, at: XmlNode = doc.root): string | undefined => {
      const n = at.get(xp);
      const t = n?.content.replace(/\s+/g, ' ').trim();
      return t === undefined || t === '' ? undefined : t;
    };
    const first = doc.get(BODY_MESSAGE);
    const message = first instanceof XmlElement && first.name === 'Fault' ? first.get('.//*[local-name()="administration.returntosender.0910"]') : first;
    set(out, 'faultString', text('//*[local-name()="Fault"]/faultstring') ?? text('//*[local-name()="Fault"]/*[local-name()="Reason"]/*[local-name()="Text"]'));
    set(out, 'vorgangsnummer', text('/*/*[local-name()="Header"]/*[local-name()="vorgang"]/*[local-name()="vorgangsnummer"]'));
    if (!(message instanceof XmlElement)) return out;
    out.message = message.name;
    out.xmeldNamespace = message.namespaceUri;
    set(out, 'ursprungsUuid', text('*[local-name()="ursprungsnachricht"]/*[local-name()="nachrichtenUUID"]', message));
    set(out, 'rts', text('.//*[local-name()="grund"]/code', message));
    set(out, 'hinweis', text('.//*[local-name()="ergaenzende.hinweise"]', message) ?? out.faultString);
    const antwort = message.get('*[local-name()="antwortSuchanfrage"]');
    if (antwort === null) return out;
    set(out, 'ergebnisstatus', text('*[local-name()="auskunft"]/*[local-name()="ergebnisstatus"]/code', antwort));
    out.rueckweisung = antwort.find('*[local-name()="rueckweisung"]/*[local-name()="grundDerRueckweisung"]/code').map((n) => n.content.trim());
    for (const p of antwort.find('*[local-name()="auskunft"]/*[local-name()="person"]')) {
      const data = p.get('*[local-name()="personendaten"]');
      if (data === null) continue;
      const name = '*[local-name()="name"]';
      out.persons.push({
        familienname: text(`${name}/*[local-name()="familienname.unstrukturiert"]//*[local-name()="name"]`, data) ?? '',
        vornamen: text(`${name}/*[local-name()="vornamen"]//*[local-name()="name"]`, data) ?? '',
        geburtsdatum: text('*[local-name()="geburtsangaben"]//*[local-name()="geburtsdatum"]', data) ?? '',
        wohnort: text('*[local-name()="wohnung"][1]//*[local-name()="wohnort"]', data) ?? '',
        identifikationsmerkmal: text('*[local-name()="identifikationsmerkmal"]', p) ?? '',
      });
    }
    return out;
  } finally {
    doc.dispose();
  }
}

function set<K extends keyof AnswerSummary>(o: AnswerSummary, k: K, v: AnswerSummary[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}

/** One line, no personal data: for logs, the demo and `send --quiet`. */
export function summaryLine(s: AnswerSummary): string {
  const parts = [`HTTP ${s.httpStatus}`];
  if (s.vorgangsnummer) parts.push(`Vorgangsnummer ${s.vorgangsnummer}`);
  if (s.ergebnisstatus) parts.push(`ergebnisstatus ${s.ergebnisstatus}`, `${s.persons.length} Person(en)`);
  if (s.rueckweisung.length > 0) parts.push(`rueckweisung ${s.rueckweisung.join(',')}`);
  if (s.rts) parts.push(`0910 ${s.rts}`);
  return parts.join(' · ');
}

const OUTCOME: Record<string, string> = {
  '01': 'Treffer (eindeutig)',
  '02': 'Trefferliste',
  '03': 'kein Ergebnis (nicht gefunden oder gesperrt)',
};

/** The readable report `send` prints: outcome, correlation, signature verdict and the persons as a table. */
export function formatSummary(s: AnswerSummary, ctx: { sentUuid?: string; signature: string }): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => { lines.push(`${label.padEnd(16)}${value}`); };
  row('HTTP', String(s.httpStatus));
  if (s.message) row('Nachricht', s.message);
  const release = s.xmeldNamespace === undefined ? undefined : releaseOfNamespace(s.xmeldNamespace);
  if (release !== undefined) row('XMeld', release);
  if (s.vorgangsnummer) row('Vorgangsnummer', s.vorgangsnummer);
  if (s.ergebnisstatus) row('Ergebnis', `${s.ergebnisstatus} ${OUTCOME[s.ergebnisstatus] ?? ''}`.trim());
  if (s.rueckweisung.length > 0) row('Rückweisung', s.rueckweisung.join(', '));
  if (s.rts) row('0910', `${s.rts}${s.hinweis ? ` – ${s.hinweis}` : ''}`);
  else if (s.faultString) row('SOAP-Fault', s.faultString);
  if (s.ursprungsUuid !== undefined) {
    const match = ctx.sentUuid === undefined ? '' : s.ursprungsUuid === ctx.sentUuid ? ' (= gesendete Nachricht)' : ' (PASST NICHT zur gesendeten Nachricht)';
    row('Bezug', `${s.ursprungsUuid}${match}`);
  }
  row('Signatur', ctx.signature);
  if (s.persons.length > 0) lines.push('', personTable(s.persons));
  return lines.join('\n');
}

function personTable(rows: PersonRow[]): string {
  const head: PersonRow = { familienname: 'Familienname', vornamen: 'Vornamen', geburtsdatum: 'Geburtsdatum', wohnort: 'Wohnort', identifikationsmerkmal: 'Merkmal' };
  const cols = Object.keys(head) as Array<keyof PersonRow>;
  const width = (k: keyof PersonRow): number => Math.max(...[head, ...rows].map((r) => r[k].length));
  const line = (r: PersonRow): string => cols.map((k) => r[k].padEnd(width(k))).join('  ').trimEnd();
  return [line(head), cols.map((k) => '-'.repeat(width(k))).join('  '), ...rows.map(line)].join('\n');
}
