import { RtsReason, type RtsCode } from '../errors.js';
import { escapeText } from '../xml/escape.js';
import type { GatewayIdentity } from './gateway-identity.js';
import { LIST_RTS } from './namespaces.js';
import type { MessageIdentification, Party } from './query-message.js';
import type { Release } from './releases.js';
import { identificationXml, messageStart, newIdentification } from './write-header.js';

/**
 * Stand-in where a refused message could not even be read (e.g. not well-formed): the nil UUID
 * and the epoch say "unidentified". The standard requires an ursprungsnachricht whose
 * nachrichtentyp is a listed code, so it names 1330, what the endpoint takes first.
 */
const UNKNOWN_ID: MessageIdentification = {
  nachrichtenUUID: '00000000-0000-0000-0000-000000000000',
  nachrichtentyp: '1330',
  erstellungszeitpunkt: '1970-01-01T00:00:00.000Z',
};
const UNKNOWN_SENDER: Party = { kennung: 'unbekannt:0', name: 'unbekannt' };

export interface RtsContext {
  code: RtsCode;
  /** Fixed, content-free text (never request content). */
  hinweis?: string;
  /** What could be read of the refused message, if anything. */
  refused?: { identification?: MessageIdentification; autor?: Party };
  gateway: GatewayIdentity;
  now: Date;
  /** The refused message's release where it could be read, else the default release. */
  release: Release;
}

/** Writes the 0910 return-to-sender that goes into a SOAP fault's detail. */
export function writeReturnToSender(ctx: RtsContext): string {
  const id = newIdentification('0910', ctx.now);
  const { open, close } = messageStart('0910', id, ctx.refused?.autor ?? UNKNOWN_SENDER, ctx.gateway, ctx.release);
  return open
    + '<xmeld:rts.container><xmeld:begruendung>'
    + `<xmeld:grund listURI="${LIST_RTS}" listVersionID="5"><code>${ctx.code}</code></xmeld:grund>`
    + (ctx.hinweis !== undefined && ctx.hinweis !== RtsReason[ctx.code]
      ? `<xmeld:ergaenzende.hinweise>${escapeText(ctx.hinweis)}</xmeld:ergaenzende.hinweise>`
      : '')
    + '</xmeld:begruendung></xmeld:rts.container>'
    + '<xmeld:ursprungsnachricht>' + identificationXml(ctx.refused?.identification ?? UNKNOWN_ID, ctx.release) + '</xmeld:ursprungsnachricht>'
    + close;
}
