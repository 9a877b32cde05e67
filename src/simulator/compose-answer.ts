/**
 * Writes the register's answers: 1331 (Personensuche), 1333 (freie Suche) and the 0910
 * return-to-sender for SOAP fault details. Element order and qualification follow
 * xmeld-nachrichten-datenabrufe.xsd (25.11a, 26.11) and the BayBIS sample answer, in the
 * release of the request. Pure: the clock and ids come in through `meta`.
 */
import type { Antwort, PersonView } from './decide.js';
import type { LandInfo } from './lands.js';
import type { Person } from './population.js';
import type { Identifikation, SimulatedParty } from './request.js';
import type { Release } from '../xmeld/releases.js';
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
  request: { identifikation: Identifikation; autor: SimulatedParty };
  /** Identification of the answer itself; fresh when omitted. */
  identifikation?: Identifikation;
  /** The request's release, which the answer is written in (default 25.11a). */
  release?: Release;
}

function header(meta: AnswerMeta, typ: string): XmlNodeSpec[] {
  const id = meta.identifikation ?? newIdentifikation(typ);
  return [
    nachrichtenkopf(id, meta.request.autor, registerParty(meta.info), meta.release),
    gebaeude('anschrift.autor', meta.info.address),
  ];
}

const ursprung = (meta: AnswerMeta): XmlNodeSpec =>
  el('xmeld:ursprungsnachricht', identifikationChildren(meta.request.identifikation, meta.release));

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

/**
 * 1331 `personendaten/geschlecht`: a code in 25.11a; in 26.11 a container of the current entry
 * and the former ones (§ 2 SBGG), with the date of each change.
 */
function geschlecht1331(p: Person, release: Release): XmlNodeSpec {
  if (release === '25.11a') return geschlechtNode(p.geschlecht);
  return el(
    'xmeld:geschlecht',
    geschlechtNode(p.geschlecht),
    p.fruehererGeschlechtseintrag.map((f) => el(
      'xmeld:fruehererGeschlechtseintrag',
      ela('xmeld:fruehererGeschlechtseintrag', { listVersionID: '1' }, el('code', f.geschlecht)),
      f.aenderungsdatum !== undefined && el('xmeld:fruehererGeschlechtseintrag.aenderungsdatum', f.aenderungsdatum),
    )),
  );
}

function personendaten1331(p: Person, detail: PersonView['detail'], release: Release): XmlNodeSpec {
  return el(
    'xmeld:personendaten',
    personName(p),
    el('xmeld:geburtsangaben', el('xmeld:geburt', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum)))),
    el('xmeld:wohnung', anschriftMelderecht(p), wohnungsstatus, el('xmeld:wohnung.aktuell', 'true')),
    detail === 'full' && geschlecht1331(p, release),
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

const person1331 = (release: Release) => (v: PersonView): XmlNodeSpec => {
  return el(
    'xmeld:person',
    personendaten1331(v.person, v.detail, release),
    v.detail === 'full' && v.partner !== undefined && partnerNode(v.partner),
    v.detail === 'full' && v.kinder.map(kindNode),
    v.identifikationsmerkmal !== undefined && el('xmeld:identifikationsmerkmal', v.identifikationsmerkmal),
  );
};

const person1333 = (release: Release) => (v: PersonView): XmlNodeSpec => {
  const p = v.person;
  return el(
    'xmeld:person',
    el(
      'xmeld:personendaten',
      personName(p),
      el('xmeld:geburtsangaben', el('xmeld:geburtsdatum', teilbekanntesDatum(p.geburtsdatum))),
      el('xmeld:wohnung', el('xmeld:anschrift', el('xmeld:anschrift.inland', meldeanschriftChildren(p.ags, p.anschrift)))),
      geschlechtNode(p.geschlecht),
      // 26.11: the former entries as codes (between waffenbesitzverbot and verzogen).
      release === '26.11' && p.fruehererGeschlechtseintrag.map((f) =>
        ela('xmeld:fruehererGeschlechtseintrag', { listVersionID: '1' }, el('code', f.geschlecht))),
    ),
    v.identifikationsmerkmal !== undefined && el('xmeld:identifikationsmerkmal', v.identifikationsmerkmal),
  );
};

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
    rootAttrs(undefined, meta.release),
    header(meta, '1331'),
    antwortSuchanfrage(antwort, person1331(meta.release ?? '25.11a')),
    ursprung(meta),
    antwort.kind === 'auskunft' && antwort.vendorMarker === true && vendorMarker(),
  );
  return render(root);
}

export function compose1333(meta: AnswerMeta, antwort: Antwort): string {
  const root = ela(
    'xmeld:datenabruf.freieSuche.antwort.1333',
    rootAttrs(undefined, meta.release),
    header(meta, '1333'),
    antwortSuchanfrage(antwort, person1333(meta.release ?? '25.11a')),
    ursprung(meta),
  );
  return render(root);
}

/** `administration.returntosender.0910` for the detail of a SOAP fault. */
export function compose0910(meta: AnswerMeta, rts: string, hinweis: string): string {
  const root = ela(
    'xmeld:administration.returntosender.0910',
    rootAttrs(undefined, meta.release),
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

