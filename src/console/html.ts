/**
 * The console's HTML: one layout, escaped text, German, accessible (BITV 2.0 / WCAG 2.1 AA:
 * language, landmarks, skip link, labelled controls, visible focus, contrast ≥ 4.5:1, tables
 * with captions and header cells). No script is needed to use any page.
 */
import type { ConsoleUser } from './console-auth.js';
import { MAY } from './console-auth.js';

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A trusted HTML fragment (built with esc), so templates can nest without double escaping. */
export interface Html { html: string }
export const raw = (html: string): Html => ({ html });

export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += fragment(v) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

function fragment(v: unknown): string {
  if (Array.isArray(v)) return v.map(fragment).join('');
  if (v !== null && typeof v === 'object' && 'html' in v) return (v as Html).html;
  return esc(v);
}

/** § 40 Abs. 4 BMG: the only purposes for which protocol data may be used. */
export const PURPOSES = [
  { value: 'datenschutzkontrolle', label: 'Datenschutzkontrolle' },
  { value: 'strafverfahren', label: 'Strafverfahren aus einer Datenschutzkontrolle' },
  { value: 'betrieb', label: 'Sicherstellung des ordnungsgemäßen Betriebs' },
  { value: 'auskunft', label: 'Auskunft an die betroffene Person' },
] as const;
export type Purpose = (typeof PURPOSES)[number]['value'];

export function purposeLabel(value: string): string | undefined {
  return PURPOSES.find((p) => p.value === value)?.label;
}

/** `id`: unique per page (a page with two forms has two of these). */
export function purposeSelect(selected?: string, id = 'zweck'): Html {
  return h`<label for="${id}">Zweck nach § 40 Abs. 4 BMG <span class="pflicht">(Pflichtangabe)</span></label>
<select id="${id}" name="zweck" required>
<option value="">– bitte wählen –</option>
${PURPOSES.map((p) => h`<option value="${p.value}"${raw(p.value === selected ? ' selected' : '')}>${p.label}</option>`)}
</select>`;
}

export function csrfField(token: string): Html {
  return h`<input type="hidden" name="csrf" value="${token}">`;
}

const NAV: { href: string; label: string; may: (u: ConsoleUser) => boolean }[] = [
  { href: '/', label: 'Status', may: (u) => MAY.status(u.role) },
  { href: '/vorgang', label: 'Vorgang', may: (u) => MAY.readProtocol(u.role) },
  { href: '/protokoll', label: 'Protokoll', may: (u) => MAY.readProtocol(u.role) },
  { href: '/parteien', label: 'Parteien und Behörden', may: (u) => MAY.parties(u.role) },
];

const ROLE_NAMES = { operator: 'Betrieb', dpo: 'Datenschutzbeauftragte(r)', 'security-authority': 'Sicherheitsbehörde' } as const;

export function page(o: { title: string; user?: ConsoleUser; current?: string; csrf?: string; body: Html; script?: string }): string {
  const nav = o.user
    ? h`<nav aria-label="Hauptnavigation"><ul>${NAV.filter((n) => n.may(o.user as ConsoleUser)).map((n) =>
      h`<li><a href="${n.href}"${raw(n.href === o.current ? ' aria-current="page"' : '')}>${n.label}</a></li>`)}</ul></nav>
<form method="post" action="/abmelden" class="abmelden"><p>Angemeldet: ${o.user.name} (${ROLE_NAMES[o.user.role]}${o.user.authority ? `, ${o.user.authority}` : ''})</p>${csrfField(o.csrf ?? '')}<button type="submit">Abmelden</button></form>`
    : raw('');
  return `<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} – XMeld-Gateway Konsole</title>
<link rel="stylesheet" href="/static/konsole.css">
${o.script ? `<script src="${esc(o.script)}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<header><p class="marke">XMeld-Gateway · Konsole</p>${nav.html}</header>
<main id="inhalt" tabindex="-1">
<h1>${esc(o.title)}</h1>
${o.body.html}
</main>
</body>
</html>`;
}

/** The protocol's hops in the console's words. */
export const HOP_NAMES: Record<string, string> = {
  received: 'angenommen', rejected: 'zurückgewiesen', routed: 'weitergeleitet (Ziel bestimmt)', dispatched: 'an das Register gesendet',
  answered: 'Antwort des Registers', delivered: 'Antwort an den Absender', 'delivery-failed': 'Antwort nicht zustellbar', failed: 'technischer Fehler', aborted: 'abgebrochen',
  exported: 'Protokoll gelesen', purged: 'gelöscht (Aufbewahrungsfrist)', operator: 'Betriebsereignis',
};

export function dateTime(d: Date | undefined): string {
  return d === undefined ? '–' : d.toLocaleString('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'medium' });
}

export function notice(kind: 'ok' | 'fehler', text: string): Html {
  return h`<p class="hinweis ${kind}" role="${kind === 'fehler' ? 'alert' : 'status'}">${text}</p>`;
}
