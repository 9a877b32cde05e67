import { RUECKWEISUNG, type RueckweisungCode, type TechnicalFailure } from '../errors.js';

/**
 * The one model every register answer is normalized into, whatever dialect it came in.
 * Persons are carried as self-contained XML (namespace declarations included) and never leave
 * the request that produced them.
 */
export type Outcome =
  | { kind: 'hit'; persons: [string] }          // ergebnisstatus 01
  | { kind: 'list'; persons: string[] }         // 02 Trefferliste
  | { kind: 'neutral' }                         // 03: not found or blocked, indistinguishable
  | { kind: 'resultList'; persons: string[] }   // 04 Ergebnisliste (1333)
  | { kind: 'rejected'; reasons: Rejection[] }
  | { kind: 'technical'; failure: TechnicalFailure };

export interface Rejection {
  code: RueckweisungCode;
  freitext?: string;
}

export const ERGEBNISSTATUS = { hit: '01', list: '02', neutral: '03', resultList: '04' } as const;

/** What the protocol may know of an outcome: its kind and codes, never its persons. */
export interface OutcomeSummary {
  ergebnisstatus?: string;
  rueckweisung?: string[];
  technicalFailure?: string;
  personCount?: number;
}

export function summarizeOutcome(o: Outcome): OutcomeSummary {
  switch (o.kind) {
    case 'hit':
    case 'list':
    case 'resultList':
      return { ergebnisstatus: ERGEBNISSTATUS[o.kind], personCount: o.persons.length };
    case 'neutral':
      return { ergebnisstatus: ERGEBNISSTATUS.neutral, personCount: 0 };
    case 'rejected':
      return { rueckweisung: o.reasons.map((r) => r.code) };
    case 'technical':
      return { rueckweisung: [RUECKWEISUNG.technischerFehler], technicalFailure: o.failure };
  }
}
