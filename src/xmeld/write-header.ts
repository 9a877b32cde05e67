import { randomUUID } from 'node:crypto';
import { escapeAttr, escapeText } from '../xml/escape.js';
import type { GatewayIdentity } from './gateway-identity.js';
import { LIST_NACHRICHTEN, type MessageNumber, ROOT } from './namespaces.js';
import { RELEASE_FACTS, type Release } from './releases.js';
import type { MessageIdentification, Party } from './query-message.js';

/** Pieces shared by every message the gateway writes: root, G2G header, identification. */

export function identificationXml(id: MessageIdentification, release: Release): string {
  return `<nachrichtenUUID>${escapeText(id.nachrichtenUUID)}</nachrichtenUUID>`
    + `<nachrichtentyp listURI="${LIST_NACHRICHTEN}" listVersionID="${RELEASE_FACTS[release].version}"><code>${escapeText(id.nachrichtentyp)}</code></nachrichtentyp>`
    + `<erstellungszeitpunkt>${escapeText(id.erstellungszeitpunkt)}</erstellungszeitpunkt>`;
}

export function newIdentification(number: MessageNumber, now: Date): MessageIdentification {
  return { nachrichtenUUID: randomUUID(), nachrichtentyp: number, erstellungszeitpunkt: now.toISOString() };
}

function partyXml(tag: 'leser' | 'autor', p: Party, erreichbarkeit: GatewayIdentity['erreichbarkeit'] = []): string {
  return `<${tag}><verzeichnisdienst listURI="urn:xoev-de:kosit:codeliste:verzeichnisdienst" listVersionID="1"><code>DVDV</code></verzeichnisdienst>`
    + `<kennung>${escapeText(p.kennung)}</kennung>`
    // name is required in the G2G header; a sender known only by kennung is named by it.
    + `<name>${escapeText(p.name ?? p.kennung)}</name>`
    + erreichbarkeit.map(kommunikationXml).join('')
    + `</${tag}>`;
}

function kommunikationXml(k: GatewayIdentity['erreichbarkeit'][number]): string {
  return `<erreichbarkeit><kanal listURI="urn:de:xoev:codeliste:erreichbarkeit" listVersionID="3"><code>${escapeText(k.kanal)}</code></kanal>`
    + `<kennung>${escapeText(k.kennung)}</kennung>`
    + (k.zusatz !== undefined ? `<zusatz>${escapeText(k.zusatz)}</zusatz>` : '')
    + '</erreichbarkeit>';
}

function anschriftXml(a: GatewayIdentity['anschrift']): string {
  return '<anschrift.autor><gebaeude>'
    + (a.hausnummer !== undefined ? `<hausnummer>${escapeText(a.hausnummer)}</hausnummer>` : '')
    + `<postleitzahl>${escapeText(a.postleitzahl)}</postleitzahl>`
    + (a.strasse !== undefined ? `<strasse>${escapeText(a.strasse)}</strasse>` : '')
    + `<wohnort>${escapeText(a.wohnort)}</wohnort>`
    + '</gebaeude></anschrift.autor>';
}

/** Opening root tag plus G2G header and anschrift.autor; the caller appends the body and `close`. */
export function messageStart(
  number: MessageNumber,
  id: MessageIdentification,
  leser: Party,
  gw: GatewayIdentity,
  release: Release,
): { open: string; close: string } {
  const root = `xmeld:${ROOT[number]}`;
  const { namespace, version } = RELEASE_FACTS[release];
  const open = `<${root} xmlns:xmeld="${namespace}" produkt="${escapeAttr(gw.produkt)}"`
    + ` produkthersteller="${escapeAttr(gw.produkthersteller)}" produktversion="${escapeAttr(gw.produktversion)}"`
    + ` standard="XMeld" version="${version}">`
    + '<nachrichtenkopf.g2g><identifikation.nachricht>' + identificationXml(id, release) + '</identifikation.nachricht>'
    // The standard's autor is a Behoerde.Erreichbar: reachable, so erreichbarkeit is required.
    + partyXml('leser', leser) + partyXml('autor', { kennung: gw.kennung, name: gw.name }, gw.erreichbarkeit)
    + '</nachrichtenkopf.g2g>'
    + anschriftXml(gw.anschrift);
  return { open, close: `</${root}>` };
}
