/**
 * Writes the register's answers: 1331 (Personensuche), 1333 (freie Suche) and the 0910
 * return-to-sender for SOAP fault details. Element order and qualification follow
 * xmeld-nachrichten-datenabrufe.xsd (25.11a) and the BayBIS sample answer. Pure: the clock
 * and ids come in through `meta`.
 */
import type { Antwort, PersonView } from './decide.js';
import type { LandInfo } from './lands.js';
import type { Person } from './population.js';
import type { Identifikation, Party } from './request.js';
import {
  LIST_URI,
  gebaeude,
  geschlechtNode,
  identifikationChildren,
  meldeanschriftChildren,
  nachrichtenkopf,
  newIdentifikation,
  registerParty,
  rootAttrs,
  teilbekanntesDatum,
} from './compose-common.js';
import { code, el, ela, render, type RawXml, type XmlNodeSpec } from './xml-writer.js';

export const VENDOR_NS = 'urn:xmeld-gateway:simulator:vendor';

export interface AnswerMeta {
  info: LandInfo;
  /** The request's identification (→ ursprungsnachricht) and author (→ leser). */
  request: { identifikation: Identifikation; autor: Party };
  /** Identification of the answer itself; fresh when omitted. */
  identifikation?: Identifikation;
}

function header(meta: AnswerMeta, typ: string): XmlNodeSpec[] {
  const id = meta.identifikation ?? newIdentifikation(typ);
  return [
    nachrichtenkopf(id, meta.request.autor, registerParty(meta.info)),
    gebaeude('anschrift.autor', meta.info.address),
  ];
}

const ursprung = (meta: AnswerMeta): XmlNodeSpec =>
  el('xmeld:ursprungsnachricht', identifikationChildren(meta.request.identifikation));

/** Name of the person (`type.NameNatuerlichePerson…`): familienname.unstrukturiert + vornamen. */
function personName(p: Person): XmlNodeSpec {
  return el(
    'xmeld:name',
    el('xmeld:familienname.unstrukturiert', el('xmeld:nachname', el('name', p.familienname))),
    el('xmeld:vornamen', el('xmeld:vornamen', el('name', p.vornamen))),
  );
}

/** Name of a relative (`type.NameNatuerlichePerson.Partner/Kind`): vornamen is AllgemeinerName. */
function relativeName(p: Person): XmlNodeSpec {
  return el(
    'xmeld:name',
    el('xmeld:familienname.unstrukturiert', el('xmeld:nachname', el('name', p.familienname))),
    el('xmeld:vornamen', el('name', p.vornamen)),
  );
}

/** `type.Personensuche.Abrufdaten.AnschriftMelderecht` → anschrift.inland (mit Sperrvermerk) → Meldeanschrift. */
function anschriftMelderecht(p: Person): XmlNodeSpec {
  return el(
    'xmeld:anschrift',
    el('xmeld:anschrift.inland', el('xmeld:anschrift.inland', meldeanschriftChildren(p.ags, p.anschrift))),
  );
}

/** Version the simulator claims for the Destatis nationality key (any value is schema-valid). */
const STAAT_LIST_VERSION = '2024-01-01';

const wohnungsstatus = code('xmeld:statusderwohnung', '0', LIST_URI.wohnungsstatus, '2');

function personendaten1331(p: Person, detail: PersonView['detail']): XmlNodeSpec {
  return el(
    'xmeld:personendaten',
    personName(p),
    el('xmeld:geburtsangaben', el('xmeld:geburt', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum)))),
    el('xmeld:wohnung', anschriftMelderecht(p), wohnungsstatus, el('xmeld:wohnung.aktuell', 'true')),
    detail === 'full' && geschlechtNode(p.geschlecht),
    detail === 'full' &&
      code('xmeld:staatsangehoerigkeit', p.staatsangehoerigkeit, LIST_URI.staatsangehoerigkeit, STAAT_LIST_VERSION),
  );
}

function partnerNode(p: Person): XmlNodeSpec {
  return el(
    'xmeld:partner',
    code('xmeld:partnerschaftstyp', 'EG', LIST_URI.partnerschaft, '2'),
    relativeName(p),
    el('xmeld:geburt', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum))),
    geschlechtNode(p.geschlecht),
    el('xmeld:wohnung', anschriftMelderecht(p), wohnungsstatus),
  );
}

function kindNode(p: Person): XmlNodeSpec {
  return el(
    'xmeld:kind',
    relativeName(p),
    el('xmeld:geburt', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum))),
    geschlechtNode(p.geschlecht),
    anschriftMelderecht(p),
  );
}

function person1331(v: PersonView): XmlNodeSpec {
  return el(
    'xmeld:person',
    personendaten1331(v.person, v.detail),
    v.detail === 'full' && v.partner !== undefined && partnerNode(v.partner),
    v.detail === 'full' && v.kinder.map(kindNode),
    v.identifikationsmerkmal !== undefined && el('xmeld:identifikationsmerkmal', v.identifikationsmerkmal),
  );
}

function person1333(v: PersonView): XmlNodeSpec {
  const p = v.person;
  return el(
    'xmeld:person',
    el(
      'xmeld:personendaten',
      personName(p),
      el('xmeld:geburtsangaben', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum))),
      el('xmeld:wohnung', el('xmeld:anschrift', el('xmeld:anschrift.inland', meldeanschriftChildren(p.ags, p.anschrift)))),
      geschlechtNode(p.geschlecht),
    ),
    v.identifikationsmerkmal !== undefined && el('xmeld:identifikationsmerkmal', v.identifikationsmerkmal),
  );
}

/** Whitespace-only `person` of the empty-auskunft dialect (a self-closing tag would do as well). */
const EMPTY_PERSON: RawXml = { raw: '<xmeld:person>\n      </xmeld:person>' };

function antwortSuchanfrage(antwort: Antwort, person: (v: PersonView) => XmlNodeSpec): XmlNodeSpec {
  if (antwort.kind === 'rueckweisung') {
    return el(
      'xmeld:antwortSuchanfrage',
      antwort.gruende.map((g) =>
        el(
          'xmeld:rueckweisung',
          code('xmeld:grundDerRueckweisung', g.code, LIST_URI.nichterstellung, '2'),
          g.freitext !== undefined && el('xmeld:freitext', g.freitext),
        ),
      ),
    );
  }
  return el(
    'xmeld:antwortSuchanfrage',
    el(
      'xmeld:auskunft',
      code('xmeld:ergebnisstatus', antwort.ergebnisstatus, LIST_URI.ergebnisstatus, '2'),
      antwort.persons.map(person),
      antwort.emptyPerson === true && EMPTY_PERSON,
    ),
  );
}

/** The vendor block marker a gateway must strip (invented namespace, modelled on vendor extensions). */
function vendorMarker(): XmlNodeSpec {
  return el(
    'xmeld:landesspezifischeErweiterungen',
    ela('sim:auskunftssperre', { 'xmlns:sim': VENDOR_NS }, 'true'),
  );
}

export function compose1331(meta: AnswerMeta, antwort: Antwort): string {
  const root = ela(
    'xmeld:datenabruf.personensuche.antwort.1331',
    rootAttrs(),
    header(meta, '1331'),
    antwortSuchanfrage(antwort, person1331),
    ursprung(meta),
    antwort.kind === 'auskunft' && antwort.vendorMarker === true && vendorMarker(),
  );
  return render(root);
}

export function compose1333(meta: AnswerMeta, antwort: Antwort): string {
  const root = ela(
    'xmeld:datenabruf.freieSuche.antwort.1333',
    rootAttrs(),
    header(meta, '1333'),
    antwortSuchanfrage(antwort, person1333),
    ursprung(meta),
  );
  return render(root);
}

/** `administration.returntosender.0910` for the detail of a SOAP fault. */
export function compose0910(meta: AnswerMeta, rts: string, hinweis: string): string {
  const root = ela(
    'xmeld:administration.returntosender.0910',
    rootAttrs(),
    header(meta, '0910'),
    el(
      'xmeld:rts.container',
      el(
        'xmeld:begruendung',
        code('xmeld:grund', rts, LIST_URI.ruecksendung, '5'),
        el('xmeld:ergaenzende.hinweise', hinweis),
      ),
    ),
    ursprung(meta),
  );
  return render(root);
}

