import { X509Certificate } from 'node:crypto';
import type { LiveMaterial } from '../../reload/live-material.js';
import { certificateInfo } from '../../security/cert-info.js';
import type { ConsoleUser } from '../console-auth.js';
import { MAY } from '../console-auth.js';
import { csrfField, dateTime, h, notice, page, raw, type Html } from '../html.js';

const ACCESS: Record<string, string> = {
  ausweis: 'Ausweisdaten', passversagung: 'Passversagung', waffen: 'Waffenrecht', wohnungsgeber: 'Wohnungsgeber', einzugsdatum: 'Einzugsdatum',
};

function expiry(m: LiveMaterial, file: string | undefined, now: Date): Html {
  const pem = file === undefined ? undefined : m.files[file];
  if (pem === undefined) return raw('–');
  const info = certificateInfo(new X509Certificate(pem));
  const days = Math.floor((info.notAfter.getTime() - now.getTime()) / 86_400_000);
  return h`${dateTime(info.notAfter)} (${days < 0 ? 'abgelaufen' : `noch ${days} Tage`})`;
}

function switchForm(kind: 'authority' | 'party', id: string, suspended: boolean, csrf: string): Html {
  const field = `grund-${kind}-${id}`.replace(/[^A-Za-z0-9-]/g, '-');
  return h`<form method="post" action="/parteien/sperre">${csrfField(csrf)}
<input type="hidden" name="art" value="${kind}"><input type="hidden" name="id" value="${id}"><input type="hidden" name="gesperrt" value="${suspended ? 'nein' : 'ja'}">
<label for="${field}">Grund</label><input id="${field}" name="grund" required>
<button type="submit">${suspended ? 'Sperre aufheben' : 'Sperren'}<span class="skip"> ${id}</span></button></form>`;
}

export function partiesPage(o: { user: ConsoleUser; csrf: string; material: LiveMaterial; now: Date; message?: { kind: 'ok' | 'fehler'; text: string } }): string {
  const m = o.material;
  const edit = MAY.suspend(o.user.role);
  return page({
    title: 'Parteien und Behörden', user: o.user, current: '/parteien', csrf: o.csrf,
    body: h`${o.message ? notice(o.message.kind, o.message.text) : raw('')}
<p>Eine Sperre wirkt ab der nächsten Nachricht auf jeder Instanz (Neuladen der Konfiguration) und wird mit Grund protokolliert.</p>
<h2>Eigener Signaturschlüssel</h2>
<ul><li>Aktuelles Zertifikat: gültig bis ${expiry(m, m.signing?.certificate, o.now)}</li>
<li>Nächstes Zertifikat (Schlüsselwechsel): ${m.nextSigning ? expiry(m, m.nextSigning.certificate, o.now) : 'nicht hinterlegt'}</li></ul>
<table><caption>Abrufende Stellen (Behörden)</caption>
<thead><tr><th scope="col">Kennung</th><th scope="col">Name</th><th scope="col">Zugang</th><th scope="col">Anlässe (z. B. Krankenkasse)</th><th scope="col">Status</th>${edit ? h`<th scope="col">Sperre</th>` : raw('')}</tr></thead>
<tbody>${m.authorities.map((a) => h`<tr><th scope="row">${a.kennung}</th><td>${a.name ?? '–'}</td>
<td>${a.sicherheitsbehoerde ? 'Sicherheitsbehörde (§ 34 Abs. 4 BMG)' : 'einfache Behördenauskunft'}${a.entitledTo.length ? `; zusätzlich: ${a.entitledTo.map((e) => ACCESS[e] ?? e).join(', ')}` : ''}</td>
<td>${a.anlaesse?.join(', ') ?? '–'}</td><td>${a.suspended ? 'gesperrt' : 'aktiv'}</td>${edit ? h`<td>${switchForm('authority', a.kennung, a.suspended, o.csrf)}</td>` : raw('')}</tr>`)}</tbody></table>
<table><caption>Parteien (Systeme auf der Leitung)</caption>
<thead><tr><th scope="col">Kennung</th><th scope="col">Sendet für</th><th scope="col">Nachrichten</th><th scope="col">Antwortet für</th><th scope="col">Zertifikat gültig bis</th><th scope="col">Status</th>${edit ? h`<th scope="col">Sperre</th>` : raw('')}</tr></thead>
<tbody>${m.parties.map((p) => h`<tr><th scope="row">${p.id}</th><td>${p.signsFor.join(', ') || '–'}</td><td>${p.messages.join(', ')}</td><td>${p.answersFor.join(', ') || '–'}</td>
<td>${p.signerCertificates.length ? p.signerCertificates.map((f) => expiry(m, f, o.now)) : 'nach Subjekt'}</td><td>${p.suspended ? 'gesperrt' : 'aktiv'}</td>${edit ? h`<td>${switchForm('party', p.id, p.suspended, o.csrf)}</td>` : raw('')}</tr>`)}</tbody></table>`,
  });
}
