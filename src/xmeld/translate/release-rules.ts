import { XmlElement, type XmlTreeNode } from 'libxml2-wasm';
import { BusinessRejection, RUECKWEISUNG } from '../../errors.js';
import { LIST_NACHRICHTEN, type MessageNumber } from '../namespaces.js';
import {
  AKTUALITAET_AKTUELL,
  LIST_AKTUALITAET_GESCHLECHTSEINTRAG,
  RELEASE_FACTS,
  type Release,
} from '../releases.js';
import type { ElementWriter } from './element-writer.js';

/**
 * Every difference between XMeld 25.11a and 26.11 in the messages the gateway handles
 * (`../shared/xmeld/26.11/DIFF.md`), as one rule each way. Besides these, only the XMeld
 * namespace changes (element-writer). `up` is 25.11a → 26.11, `down` the reverse.
 *
 * Principles: what maps 1:1 is mapped; where the newer release needs something the older one
 * does not say, the default is the one that claims no more than the original did; what the older
 * release cannot carry is dropped from answers (never moved into another element: former
 * Geschlechtseinträge are protected by § 13 SBGG) and refused in queries (rueckweisung 17), since
 * a register asked for less than the caller asked for would answer a different question.
 */
export type Direction = 'up' | 'down';

export interface RuleContext {
  message: MessageNumber;
  from: Release;
  to: Release;
  /** Local names of the elements left out because the target release has no place for them. */
  dropped: Set<string>;
  /** Translates a child element (rules included); for rules that keep an element's children. */
  walk(child: XmlElement): void;
}

export interface ReleaseRule {
  id: string;
  messages: readonly MessageNumber[];
  direction: Direction | 'both';
  /** Path from the message root in local names; a leading `**` segment matches at any depth. */
  at: string;
  /** What the rule does, for the docs and the table test. */
  says: string;
  /** Writes the element's replacement (or nothing, to drop it). */
  apply(el: XmlElement, w: ElementWriter, ctx: RuleContext): void;
}

const ALL = ['1330', '1331', '1332', '1333', '0910'] as const;

export const RELEASE_RULES: readonly ReleaseRule[] = [
  {
    id: 'version',
    messages: ALL,
    direction: 'both',
    at: '',
    says: 'root attribute version: the fixed value of the target release; an xsi:schemaLocation hint (naming the old release) is left out',
    apply: (el, w, ctx) => w.copy(el, {
      top: true, attrs: { version: RELEASE_FACTS[ctx.to].version, 'xsi:schemaLocation': null }, children: ctx.walk,
    }),
  },
  {
    id: 'nachrichtentyp',
    messages: ALL,
    direction: 'both',
    at: '**/nachrichtentyp',
    says: 'nachrichtentyp (header, ursprungsnachricht): listVersionID, where given, is the target release',
    apply: (el, w, ctx) => {
      const list = attr(el, 'listURI');
      const given = attr(el, 'listVersionID') !== undefined;
      w.copy(el, list === LIST_NACHRICHTEN && given ? { attrs: { listVersionID: RELEASE_FACTS[ctx.to].version } } : {});
    },
  },
  {
    id: 'anforderungselement.liste',
    messages: ['1330', '1332'],
    direction: 'both',
    at: 'steuerungsinformationen/anforderungselement',
    says: 'anforderungselement: listVersionID, where given, is the target list version (2 ↔ 3); codes new in 26.11 (1330: 186, 187; 1332: 47) cannot go down: rueckweisung 17',
    apply: (el, w, ctx) => {
      const code = codeOf(el);
      const query = ctx.message as '1330' | '1332';
      if (ctx.to === '25.11a' && code !== undefined && RELEASE_FACTS['26.11'].newAnforderungselemente[query].includes(code)) {
        throw new BusinessRejection([RUECKWEISUNG.sonstigerFachlicherFehler], `Anforderungselement ${code} ist im Register des Ziels (XMeld ${ctx.to}) nicht verfügbar`);
      }
      const given = attr(el, 'listVersionID') !== undefined;
      w.copy(el, given ? { attrs: { listVersionID: RELEASE_FACTS[ctx.to].anforderungselementListVersion } } : {});
    },
  },
  {
    id: '1332.geschlecht.up',
    messages: ['1332'],
    direction: 'up',
    at: 'suchprofil/auswahldaten/geschlecht',
    says: 'geschlecht (code) → geschlecht/geschlechtseintrag + aktualitaetGeschlechtseintrag 02: in 25.11a the sex searched for is the current entry; 01 ("unbekannt") would also match former entries and so let a result disclose a change of entry (§ 13 SBGG)',
    apply: (el, w) => {
      w.wrapAs(el, 'geschlecht', () => {
        w.copyRenamed(el, 'geschlechtseintrag');
        w.codeAs(el, 'aktualitaetGeschlechtseintrag', AKTUALITAET_AKTUELL, { listURI: LIST_AKTUALITAET_GESCHLECHTSEINTRAG, listVersionID: '1' });
      });
    },
  },
  {
    id: '1332.geschlecht.down',
    messages: ['1332'],
    direction: 'down',
    at: 'suchprofil/auswahldaten/geschlecht',
    says: 'geschlecht/geschlechtseintrag → geschlecht (code) when only the current entry is searched (02); a search that includes former entries (01) cannot be asked in 25.11a: rueckweisung 17',
    apply: (el, w, ctx) => {
      const eintrag = childNamed(el, 'geschlechtseintrag');
      const aktualitaet = childNamed(el, 'aktualitaetGeschlechtseintrag');
      if (eintrag === undefined || aktualitaet === undefined || codeOf(aktualitaet) !== AKTUALITAET_AKTUELL) {
        throw new BusinessRejection([RUECKWEISUNG.sonstigerFachlicherFehler], `Suche nach früheren Geschlechtseinträgen ist im Register des Ziels (XMeld ${ctx.to}) nicht möglich`);
      }
      w.copyRenamed(eintrag, 'geschlecht');
    },
  },
  {
    id: '1331.geschlecht.up',
    messages: ['1331'],
    direction: 'up',
    at: 'antwortSuchanfrage/auskunft/person/personendaten/geschlecht',
    says: 'personendaten/geschlecht (code) → geschlecht/geschlecht: the current entry, no former entries (25.11a has none to give)',
    apply: (el, w) => {
      w.wrapAs(el, 'geschlecht', () => w.copy(el));
    },
  },
  {
    id: '1331.geschlecht.down',
    messages: ['1331'],
    direction: 'down',
    at: 'antwortSuchanfrage/auskunft/person/personendaten/geschlecht',
    says: 'geschlecht/geschlecht → personendaten/geschlecht (the current entry; nothing when there is none); fruehererGeschlechtseintrag is dropped: 25.11a has no place for it',
    apply: (el, w, ctx) => {
      const current = childNamed(el, 'geschlecht');
      if (current !== undefined) w.copy(current);
      if (childNamed(el, 'fruehererGeschlechtseintrag') !== undefined) ctx.dropped.add('fruehererGeschlechtseintrag');
    },
  },
  {
    id: '1333.fruehererGeschlechtseintrag.down',
    messages: ['1333'],
    direction: 'down',
    at: 'antwortSuchanfrage/auskunft/person/personendaten/fruehererGeschlechtseintrag',
    says: 'personendaten/fruehererGeschlechtseintrag is dropped: 25.11a has no place for it',
    apply: (_el, _w, ctx) => {
      ctx.dropped.add('fruehererGeschlechtseintrag');
    },
  },
];

export function directionOf(from: Release, to: Release): Direction {
  return from === '25.11a' && to === '26.11' ? 'up' : 'down';
}

/** The rule for an element at `path` (local names from the root), if any. */
export function ruleAt(message: MessageNumber, direction: Direction, path: string): ReleaseRule | undefined {
  return RELEASE_RULES.find((r) =>
    r.messages.includes(message)
    && (r.direction === 'both' || r.direction === direction)
    && (r.at.startsWith('**/') ? path === r.at.slice(3) || path.endsWith(`/${r.at.slice(3)}`) : path === r.at));
}

function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name && !a.prefix)?.value;
}

function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  for (let n: XmlTreeNode | null = el.firstChild; n !== null; n = n.next) {
    if (n instanceof XmlElement && n.name === name) return n;
  }
  return undefined;
}

function codeOf(el: XmlElement): string | undefined {
  const c = childNamed(el, 'code');
  return c === undefined ? undefined : c.content.trim();
}
