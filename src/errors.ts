/**
 * Typed errors of the gateway. Every refusal carries the XMeld code it is answered with:
 * an RTS reason (0910, code list urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht v5)
 * for messages the gateway cannot accept, a rueckweisung code (datenabruf.nichterstellung.grund v2)
 * for business rejections inside a 1331/1333. Both code lists are catalogued here, once.
 *
 * Messages are fixed texts chosen by the gateway: they never contain request content, so they
 * can go into faults and logs as they are.
 */

/** Return-to-sender reasons the gateway uses (RTS code list v5). */
export const RtsReason = {
  S000: 'Zeitpunkt liegt in der Zukunft',
  S030: 'Leerer Pflichtwert',
  S100: 'Doppelte Zustellung',
  S999: 'Sonstiger Verstoß gegen die Spezifikation',
  T000: 'Zertifikat des Absenders abgelaufen',
  T001: 'Zertifikat des Absenders gesperrt',
  T002: 'Zertifikat des Absenders ungültig',
  T003: 'Zertifikat des Absenders fehlt',
  T010: 'Signatur fehlt',
  T011: 'Signatur ungültig',
  T070: 'Absender nicht berechtigt',
  T080: 'Falscher Empfänger',
  T099: 'Sonstiger Verstoß gegen das Transportprofil',
  V000: 'Version wird nicht unterstützt',
  X000: 'Nachricht ist nicht wohlgeformt',
  X001: 'Nachricht ist nicht schemakonform',
  X010: 'Ungültige Codeliste',
  X011: 'Ungültiger Code',
} as const;
export type RtsCode = keyof typeof RtsReason;

/**
 * A message the gateway refuses before processing: answered with a SOAP fault carrying a 0910.
 * `side` decides Client/Sender versus Server/Receiver.
 */
export class RejectedMessageError extends Error {
  override readonly name = 'RejectedMessageError';
  constructor(
    readonly code: RtsCode,
    /** Fixed, content-free explanation for operators (goes into the fault string). */
    readonly detail: string = RtsReason[code],
    readonly side: 'sender' | 'receiver' = 'sender',
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * Rueckweisung reasons (datenabruf.nichterstellung.grund v2, 01–24): each code with the name the
 * gateway's rules use for it and the code list's text.
 */
export const RueckweisungGrund = {
  '01': { name: 'identifikationsmerkmalUngueltig', text: 'Das in der Suchanfrage angegebene Identifikationsmerkmal ist ungültig.' },
  '02': { name: 'strasseUnbekannt', text: 'Für die in den Auswahldaten angegebene Straße wird keine passende Straßenbezeichnung im Melderegister gefunden.' },
  '03': { name: 'keineSicherheitsbehoerde', text: 'Im Element sicherheitsbehoerde wurde der Wert „true“ übermittelt, obwohl es sich tatsächlich nicht um eine Sicherheits- bzw. Strafermittlungsbehörde handelt.' },
  '04': { name: 'waffenrechtlicheErlaubnisNichtBerechtigt', text: 'Die abrufende Stelle ist zur Nutzung des Auswahldatums waffenrechtlicheErlaubnis nicht berechtigt.' },
  '05': { name: 'waffenbesitzverbotNichtBerechtigt', text: 'Die abrufende Stelle ist zur Nutzung des Auswahldatums waffenbesitzverbot nicht berechtigt.' },
  '06': { name: 'sprengstoffrechtlicheErlaubnisNichtBerechtigt', text: 'Die abrufende Stelle ist zur Nutzung des Auswahldatums sprengstoffrechtlicheErlaubnis nicht berechtigt.' },
  '07': { name: 'ausweisdatenNichtBerechtigt', text: 'Die abrufende Stelle ist zum Abruf von Daten zu Ausweis- und Passdokumenten nicht berechtigt.' },
  '08': { name: 'passversagungNichtBerechtigt', text: 'Die abrufende Stelle ist zum Abruf von Tatsachen nach § 3 Absatz 2 Nummer 4 BMG zu den Pass- und Ausweisdaten nicht berechtigt.' },
  '09': { name: 'waffenSprengstoffNichtBerechtigt', text: 'Die abrufende Stelle ist zum Abruf von Daten für waffen- und sprengstoffrechtliche Verfahren nicht berechtigt.' },
  '10': { name: 'wohnungsgeberNichtBerechtigt', text: 'Die abrufende Stelle ist zum Abruf von Daten zum Wohnungsgeber nicht berechtigt.' },
  '11': { name: 'einzugsdatumNichtBerechtigt', text: 'Die abrufende Stelle ist zum Abruf des Einzugsdatums nicht berechtigt.' },
  '12': { name: 'trefferlisteZuGross', text: 'Die Trefferliste überschreitet die maximale Größe von 1000 Treffern.' },
  '13': { name: 'ergebnislisteZuGross', text: 'Die Ergebnisliste überschreitet die maximale Größe von 1000 Ergebnissen.' },
  '14': { name: 'agsDesLesersAbweichend', text: 'Die Angaben zum AGS des Lesers der Suchanfrage stimmen nicht mit dem AGS in den Auswahldaten überein.' },
  '15': { name: 'platzhalterBeiPhonetischerSuche', text: 'Wenn in der Suchanfrage der Einsatz einer phonetischen Suche bestimmt ist, dürfen keine Platzhalter verwendet werden.' },
  '16': { name: 'technischerFehler', text: 'Es liegt ein interner technischer Fehler vor. Die Präzisierung erfolgt durch eine Freitextangabe im Element freitext.' },
  '17': { name: 'sonstigerFachlicherFehler', text: 'Es liegt ein sonstiger fachlicher Fehler vor. Die Präzisierung erfolgt durch eine Freitextangabe im Element freitext.' },
  '18': { name: 'mindestangabenFehlen', text: 'In den Auswahldaten sind die Mindestangaben gemäß § 38 Abs. 1 BMG für die Personensuche nach § 34a Abs. 2 BMG nicht erfüllt.' },
  '19': { name: 'hausnummernbereichAbsteigend', text: 'In dem in den Auswahldaten der Suchanfrage angegebenen Hausnummernbereich ist die Ende-Angabe kleiner als die oder gleich der Beginn-Angabe.' },
  '20': { name: 'geburtszeitraumAbsteigend', text: 'In dem in den Auswahldaten der Suchanfrage angegebenen Geburtszeitraum liegt das Ende-Datum am oder vor dem Beginn-Datum.' },
  '21': { name: 'anschriftOhneStrasse', text: 'In den Auswahldaten der Suchanfrage wurde auf aktuelle oder inaktuelle Anschriften eingeschränkt, jedoch für die Anschrift keine Straße angegeben.' },
  '22': { name: 'suchbereichNichtZustaendig', text: 'Der in der Suchanfrage bestimmte Suchbereich liegt nicht im Zuständigkeitsbereich der angefragten Stelle.' },
  '23': { name: 'landesspezifischeErweiterungen', text: 'Das Element landesspezifischeErweiterungen wurde im länderübergreifenden Datenabruf übermittelt.' },
  '24': { name: 'azrNummerUnzulaessig', text: 'Die AZR-Nummer ist in dieser Anfrage als Auswahldatum unzulässig.' },
} as const;
export type RueckweisungCode = keyof typeof RueckweisungGrund;

/** The codes by name, for the rules: `RUECKWEISUNG.technischerFehler` is '16'. */
export const RUECKWEISUNG = Object.fromEntries(
  Object.entries(RueckweisungGrund).map(([code, { name }]) => [name, code]),
) as { readonly [C in RueckweisungCode as (typeof RueckweisungGrund)[C]['name']]: C };

export function isRueckweisungCode(s: unknown): s is RueckweisungCode {
  return typeof s === 'string' && Object.hasOwn(RueckweisungGrund, s);
}

/**
 * Most persons one Trefferliste (1331) or Ergebnisliste (1333) may carry (BMeldDAV § 1 Abs. 4);
 * a longer one is answered with RUECKWEISUNG.trefferlisteZuGross / ergebnislisteZuGross instead.
 */
export const LIST_CAP = 1000;

/** A business rejection decided by the gateway itself (pre-checks), answered inside a 1331/1333. */
export class BusinessRejection extends Error {
  override readonly name = 'BusinessRejection';
  constructor(
    readonly codes: RueckweisungCode[],
    readonly freitext?: string,
  ) {
    super(`rueckweisung ${codes.join(',')}`);
  }
}

/**
 * Classes of technical failure at a target register. Each becomes RUECKWEISUNG.technischerFehler (16) for the
 * caller, with a short freitext naming only the class.
 */
export const TechnicalFailureClass = {
  unreachable: 'Register nicht erreichbar',
  timeout: 'Zeitüberschreitung beim Register',
  /** The instance sending it ended mid-flight; whether the register got it is unknown. */
  interrupted: 'Zustellung an das Register unterbrochen',
  overloaded: 'Gateway überlastet, Register nicht angefragt',
  fault: 'Register antwortete mit einem Fehler',
  returnToSender: 'Register wies die Nachricht technisch zurück',
  malformed: 'Antwort des Registers nicht wohlgeformt',
  schema: 'Antwort des Registers nicht schemakonform',
  signature: 'Signatur der Antwort des Registers ungültig',
  correlation: 'Antwort des Registers gehört nicht zur Anfrage',
  rules: 'Antwort des Registers verletzt die XMeld-Regeln',
  tooLarge: 'Antwort des Registers zu groß',
  circuitOpen: 'Register derzeit gesperrt (Störung)',
  internal: 'Interner Fehler des Gateways',
  noRoute: 'Kein Register für das Ziel konfiguriert',
  noRelease: 'Register spricht keine hier angenommene XMeld-Version',
  directory: 'Verzeichnisdienst (DVDV) nicht erreichbar, Register des Ziels unbekannt',
} as const;
export type TechnicalFailure = keyof typeof TechnicalFailureClass;

export function isTechnicalFailure(s: unknown): s is TechnicalFailure {
  return typeof s === 'string' && Object.hasOwn(TechnicalFailureClass, s);
}

export class TechnicalFailureError extends Error {
  override readonly name = 'TechnicalFailureError';
  /**
   * Not the register's failure as far as anyone can tell: the wait ended while another
   * instance's worker held the job (it may have died). Circuit breakers do not count it.
   */
  readonly unattributed: boolean;
  constructor(
    readonly failure: TechnicalFailure,
    options?: { cause?: unknown; unattributed?: boolean },
  ) {
    super(TechnicalFailureClass[failure], options?.cause === undefined ? undefined : { cause: options.cause });
    this.unattributed = options?.unattributed === true;
  }
}
