import { XmlElement, type XmlNode } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { elementToJson } from '../xml/element-to-json.js';
import { countAt, nsOf, textAt, textsAt } from './xpath-read.js';
import { releaseOf } from './message-kind.js';
import type { MessageIdentification, Party, QueryMessage, SecuritySelection, Selection, Suchbereich } from './query-message.js';

/** Reads a schema-valid 1330/1332 root element into the gateway's query model. */
export function readQuery(root: XmlElement, number: '1330' | '1332'): QueryMessage {
  const kopf = 'nachrichtenkopf.g2g';
  const identification = readIdentification(root, `${kopf}/identifikation.nachricht`);
  const stelle = 'x:datenAbrufendeStelle';
  const suchprofil = root.get('x:suchprofil', nsOf(root));
  const query: QueryMessage = {
    number,
    release: releaseOf(root),
    identification,
    leser: readParty(root, `${kopf}/leser`),
    autor: readParty(root, `${kopf}/autor`),
    datenAbrufendeStelle: {
      sicherheitsbehoerde: textAt(root, `${stelle}/x:sicherheitsbehoerde`) === 'true'
        || textAt(root, `${stelle}/x:sicherheitsbehoerde`) === '1',
      behoerdenname: textAt(root, `${stelle}/x:abrufberechtigteStelle/x:behoerdenname`),
      aktenzeichen: textAt(root, `${stelle}/x:aktenzeichen`),
      anlassDesAbrufs: textAt(root, `${stelle}/x:anlassDesAbrufs`),
      kennung: textAt(root, `${stelle}/x:kennung`),
    },
    ags: number === '1330' ? textsAt(root, 'x:suchprofil/x:auswahldaten/x:anschrift/gemeindeschluessel/code') : [],
    identifikationsmerkmalOnly:
      number === '1330' && countAt(root, 'x:suchprofil/x:identifikationsmerkmal') === 1
      && countAt(root, 'x:suchprofil/x:auswahldaten') === 0,
    anforderungselemente: textsAt(root, 'x:steuerungsinformationen/x:anforderungselement/code'),
    hasLandesspezifischeErweiterungen: countAt(root, 'x:landesspezifischeErweiterungen') > 0,
    selection: readSelection(root),
    suchprofil: suchprofil instanceof XmlElement ? elementToJson(suchprofil) : {},
  };
  if (number === '1332') query.suchbereich = readSuchbereich(root);
  return query;
}

export function readIdentification(node: XmlNode, path: string): MessageIdentification {
  const uuid = textAt(node, `${path}/nachrichtenUUID`);
  const typ = textAt(node, `${path}/nachrichtentyp/code`);
  const zeit = textAt(node, `${path}/erstellungszeitpunkt`);
  if (uuid === undefined || typ === undefined || zeit === undefined) {
    // The schema requires all three; reaching this means the schema and the reader disagree.
    throw new RejectedMessageError('S030');
  }
  return { nachrichtenUUID: uuid, nachrichtentyp: typ, erstellungszeitpunkt: zeit };
}

function readParty(node: XmlNode, path: string): Party {
  const kennung = textAt(node, `${path}/kennung`);
  if (kennung === undefined) throw new RejectedMessageError('S030');
  const name = textAt(node, `${path}/name`);
  return name === undefined ? { kennung } : { kennung, name };
}

function readSuchbereich(root: XmlElement): Suchbereich | undefined {
  for (const kind of ['bundesland', 'bezirk', 'kreis', 'gemeindeschluessel'] as const) {
    const path = `x:steuerungsinformationen/x:suchbereich/x:${kind}`;
    if (countAt(root, path) > 0) return { kind, codes: textsAt(root, `${path}/code`) };
  }
  return undefined;
}

const AUSWAHL = 'x:suchprofil/x:auswahldaten';
const SECURITY_SELECTION: SecuritySelection[] = ['waffenrechtlicheErlaubnis', 'waffenbesitzverbot', 'sprengstoffrechtlicheErlaubnis'];

/** The same paths serve 1330 and 1332 where the two share element names; absent ones read as absent. */
function readSelection(root: XmlElement): Selection {
  const has = (rel: string): boolean => countAt(root, `${AUSWAHL}/${rel}`) > 0;
  const range = (von: string, bis: string): { von: string; bis: string } | undefined => {
    const v = textAt(root, von);
    const b = textAt(root, bis);
    return v !== undefined && b !== undefined ? { von: v, bis: b } : undefined;
  };
  const selection: Selection = {
    nameParts: textsAt(root, `${AUSWAHL}/x:name//*[not(*) and local-name() != 'phonetik']`),
    phonetik: textAt(root, `${AUSWAHL}/x:name/x:phonetik`) === 'true',
    hasName: has('x:name'),
    hasStrasse: has('x:anschrift/strasse') || has('x:wohnung//x:strasse') || has('x:wohnung//strasse'),
    hasGeburtsdatum: has('x:geburtsdatum') || has('x:geburtsdaten'),
    hasGeburtsort: has('x:geburtsort'),
    hasGeschlecht: has('x:geschlecht'),
    hasSterbetag: has('x:sterbetag') || has('x:sterbedaten'),
    hasSterbeort: has('x:sterbeort'),
    hasAzrNummer: has('x:azrNummer'),
    hasAktualitaetAnschrift: has('x:wohnung/x:aktualitaetAnschrift'),
    securitySelection: SECURITY_SELECTION.filter((s) => textAt(root, `${AUSWAHL}/x:${s}`) === 'true'),
  };
  const hausnummern = range(`${AUSWAHL}//x:hausnummernbereich/x:hausnummer.von`, `${AUSWAHL}//x:hausnummernbereich/x:hausnummer.bis`);
  if (hausnummern) selection.hausnummernbereich = hausnummern;
  const geburt = range(`${AUSWAHL}//x:geburtszeitraum/x:geburtsdatum.von`, `${AUSWAHL}//x:geburtszeitraum/x:geburtsdatum.bis`);
  if (geburt) selection.geburtszeitraum = geburt;
  return selection;
}
