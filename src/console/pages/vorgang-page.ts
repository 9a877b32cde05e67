import type { ProtocolRecord } from '../../protocol/protocol-record.js';
import type { ConsoleUser } from '../console-auth.js';
import { HOP_NAMES, dateTime, h, notice, page, purposeSelect, raw, type Html } from '../html.js';
import { targetName } from './status-page.js';

export interface VorgangFilter {
  nummer?: string;
  aktenzeichen?: string;
  behoerde?: string;
  von?: string;
  bis?: string;
  ziel?: string;
  zweck?: string;
}


/** Kind of answer as codes and counts: the records hold nothing else of it. */
export function outcomeText(r: ProtocolRecord): string {
  const o = r.outcome;
  if (o === undefined) return '–';
  const parts: string[] = [];
  if (o.ergebnisstatus !== undefined) parts.push(`Ergebnisstatus ${o.ergebnisstatus}`);
  if (o.personCount !== undefined) parts.push(`${o.personCount} Person(en)`);
  if (o.rueckweisung?.length) parts.push(`Rückweisung ${o.rueckweisung.join(', ')}`);
  if (o.rts !== undefined) parts.push(`RTS ${o.rts}`);
  if (o.technicalFailure !== undefined) parts.push(`Fehlerklasse ${o.technicalFailure}`);
  return parts.join(' · ');
}

function field(id: keyof VorgangFilter, label: string, value: string | undefined, type = 'text'): Html {
  return h`<div><label for="${id}">${label}</label><input id="${id}" name="${id}" type="${type}" value="${value ?? ''}"></div>`;
}

export function vorgangSearchPage(o: { user: ConsoleUser; csrf: string; filter: VorgangFilter; results?: ProtocolRecord[][]; truncated?: boolean; error?: string }): string {
  const f = o.filter;
  return page({
    title: 'Vorgang suchen', user: o.user, current: '/vorgang', csrf: o.csrf,
    body: h`<p>Jede Suche ist ein Blick in das Protokoll und wird selbst protokolliert (wer, wann, welcher Filter, welcher Zweck).</p>
${o.error ? notice('fehler', o.error) : raw('')}
<form method="get" action="/vorgang" class="felder" role="search" aria-label="Vorgang suchen">
${field('nummer', 'Vorgangsnummer', f.nummer)}
${field('aktenzeichen', 'Aktenzeichen', f.aktenzeichen)}
${field('behoerde', 'Abrufende Stelle (Kennung)', f.behoerde)}
${field('ziel', 'Ziel (z. B. land:09 oder mirror)', f.ziel)}
${field('von', 'Von (Datum)', f.von, 'date')}
${field('bis', 'Bis einschließlich (Datum)', f.bis, 'date')}
<div>${purposeSelect(f.zweck)}</div>
<div><button type="submit">Suchen</button></div>
</form>
${o.results === undefined ? raw('') : resultsTable(o.results, f.zweck ?? '', o.truncated === true)}`,
  });
}

function resultsTable(results: ProtocolRecord[][], zweck: string, truncated: boolean): Html {
  if (results.length === 0) return notice('ok', 'Keine Vorgänge gefunden.');
  return h`<table><caption>${results.length} Vorgänge${truncated ? ' (die ersten; Filter eingrenzen)' : ''}</caption>
<thead><tr><th scope="col">Vorgangsnummer</th><th scope="col">Beginn</th><th scope="col">Abrufende Stelle</th><th scope="col">Aktenzeichen</th><th scope="col">Ziel</th><th scope="col">Letzter Schritt</th><th scope="col">Art der Antwort</th></tr></thead>
<tbody>${results.map((hops) => {
    const first = hops[0] as ProtocolRecord;
    const last = hops[hops.length - 1] as ProtocolRecord;
    const target = hops.find((r) => r.target !== undefined)?.target;
    const link = `/vorgang/${encodeURIComponent(first.vorgangsnummer)}?zweck=${encodeURIComponent(zweck)}`;
    return h`<tr><th scope="row"><a href="${link}">${first.vorgangsnummer}</a></th><td>${dateTime(first.at)}</td><td>${first.autorKennung ?? '–'}</td><td>${first.aktenzeichen ?? '–'}</td>
<td>${target ? targetName(target) : '–'}</td><td>${HOP_NAMES[last.hop] ?? last.hop}</td><td>${outcomeText(last)}</td></tr>`;
  })}</tbody></table>`;
}

export function vorgangTimelinePage(o: { user: ConsoleUser; csrf: string; nummer: string; hops: ProtocolRecord[] }): string {
  const first = o.hops[0];
  return page({
    title: `Vorgang ${o.nummer}`, user: o.user, current: '/vorgang', csrf: o.csrf,
    body: h`<p><a href="/vorgang">Zurück zur Suche</a></p>
${first === undefined ? notice('fehler', 'Zu dieser Vorgangsnummer gibt es in Ihrem Protokollbereich keine Einträge.') : h`
<dl><dt>Abrufende Stelle</dt><dd>${first.autorKennung ?? '–'} ${first.abrufberechtigteStelle ?? ''}</dd>
<dt>Aktenzeichen</dt><dd>${first.aktenzeichen ?? '–'}</dd><dt>Anlass</dt><dd>${first.anlassDesAbrufs ?? '–'}</dd>
<dt>Nachricht</dt><dd>${first.messageType ?? '–'} (XMeld ${first.xmeldRelease ?? '–'})</dd>
<dt>Sicherheitsbehörde</dt><dd>${first.sicherheitsbehoerde ? 'ja' : 'nein'}</dd></dl>
${first.sicherheitsbehoerde && first.partition === 'operator' ? h`<p class="hinweis ok">Anfrage einer Sicherheitsbehörde: der Betreiberbereich hält nur den technischen Eintrag, ohne Anfragedaten und Art der Antwort (§ 40 Abs. 3 BMG).</p>` : raw('')}
<p>Der Inhalt der Antwort wird nicht protokolliert und ist deshalb hier nicht zu sehen; die Schritte zeigen nur die Art der Antwort.</p>
<h2>Schritte</h2>
<ol class="zeitleiste">${o.hops.map((r) => h`<li><strong>${HOP_NAMES[r.hop] ?? r.hop}</strong> – <time datetime="${r.at.toISOString()}">${dateTime(r.at)}</time>
${r.target ? h`<br>Ziel: ${targetName(r.target)}` : raw('')}${r.endpoint ? h`<br>Adresse: ${r.endpoint} (${r.endpointSource === 'dvdv' ? 'DVDV' : 'Konfiguration'})` : raw('')}
${r.translatedFrom ? h`<br>übersetzt aus XMeld ${r.translatedFrom}` : raw('')}${r.outcome ? h`<br>${outcomeText(r)}` : raw('')}</li>`)}</ol>`}`,
  });
}
