import type { TargetStats } from '../../queue/target-stats.js';
import type { ConsoleUser } from '../console-auth.js';
import { dateTime, h, page, raw, type Html } from '../html.js';
import { OUTCOME_CLASSES, type OutcomeClass, type TargetStatus } from '../status-board.js';

const OUTCOME_NAMES: Record<OutcomeClass, string> = {
  hit: '01 Treffer', list: '02 Trefferliste', none: '03 kein Ergebnis', rejected: 'Rückweisung', technical: 'technischer Fehler',
};
const CIRCUIT = { closed: 'geschlossen (normal)', open: 'offen (gesperrt)', halfOpen: 'halb offen (Probe)' } as const;

export function targetName(target: string): string {
  return target === 'mirror' ? 'Spiegel (eigenes Land)' : target.startsWith('land:') ? `Land ${target.slice(5)}` : target;
}

function bar(mix: Record<OutcomeClass, number>, total: number): Html {
  if (total === 0) return raw('–');
  const label = OUTCOME_CLASSES.filter((c) => mix[c] > 0).map((c) => `${OUTCOME_NAMES[c]}: ${mix[c]}`).join(', ');
  // SVG geometry, not inline CSS: the console's CSP allows no inline styles.
  let x = 0;
  const rects = OUTCOME_CLASSES.filter((c) => mix[c] > 0).map((c) => {
    const w = (160 * mix[c]) / total;
    const rect = h`<rect class="o-${c}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="16"></rect>`;
    x += w;
    return rect;
  });
  return h`<svg class="balken" role="img" aria-label="${label}" width="160" height="16" viewBox="0 0 160 16">${rects}</svg> <span>${label}</span>`;
}

export function statusPage(o: { user: ConsoleUser; csrf: string; board: TargetStatus[]; queues: TargetStats[]; windowMinutes: number; now: Date }): string {
  const queues = new Map(o.queues.map((q) => [q.target, q]));
  const targets = [...new Set([...o.board.map((b) => b.target), ...queues.keys()])].sort();
  const byTarget = new Map(o.board.map((b) => [b.target, b]));
  return page({
    title: 'Status', user: o.user, current: '/', csrf: o.csrf, script: '/static/status.js',
    body: h`<p>Je Ziel die Antworten der letzten ${o.windowMinutes} Minuten auf dieser Instanz. „03 kein Ergebnis“ umfasst nicht gefunden und Auskunftssperre: das Gateway unterscheidet beides nie.</p>
<p><button type="button" id="pause" class="sekundaer" aria-pressed="false" hidden>Aktualisierung anhalten</button></p>
<div id="live" aria-live="off">
<p>Stand: ${dateTime(o.now)}</p>
<p class="legende" aria-hidden="true">${OUTCOME_CLASSES.map((c) => h`<span class="o-${c}"></span>${OUTCOME_NAMES[c]}`)}</p>
<table>
<caption>Ziele (Länder und Spiegel)</caption>
<thead><tr><th scope="col">Ziel</th><th scope="col">Anfragen je Minute</th><th scope="col">Ergebnisse</th><th scope="col">Latenz p50</th><th scope="col">Latenz p99</th><th scope="col">Schutzschalter</th><th scope="col">Warteschlange</th><th scope="col">Letzter Fehler</th></tr></thead>
<tbody>
${targets.length === 0 ? h`<tr><td colspan="8">Noch keine Anfragen.</td></tr>` : raw('')}
${targets.map((t) => {
    const b = byTarget.get(t);
    const q = queues.get(t);
    return h`<tr><th scope="row">${targetName(t)}</th><td>${b ? b.perMinute.toFixed(2) : '0'}</td><td>${b ? bar(b.mix, b.count) : '–'}</td>
<td>${b?.p50Ms !== undefined ? `${Math.round(b.p50Ms)} ms` : '–'}</td><td>${b?.p99Ms !== undefined ? `${Math.round(b.p99Ms)} ms` : '–'}</td>
<td>${q ? CIRCUIT[q.circuit] : '–'}</td><td>${q ? q.outstanding : 0}</td>
<td>${b?.lastFailure ? `${b.lastFailure.failureClass} (${dateTime(b.lastFailure.at)})` : '–'}</td></tr>`;
  })}
</tbody></table>
</div>`,
  });
}
