import type { OutcomeSummary } from '../answer/outcome.js';
import type { Hop, MessageType, NewProtocolRecord } from '../protocol/protocol-record.js';
import type { QueryMessage } from '../xmeld/query-message.js';

/**
 * Builds the protocol records of one Vorgang. The query's data (who, why, what was asked) is
 * repeated on every hop so each record stands on its own for the DPO; no answer content exists
 * in the inputs, so none can reach a record.
 */
export class ProtocolTrail {
  readonly records: NewProtocolRecord[] = [];

  constructor(readonly vorgangsnummer: string, private readonly clock: () => Date) {}

  private query: QueryMessage | undefined;

  setQuery(q: QueryMessage): void {
    this.query = q;
  }

  add(hop: Hop, extra: {
    messageType?: MessageType | null;
    target?: string;
    /** Where the message goes (routed, dispatched) and where that URL came from. */
    endpoint?: { url: string; source: 'dvdv' | 'config' };
    outcome?: OutcomeSummary & { rts?: string };
    /** What is known of a refused message's sender (there is no query model then). */
    sender?: { nachrichtenUUID?: string; autorKennung?: string };
    /** The hop's XMeld release (default: the query's) and, where translated, the release it came from. */
    release?: { xmeldRelease: string; translatedFrom?: string };
    /** The nachrichtenUUID of the message this hop sent (a `dispatched` attempt), where not the caller's. */
    messageUuid?: string;
  } = {}): NewProtocolRecord {
    const q = this.query;
    const record: NewProtocolRecord = {
      vorgangsnummer: this.vorgangsnummer,
      hop,
      at: this.clock(),
      messageType: extra.messageType !== undefined ? extra.messageType : (q?.number ?? null),
      ...withoutUndefined(extra.sender ?? {}),
      ...(q === undefined ? {} : {
        nachrichtenUUID: q.identification.nachrichtenUUID,
        autorKennung: q.autor.kennung,
        abrufberechtigteStelle: q.datenAbrufendeStelle.behoerdenname,
        aktenzeichen: q.datenAbrufendeStelle.aktenzeichen,
        anlassDesAbrufs: q.datenAbrufendeStelle.anlassDesAbrufs,
        kennung: q.datenAbrufendeStelle.kennung,
        sicherheitsbehoerde: q.datenAbrufendeStelle.sicherheitsbehoerde,
        suchprofil: q.suchprofil,
        anforderungselemente: q.anforderungselemente,
      }),
      ...(extra.release ?? (q === undefined ? {} : { xmeldRelease: q.release })),
      ...(extra.target === undefined ? {} : { target: extra.target }),
      ...(extra.endpoint === undefined ? {} : { endpoint: extra.endpoint.url, endpointSource: extra.endpoint.source }),
      ...(extra.outcome === undefined ? {} : { outcome: extra.outcome }),
      ...(extra.messageUuid === undefined ? {} : { nachrichtenUUID: extra.messageUuid }),
    };
    this.records.push(record);
    return record;
  }

  /** Takes the records collected so far (for writing them in one transaction). */
  drain(): NewProtocolRecord[] {
    return this.records.splice(0);
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
