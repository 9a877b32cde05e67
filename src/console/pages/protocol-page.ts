import type { ProtocolRecord } from '../../protocol/protocol-record.js';
import type { PurgeReport, VerifyReport } from '../../protocol/protocol-store.js';
import { earliestDeletion, latestDeletion } from '../../protocol/retention.js';
import type { ConsoleUser } from '../console-auth.js';
import { HOP_NAMES, csrfField, dateTime, h, notice, page, purposeSelect, raw, type Html } from '../html.js';

const BREAKS: Record<string, string> = { modified: 'verändert', deleted: 'gelöscht', reordered: 'umgestellt', inserted: 'eingefügt' };

export function protocolPage(o: {
  user: ConsoleUser; csrf: string; partition: string;
  verify?: VerifyReport; preview?: { report: PurgeReport; oldest: ProtocolRecord[] }; error?: string;
}): string {
  return page({
    title: 'Protokoll', user: o.user, current: '/protokoll', csrf: o.csrf,
    body: h`<p>Ihr Protokollbereich: <strong>${o.partition === 'operator' ? 'Betreiber (operator)' : o.partition}</strong>.</p>
${o.error ? notice('fehler', o.error) : raw('')}
<h2>Hash-Kette prüfen</h2>
<form method="post" action="/protokoll/pruefen">${csrfField(o.csrf)}<button type="submit">Kette prüfen</button></form>
${o.verify ? verifyTable(o.verify) : raw('')}
<h2>Exportieren</h2>
<p>Der Export wird gestreamt und selbst protokolliert (wer, wann, Filter, Zweck).</p>
<form method="get" action="/protokoll/export" class="felder">
<div><label for="format">Format</label><select id="format" name="format"><option value="csv">CSV (RFC 4180)</option><option value="ndjson">NDJSON</option></select></div>
<div><label for="von">Von (Datum)</label><input id="von" name="von" type="date"></div>
<div><label for="bis">Bis einschließlich (Datum)</label><input id="bis" name="bis" type="date"></div>
<div>${purposeSelect(undefined, 'zweck-export')}</div>
<div><button type="submit">Exportieren</button></div>
</form>
<h2>Löschvorschau</h2>
<form method="get" action="/protokoll/loeschvorschau" class="felder">
<div><label for="stichtag">Stichtag</label><input id="stichtag" name="stichtag" type="date"></div>
<div>${purposeSelect(undefined, 'zweck-loeschung')}</div>
<div><button type="submit">Vorschau anzeigen</button></div>
</form>
${o.preview ? previewTables(o.preview.report, o.preview.oldest) : raw('')}`,
  });
}

function verifyTable(v: VerifyReport): Html {
  return h`${v.ok ? notice('ok', 'Alle Ketten sind unversehrt.') : notice('fehler', 'Mindestens eine Kette ist gebrochen.')}
<table><caption>Ketten je Protokollbereich</caption>
<thead><tr><th scope="col">Bereich</th><th scope="col">Einträge</th><th scope="col">Kopf (seq)</th><th scope="col">Kopf-Hash</th><th scope="col">Befund</th></tr></thead>
<tbody>${v.partitions.map((p) => h`<tr><th scope="row">${p.partition}</th><td>${p.records}</td><td>${p.headSeq}</td><td><code>${p.headHash ?? '–'}</code></td>
<td>${p.firstBreak ? `gebrochen bei seq ${p.firstBreak.seq}: ${BREAKS[p.firstBreak.kind] ?? p.firstBreak.kind}` : 'unversehrt'}</td></tr>`)}</tbody></table>`;
}

function previewTables(report: PurgeReport, oldest: ProtocolRecord[]): Html {
  return h`<p>Eine Löschung am ${dateTime(report.now)} entfernt alle Einträge vor ${dateTime(report.cutoff)}: insgesamt ${report.total}.</p>
<table><caption>Zu löschen je Bereich</caption><thead><tr><th scope="col">Bereich</th><th scope="col">Einträge</th><th scope="col">Zeitraum</th></tr></thead>
<tbody>${report.partitions.length === 0 ? h`<tr><td colspan="3">Nichts fällig.</td></tr>` : raw('')}${report.partitions.map((p) =>
    h`<tr><th scope="row">${p.partition}</th><td>${p.count}</td><td>${dateTime(p.fromAt)} – ${dateTime(p.toAt)}</td></tr>`)}</tbody></table>
<table><caption>Die ältesten Einträge mit ihren Fristen</caption>
<thead><tr><th scope="col">Vorgangsnummer</th><th scope="col">Schritt</th><th scope="col">Zeit</th><th scope="col">Frühestens gelöscht</th><th scope="col">Gesetzliche Frist (spätestens)</th></tr></thead>
<tbody>${oldest.map((r) => h`<tr><th scope="row">${r.vorgangsnummer}</th><td>${HOP_NAMES[r.hop] ?? r.hop}</td><td>${dateTime(r.at)}</td><td>${dateTime(earliestDeletion(r.at))}</td><td>${dateTime(latestDeletion(r.at))}</td></tr>`)}</tbody></table>`;
}
