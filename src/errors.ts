/**
 * Typed errors of the gateway. Every refusal carries the XMeld code it is answered with:
 * an RTS reason (0910, code list urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht v5)
 * for messages the gateway cannot accept, a rueckweisung code (datenabruf.nichterstellung.grund v2)
 * for business rejections inside a 1331/1333.
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

/** Rueckweisung codes 01–24 (datenabruf.nichterstellung.grund v2). */
export type RueckweisungCode =
  | '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12'
  | '13' | '14' | '15' | '16' | '17' | '18' | '19' | '20' | '21' | '22' | '23' | '24';

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
 * Classes of technical failure at a target register. Each becomes rueckweisung 16 for the
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
