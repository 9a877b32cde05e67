import { RUECKWEISUNG, type RueckweisungCode } from '../errors.js';

/**
 * Requested data items (anforderungselement codes) that only some authorities may receive, by
 * the rueckweisung code a register answers when an authority asks for them without being
 * entitled (code list datenabruf.nichterstellung.grund v2, 07–11). Codes from the 25.11a code
 * lists personensuche.anforderungselement (185 codes) and freie.suche.anforderungselement (46).
 */
export type RestrictedData = 'ausweis' | 'passversagung' | 'waffen' | 'wohnungsgeber' | 'einzugsdatum';

export const REJECTION_FOR: Record<RestrictedData, RueckweisungCode> = {
  ausweis: RUECKWEISUNG.ausweisdatenNichtBerechtigt,
  passversagung: RUECKWEISUNG.passversagungNichtBerechtigt,
  waffen: RUECKWEISUNG.waffenSprengstoffNichtBerechtigt,
  wohnungsgeber: RUECKWEISUNG.wohnungsgeberNichtBerechtigt,
  einzugsdatum: RUECKWEISUNG.einzugsdatumNichtBerechtigt,
};

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

const PERSONENSUCHE: Record<RestrictedData, readonly string[]> = {
  ausweis: range(163, 171),      // Personalausweis/Pass: Art, Behörde, Daten, Seriennummern
  passversagung: ['176', '177'], // Tatsachen nach § 3 Abs. 2 Nr. 4 BMG
  waffen: range(178, 183),       // waffen- und sprengstoffrechtliche Erlaubnisse, Waffenbesitzverbot
  wohnungsgeber: ['184', '185'],
  einzugsdatum: ['74', '80'],    // aktuelle und frühere Wohnung
};

const FREIE_SUCHE: Record<RestrictedData, readonly string[]> = {
  ausweis: range(29, 37),
  passversagung: [],
  waffen: range(42, 44),
  wohnungsgeber: ['45', '46'],
  einzugsdatum: ['28'],
};

/** The kinds of restricted data a query requests. */
export function restrictedDataRequested(number: '1330' | '1332', codes: readonly string[]): RestrictedData[] {
  const table = number === '1330' ? PERSONENSUCHE : FREIE_SUCHE;
  const requested = new Set(codes);
  return (Object.keys(table) as RestrictedData[]).filter((kind) => table[kind].some((c) => requested.has(c)));
}
