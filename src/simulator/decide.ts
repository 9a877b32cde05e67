/**
 * What a simulated register does with a parsed query: pure decision logic on top of the
 * population match, the magic names and the Land's block dialect. The server turns the
 * decision into bytes (or a dead socket).
 */
import { LIST_CAP, RUECKWEISUNG, type RueckweisungCode } from '../errors.js';
import { LANDS, landOfAgsPrefix, type BlockDialect, type LandCode, type LandInfo } from './lands.js';
import { magicFor } from './magic.js';
import { matchFreieSuche, matchPersonensuche, visibleRelatives, type PersonensucheMatch } from './match.js';
import type { Person, Population } from './population.js';
import type { FreieSuche1332, Personensuche1330, XmeldQuery } from './request.js';
import { identifikationsmerkmalFor, resolveIdentifikationsmerkmal } from './token.js';

export interface PersonView {
  person: Person;
  /** 'list' = only the data a Treffer-/Ergebnisliste may carry (BMeldDAV § 6). */
  detail: 'full' | 'list';
  identifikationsmerkmal?: string;
  partner?: Person;
  kinder: Person[];
}

export interface Grund {
  code: RueckweisungCode;
  freitext?: string;
}

export type Antwort =
  | { kind: 'rueckweisung'; gruende: Grund[] }
  | {
      kind: 'auskunft';
      ergebnisstatus: '01' | '02' | '03' | '04';
      persons: PersonView[];
      /** block dialect 'vendor-marker': a vendor element in landesspezifischeErweiterungen. */
      vendorMarker?: boolean;
      /** block dialect 'empty-auskunft': one empty person element. */
      emptyPerson?: boolean;
    };

export type Decision =
  | { kind: 'answer'; message: '1331' | '1333'; antwort: Antwort; delayMs?: number; wrongCorrelation?: boolean }
  | { kind: 'garbage' }
  | { kind: 'fault' }
  | { kind: 'return-to-sender'; rts: 'T080' | 'S999'; hinweis: string };

export interface RegisterContext {
  land: LandCode;
  info: LandInfo;
  population: Population;
  slowDelayMs: number;
}

const FREITEXT: Partial<Record<RueckweisungCode, string>> = {
  [RUECKWEISUNG.technischerFehler]: 'Simulierter technischer Fehler des Registers (Testfall)',
  [RUECKWEISUNG.sonstigerFachlicherFehler]: 'Simulierter sonstiger fachlicher Fehler (Testfall)',
};

function rueckweisung(code: RueckweisungCode): Antwort {
  const freitext = FREITEXT[code];
  return { kind: 'rueckweisung', gruende: [freitext ? { code, freitext } : { code }] };
}

export function neutralAnswer(dialect: BlockDialect | 'plain'): Antwort {
  return {
    kind: 'auskunft',
    ergebnisstatus: '03',
    persons: [],
    ...(dialect === 'vendor-marker' ? { vendorMarker: true } : {}),
    ...(dialect === 'empty-auskunft' ? { emptyPerson: true } : {}),
  };
}

function fullView(ctx: RegisterContext, person: Person): PersonView {
  return { person, detail: 'full', ...visibleRelatives(ctx.population, ctx.land, person) };
}

function listView(ctx: RegisterContext, person: Person): PersonView {
  return { person, detail: 'list', identifikationsmerkmal: identifikationsmerkmalFor(ctx.land, person), kinder: [] };
}

function fromMatch(ctx: RegisterContext, match: PersonensucheMatch): Antwort {
  switch (match.kind) {
    case 'hit':
      return { kind: 'auskunft', ergebnisstatus: '01', persons: [fullView(ctx, match.person)] };
    case 'list':
      if (match.persons.length > LIST_CAP) return rueckweisung(RUECKWEISUNG.trefferlisteZuGross);
      return { kind: 'auskunft', ergebnisstatus: '02', persons: match.persons.map((p) => listView(ctx, p)) };
    case 'neutral':
      return neutralAnswer(match.reason === 'blocked' ? ctx.info.blockDialect : 'standard');
  }
}

/** Two invented persons for the `Zweitreffer` rule violation (01 with two persons). */
function doubleHit(ctx: RegisterContext, ags: string, nachname: string, vornamen: string): Antwort {
  const twin = (n: number): Person => ({
    id: `zweitreffer-${n}`,
    ags,
    familienname: nachname,
    vornamen,
    geburtsdatum: n === 1 ? '1970-01-01' : '1971-02-02',
    geschlecht: 'x',
    fruehererGeschlechtseintrag: [],
    staatsangehoerigkeit: '000',
    anschrift: { strasse: 'Zweitreffergasse', hausnummer: String(n), postleitzahl: ctx.info.address.postleitzahl, wohnort: ctx.info.address.wohnort },
    auskunftssperre: false,
    kinder: [],
  });
  return { kind: 'auskunft', ergebnisstatus: '01', persons: [fullView(ctx, twin(1)), fullView(ctx, twin(2))] };
}

function decideMagic(
  ctx: RegisterContext,
  message: '1331' | '1333',
  nachname: string | undefined,
  normal: () => Antwort,
  double: () => Antwort,
): Decision | undefined {
  const magic = nachname === undefined ? undefined : magicFor(nachname);
  if (!magic) return undefined;
  switch (magic.kind) {
    case 'rueckweisung':
      return { kind: 'answer', message, antwort: rueckweisung(magic.code) };
    case 'slow':
      return { kind: 'answer', message, antwort: normal(), delayMs: ctx.slowDelayMs };
    case 'garbage':
      return { kind: 'garbage' };
    case 'fault':
      return { kind: 'fault' };
    case 'wrong-correlation':
      return { kind: 'answer', message, antwort: normal(), wrongCorrelation: true };
    case 'return-to-sender':
      return { kind: 'return-to-sender', rts: 'S999', hinweis: 'Simulierte technische Zurückweisung (Testfall)' };
    case 'double-hit':
      return { kind: 'answer', message, antwort: message === '1331' ? double() : normal() };
  }
}

const wrongRecipient = (): Decision => ({
  kind: 'return-to-sender',
  rts: 'T080',
  hinweis: 'Die Anfrage betrifft kein Gebiet dieses Registers',
});

function decide1330(ctx: RegisterContext, q: Personensuche1330): Decision {
  const sp = q.suchprofil;
  if (sp.kind === 'identifikationsmerkmal') {
    const leserLand = q.leser.kennung.startsWith('ags:') ? landOfAgsPrefix(q.leser.kennung.slice(4)) : ctx.land;
    if (leserLand !== ctx.land) return wrongRecipient();
    const person = resolveIdentifikationsmerkmal(ctx.population, ctx.land, sp.token);
    if (!person) return { kind: 'answer', message: '1331', antwort: rueckweisung(RUECKWEISUNG.identifikationsmerkmalUngueltig) };
    const antwort = person.auskunftssperre
      ? neutralAnswer(ctx.info.blockDialect)
      : { kind: 'auskunft' as const, ergebnisstatus: '01' as const, persons: [fullView(ctx, person)] };
    return { kind: 'answer', message: '1331', antwort };
  }
  if (landOfAgsPrefix(sp.ags) !== ctx.land) return wrongRecipient();
  if (q.leser.kennung !== `ags:${sp.ags}`) return { kind: 'answer', message: '1331', antwort: rueckweisung(RUECKWEISUNG.agsDesLesersAbweichend) };
  const normal = (): Antwort => fromMatch(ctx, matchPersonensuche(ctx.population, ctx.land, sp));
  const magic = decideMagic(ctx, '1331', sp.nachname, normal, () => doubleHit(ctx, sp.ags, sp.nachname, sp.vornamen));
  return magic ?? { kind: 'answer', message: '1331', antwort: normal() };
}

function decide1332(ctx: RegisterContext, q: FreieSuche1332): Decision {
  const { suchbereich, auswahldaten } = q;
  if (landOfAgsPrefix(suchbereich.code) !== ctx.land) return { kind: 'answer', message: '1333', antwort: rueckweisung(RUECKWEISUNG.suchbereichNichtZustaendig) };
  const normal = (): Antwort => {
    const persons = matchFreieSuche(ctx.population, ctx.land, { ...auswahldaten, areaPrefix: suchbereich.code });
    if (persons.length === 0) return neutralAnswer('standard');
    if (persons.length > LIST_CAP) return rueckweisung(RUECKWEISUNG.ergebnislisteZuGross);
    return { kind: 'auskunft', ergebnisstatus: '04', persons: persons.map((p) => listView(ctx, p)) };
  };
  const magic = decideMagic(ctx, '1333', auswahldaten.nachname, normal, normal);
  return magic ?? { kind: 'answer', message: '1333', antwort: normal() };
}

export function decide(ctx: RegisterContext, query: XmeldQuery): Decision {
  return query.kind === '1330' ? decide1330(ctx, query) : decide1332(ctx, query);
}

export function registerContext(
  land: LandCode,
  population: Population,
  overrides: { blockDialect?: BlockDialect; slowDelayMs: number },
): RegisterContext {
  const base = LANDS[land];
  return {
    land,
    info: overrides.blockDialect ? { ...base, blockDialect: overrides.blockDialect } : base,
    population,
    slowDelayMs: overrides.slowDelayMs,
  };
}
