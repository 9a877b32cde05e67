import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { readEnvelope } from '../soap/read-envelope.js';
import type { SoapVersion } from '../soap/soap-version.js';
import { messageKind } from '../xmeld/message-kind.js';
import type { MessageIdentification, Party, QueryMessage } from '../xmeld/query-message.js';
import { readQuery } from '../xmeld/read-query.js';
import { releaseOfNamespace, type Release } from '../xmeld/releases.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { parseHardened, type ParseLimits } from '../xml/parse-hardened.js';
import { selfContainedXml } from '../xml/self-contained.js';
import { textAt } from '../xmeld/xpath-read.js';
import type { HopSecurity, VerifiedMessage } from '../security/hop-security.js';

export interface AcceptedQuery {
  version: SoapVersion;
  query: QueryMessage;
  /** The signed XMeld message as self-contained XML, forwarded unchanged in content. */
  messageXml: string;
  /** The signer's DVDV fingerprint when its party admits by category: not admitted until checked. */
  categoryFingerprint?: string;
  /** The signing party and the legacy allowances its signature used (counted, logged). */
  legacy?: { partyId: string; uses: readonly string[] };
}

/** What could be read of a refused message, for the 0910 and the protocol. */
export interface RefusedInfo {
  identification?: MessageIdentification;
  autor?: Party;
  messageType?: '1330' | '1332';
  /** The release the message claims by its namespace, when it is one the gateway speaks. */
  release?: Release;
}

export class QueryRefused extends Error {
  override readonly name = 'QueryRefused';
  /** The gateway cannot take the message now (HTTP 503): the caller may send it again later. */
  readonly unavailable: boolean = false;
  constructor(readonly rejection: RejectedMessageError, readonly version: SoapVersion | undefined, readonly info: RefusedInfo) {
    super(rejection.message);
  }
}

export interface AcceptDeps {
  limits: ParseLimits;
  validator: MessageValidator;
  security: HopSecurity;
  /** Entitlement of the verified sender for this query (throws RejectedMessageError T070). */
  authorize?: (partyId: string | undefined, query: QueryMessage, clientCertificate: string | undefined) => void;
}

/**
 * Steps 1–2 of the path: hardened parse, SOAP structure, signature (processing only what was
 * signed), message kind and version, XSD, then the query model. Throws QueryRefused carrying
 * the RTS code and whatever is known about the sender.
 */
export async function acceptQuery(raw: Buffer, deps: AcceptDeps, clientCertificate?: string): Promise<AcceptedQuery> {
  let doc: XmlDocument | undefined;
  let verified: VerifiedMessage | undefined;
  let version: SoapVersion | undefined;
  let claimed: XmlElement | undefined;
  let messageType: RefusedInfo['messageType'];
  try {
    doc = parseHardened(raw, deps.limits);
    const envelope = readEnvelope(doc);
    version = envelope.version;
    claimed = envelope.message;
    verified = await deps.security.verify(raw, envelope, { hop: 'caller' });
    const message = verified.message;
    const number = messageKind(message, ['1330', '1332']) as '1330' | '1332';
    messageType = number;
    const verdict = deps.validator.verdict(message);
    if (verdict !== 'valid') throw new RejectedMessageError(verdict);
    const query = readQuery(message, number);
    deps.authorize?.(verified.partyId, query, clientCertificate);
    return {
      version, query, messageXml: selfContainedXml(message),
      ...(verified.categoryFingerprint !== undefined ? { categoryFingerprint: verified.categoryFingerprint } : {}),
      ...(verified.legacy !== undefined && verified.partyId !== undefined ? { legacy: { partyId: verified.partyId, uses: verified.legacy } } : {}),
    };
  } catch (e) {
    if (!(e instanceof RejectedMessageError)) throw e;
    // Only a refusal needs to know whom to address its 0910 to (read before the tree is freed).
    const info: RefusedInfo = claimed === undefined ? {} : learnSender(claimed);
    if (messageType !== undefined) info.messageType = messageType;
    throw new QueryRefused(e, version, info);
  } finally {
    verified?.release();
    doc?.dispose();
  }
}

/**
 * Best effort, from the message as claimed (maybe unsigned, not schema-valid): whom to address
 * the 0910 to. Nothing of it is verified, so only values that are well-formed and short are
 * kept — they go into the fault and the protocol; anything else is left out.
 */
function learnSender(message: XmlElement): RefusedInfo {
  const info: RefusedInfo = {};
  const release = releaseOfNamespace(message.namespaceUri);
  if (release !== undefined) info.release = release;
  const uuid = textAt(message, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtenUUID');
  const typ = textAt(message, 'nachrichtenkopf.g2g/identifikation.nachricht/nachrichtentyp/code');
  const zeit = textAt(message, 'nachrichtenkopf.g2g/identifikation.nachricht/erstellungszeitpunkt');
  if (uuid !== undefined && UUID.test(uuid) && typ !== undefined && MESSAGE_TYPE.test(typ) && zeit !== undefined && isShortDateTime(zeit)) {
    info.identification = { nachrichtenUUID: uuid, nachrichtentyp: typ, erstellungszeitpunkt: zeit };
  }
  const kennung = textAt(message, 'nachrichtenkopf.g2g/autor/kennung');
  if (kennung !== undefined && KENNUNG.test(kennung)) info.autor = { kennung };
  return info;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The message types the gateway takes: an ursprungsnachricht may name only a listed code. */
const MESSAGE_TYPE = /^13(30|32)$/;
/** A DVDV kennung as the registers use them (`dbs:…`, `ags:…`, `psw:…`): prefix, colon, a short id. */
const KENNUNG = /^[a-z]{2,8}:[0-9A-Za-z.\-_]{1,64}$/;
/** An xs:dateTime of at most a few dozen characters (fractional seconds and zone optional). */
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

function isShortDateTime(s: string): boolean {
  return s.length <= 40 && DATE_TIME.test(s);
}
