import type { MessagePort } from 'node:worker_threads';
import { RejectedMessageError, type RtsCode } from '../errors.js';
import { QueryRefused, type AcceptedQuery, type RefusedInfo } from './accept-query.js';
import type { SoapVersion } from '../soap/soap-version.js';
import type { AnswerContext } from './message-work.js';

/** What crosses to a pool worker: bytes, strings and plain objects only. */
export type WorkTask =
  | { op: 'ping' }
  | { op: 'accept'; raw: Uint8Array; clientCertificate?: string; replay: MessagePort }
  | { op: 'sign'; xml: string }
  | { op: 'normalize'; status: number; contentType?: string; body: Uint8Array; ctx: AnswerContext; replay: MessagePort };

/** A refusal as plain data: the typed error is rebuilt on the main thread. */
export interface RefusalWire {
  code: RtsCode;
  detail: string;
  side: 'sender' | 'receiver';
  version?: SoapVersion;
  info: RefusedInfo;
}

export type AcceptResult = { accepted: AcceptedQuery } | { refused: RefusalWire };

export function refusalToWire(e: QueryRefused): RefusalWire {
  const r = e.rejection;
  return { code: r.code, detail: r.detail, side: r.side, ...(e.version ? { version: e.version } : {}), info: e.info };
}

export function refusalFromWire(w: RefusalWire): QueryRefused {
  return new QueryRefused(new RejectedMessageError(w.code, w.detail, w.side), w.version, w.info);
}
