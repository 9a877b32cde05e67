import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { summarizeOutcome, type Outcome } from '../answer/outcome.js';
import type { EndpointConfig } from '../config/gateway-config.js';
import type { ResolvedEndpoint } from '../dvdv/directory-endpoints.js';
import { BusinessRejection, RejectedMessageError, TechnicalFailureError, type TechnicalFailure } from '../errors.js';
import type { NewProtocolRecord } from '../protocol/protocol-record.js';
import type { DispatchQueue } from '../queue/dispatch-queue.js';
import { RetryPolicy } from '../queue/retry-policy.js';
import { routeFreieSuche, type FreieSucheRule } from '../routing/route-freie-suche.js';
import type { LandCode } from '../routing/laender.js';
import { isCrossState, legKey, routePersonensuche, targetKey, type Leg, type Target } from '../routing/route-query.js';
import { precheckQuery, type AuthorityEntitlement } from '../rules/precheck-query.js';
import { mergeFanOut } from '../answer/merge-outcomes.js';
import { deriveFanOutQuery } from '../xmeld/derive-fanout-query.js';
import { restampQuery } from '../xmeld/restamp-query.js';
import type { QueryMessage } from '../xmeld/query-message.js';
import { CONTENT_TYPE, soapVersionOfContentType, type SoapVersion } from '../soap/soap-version.js';
import { SOAP_ACTION } from '../soap/soap-action.js';
import { writeEnvelope } from '../soap/write-envelope.js';
import { writeFault } from '../soap/write-fault.js';
import type { VorgangsnummerGenerator } from '../vorgang/vorgangsnummer.js';
import type { GatewayIdentity } from '../xmeld/gateway-identity.js';
import { writeAnswer } from '../answer/write-answer.js';
import { writeReturnToSender } from '../xmeld/write-rts.js';
import type { MessageValidator } from '../xml/message-validator.js';
import type { MessageWork } from '../message-work/message-work.js';
import { defaultRelease, forwardRelease, type ReleasePolicy } from '../routing/release-policy.js';
import type { Release } from '../xmeld/releases.js';
import { translateQuery } from '../xmeld/translate/translate-query.js';
import { QueryRefused, type AcceptedQuery, type RefusedInfo } from '../message-work/accept-query.js';
import { ProtocolTrail } from './protocol-trail.js';

export interface PipelineDeps {
  identity: GatewayIdentity;
  /** Parsing, verification, validation and signing of messages (inline or in a worker pool). */
  work: MessageWork;
  /** XSD check of derived fan-out queries. */
  validator: MessageValidator;
  queue: DispatchQueue;
  /** Settles when the records are committed; at `deadline` (epoch ms) it gives up with an error. */
  protocol: { append(records: NewProtocolRecord[], deadline?: number): Promise<void> };
  vorgang: VorgangsnummerGenerator;
  /**
   * Endpoint of a route target for a service (for the municipality `ags` where the leg names one)
   * and where it came from (DVDV or config), undefined when there is none; may wait for the directory until
   * `deadline`, throws TechnicalFailureError('directory').
   */
  endpointOf: (target: Target, deadline: number, leg: { ags?: string; service: 'personensuche' | 'freieSuche' }) => Promise<ResolvedEndpoint | undefined>;
  /** Whether a caller's certificate (DVDV fingerprint) is in the required DVDV category; throws TechnicalFailureError. */
  admitByCategory?: (fingerprint: string, deadline: number) => Promise<boolean>;
  /** How a Land takes free searches from other states. */
  freieSucheRuleOf: (land: LandCode) => FreieSucheRule | undefined;
  /** What the gateway knows of the requesting authority's registration. */
  entitlementOf: (query: QueryMessage) => AuthorityEntitlement | undefined;
  /** The releases' change-over windows, read per query (a reload changes them at once). */
  releasePolicy: () => ReleasePolicy;
  deadlineMs: number;
  /** When a register's transient failure is tried again (as a new message); default DEFAULT_RETRY. */
  retry?: RetryPolicy;
  log: Logger;
  /** A caller's or a register's signature needed a legacy allowance of its party (counted and logged). */
  onLegacyCrypto?: (partyId: string, uses: readonly string[]) => void;
  /** Time spent per stage, for metrics. */
  observeStage?: (stage: Stage, seconds: number) => void;
  clock?: () => Date;
}

export interface SoapResponse {
  status: number;
  contentType: string;
  body: string;
  /** For metrics: what happened, in labels free of personal data. */
  report: { messageType: string; outcome: string; target: string } | { rts: string };
  /**
   * Told once whether the body reached the caller's connection: records `delivered` (or
   * `delivery-failed`). Everything before it is durable before the answer leaves.
   */
  delivered?: (written: boolean) => void;
}

export type Stage = 'intake' | 'register' | 'normalize' | 'answer' | 'protocol';

/** Time kept back from the caller's deadline to write, sign and send the answer. */
// Room for a withdrawal on a silent Redis (two bounded look-ups), normalizing, signing and the
// final protocol write: the last hops must not be starved by a dispatch that ran to its deadline.
const ANSWER_MARGIN_MS = 750;
/** How long the record of a delivery may take; the answer is already out. */
const DELIVERY_RECORD_MS = 10_000;

/**
 * The whole path of one query, from the caller's bytes to the signed answer:
 * accept → Vorgangsnummer → route → dispatch (queue) → normalize → answer, with a protocol
 * record for every hop. Every failure ends in an answer — a 1331/1333 or a SOAP fault.
 */
export class QueryPipeline {
  private readonly clock: () => Date;
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.retry = deps.retry ?? new RetryPolicy();
  }

  async handle(raw: Buffer, contentType: string | undefined, clientCertificate?: string): Promise<SoapResponse> {
    try {
      return await this.handleRecorded(raw, contentType, clientCertificate);
    } catch (e) {
      if (!(e instanceof ProtocolUnavailableError)) throw e;
      // No answer leaves without its trail: the caller learns that the gateway cannot protocol.
      this.deps.log.error({ err: e.causeName }, 'protocol write failed');
      return this.fault(new RejectedMessageError('S999', 'Protokollierung nicht möglich', 'receiver'), soapVersionOfContentType(contentType));
    }
  }

  private async handleRecorded(raw: Buffer, contentType: string | undefined, clientCertificate?: string): Promise<SoapResponse> {
    const started = Date.now();
    const deadline = started + this.deps.deadlineMs;
    let accepted: AcceptedQuery;
    try {
      accepted = await this.timed('intake', () => this.deps.work.accept(raw, clientCertificate));
    } catch (e) {
      if (e instanceof QueryRefused) return this.refuse(e, soapVersionOfContentType(contentType), deadline);
      throw e;
    }
    if (accepted.legacy !== undefined) this.deps.onLegacyCrypto?.(accepted.legacy.partyId, accepted.legacy.uses);
    const notInCategory = await this.categoryRefusal(accepted, deadline);
    if (notInCategory) return this.refuse(notInCategory, accepted.version, deadline);
    const { query } = accepted;
    const trail = new ProtocolTrail(this.deps.vorgang.next(query.autor.kennung), this.clock);
    trail.setQuery(query);
    trail.add('received');
    const log = this.deps.log.child({ vorgangsnummer: trail.vorgangsnummer, messageType: query.number });

    const { outcome, target } = await this.forward(accepted, trail, started, log);
    const summary = summarizeOutcome(outcome);
    const answerNumber = answerNumberOf(query);
    const envelope = await this.timed('answer', () => {
      const answer = writeAnswer(outcome, {
        number: answerNumber,
        query: { identification: query.identification, autor: query.autor },
        gateway: this.deps.identity,
        now: this.clock(),
        release: query.release,
      });
      return this.deps.work.sign(writeEnvelope({
        version: accepted.version, body: answer.xml, vorgangsnummer: trail.vorgangsnummer,
      }));
    });
    // No answer leaves without its trail: every hop so far is durable before the bytes go.
    await this.timed('protocol', () => this.record(trail.drain(), deadline));
    log.info({ outcome: summary, durationMs: Date.now() - started }, 'answered');
    let told = false;
    return {
      status: 200,
      contentType: CONTENT_TYPE[accepted.version],
      body: envelope,
      report: { messageType: query.number, outcome: outcomeLabel(outcome), target: target ?? 'none' },
      delivered: (written) => {
        if (told) return;
        told = true;
        trail.add(written ? 'delivered' : 'delivery-failed', { messageType: answerNumber, outcome: summary });
        // The caller has (or lost) the answer: nobody waits for this write; a store that fails
        // it leaves the trail open, and the start-up sweep closes it `aborted`.
        this.deps.protocol.append(trail.drain(), Date.now() + DELIVERY_RECORD_MS)
          .catch((e: unknown) => log.error({ err: errorClass(e), hop: written ? 'delivered' : 'delivery-failed' }, 'protocol write failed'));
      },
    };
  }

  /** A caller admitted by DVDV category whose certificate is not in it: T070 (S999 if the DVDV cannot say). */
  private async categoryRefusal(accepted: AcceptedQuery, deadline: number): Promise<QueryRefused | undefined> {
    const fingerprint = accepted.categoryFingerprint;
    if (fingerprint === undefined) return undefined;
    const { query } = accepted;
    const info: RefusedInfo = { identification: query.identification, autor: query.autor, messageType: query.number };
    let admitted: boolean;
    try {
      admitted = this.deps.admitByCategory !== undefined && await this.deps.admitByCategory(fingerprint, deadline);
    } catch (e) {
      if (!(e instanceof TechnicalFailureError)) throw e;
      return new QueryRefused(new RejectedMessageError('S999', 'Verzeichnisdienst (DVDV) nicht erreichbar', 'receiver'), accepted.version, info);
    }
    return admitted ? undefined : new QueryRefused(new RejectedMessageError('T070', 'Absender nicht in der erforderlichen DVDV-Kategorie'), accepted.version, info);
  }

  private async forward(
    accepted: AcceptedQuery, trail: ProtocolTrail, started: number, log: Logger,
  ): Promise<{ outcome: Outcome; target?: string }> {
    const { query } = accepted;
    const route = query.number === '1330'
      ? routePersonensuche(query, this.deps.identity.land)
      : routeFreieSuche(query, this.deps.identity.land, (land) => this.deps.freieSucheRuleOf(land));
    if (route.kind !== 'forward') {
      const outcome: Outcome = route.kind === 'reject'
        ? { kind: 'rejected', reasons: [{ code: route.code }] }
        : { kind: 'technical', failure: 'noRoute' };
      trail.add(route.kind === 'reject' ? 'rejected' : 'failed', { outcome: summarizeOutcome(outcome) });
      return { outcome };
    }
    const codes = precheckQuery(query, {
      crossState: route.legs.some(isCrossState),
      authority: this.deps.entitlementOf(query),
    });
    if (codes.length > 0) {
      const outcome: Outcome = { kind: 'rejected', reasons: codes.map((code) => ({ code })) };
      trail.add('rejected', { outcome: summarizeOutcome(outcome) });
      return { outcome };
    }
    const first = route.legs[0];
    const target = route.legs.length === 1 ? legKey(route.legs[0] as Leg) : first === undefined ? undefined : `fanout:${targetKey(first.target)}`;
    let legs: { leg: Leg; key: string; routed: ResolvedEndpoint | undefined }[];
    try {
      const routeBy = started + this.deps.deadlineMs - ANSWER_MARGIN_MS;
      // The municipality a leg is for: the fan-out's, or the person search's one AGS.
      const agsOf = (leg: Leg): string | undefined => leg.gemeinde ?? (query.number === '1330' ? query.ags[0] : undefined);
      const service = query.number === '1330' ? 'personensuche' : 'freieSuche';
      legs = await Promise.all(route.legs.map(async (leg) => {
        const ags = agsOf(leg);
        return { leg, key: legKey(leg), routed: await this.deps.endpointOf(leg.target, routeBy, { service, ...(ags !== undefined ? { ags } : {}) }) };
      }));
    } catch (e) {
      if (!(e instanceof TechnicalFailureError)) throw e;
      const outcome: Outcome = { kind: 'technical', failure: e.failure };
      trail.add('failed', { outcome: summarizeOutcome(outcome) });
      return { outcome, ...(target ? { target } : {}) };
    }
    if (legs.length === 0 || legs.some((l) => l.routed === undefined)) {
      const outcome: Outcome = { kind: 'technical', failure: 'noRoute' };
      trail.add('failed', { outcome: summarizeOutcome(outcome) });
      return { outcome, ...(target ? { target } : {}) };
    }
    const now = this.clock();
    const releases = legs.map((l) => forwardRelease(this.deps.releasePolicy(), query.release, l.routed?.endpoint.xmeldReleases, now));
    if (releases.some((r) => r === undefined)) {
      const outcome: Outcome = { kind: 'technical', failure: 'noRelease' };
      trail.add('failed', { outcome: summarizeOutcome(outcome) });
      return { outcome, ...(target ? { target } : {}) };
    }
    const hopRelease = (sent: Release): { xmeldRelease: string; translatedFrom?: string } =>
      (sent === query.release ? { xmeldRelease: sent } : { xmeldRelease: sent, translatedFrom: query.release });
    legs.forEach((l, i) => trail.add('routed', {
      target: l.key, endpoint: endpointFact(l.routed as ResolvedEndpoint), release: hopRelease(releases[i] as Release),
    }));
    // Each leg's message in the release its register takes. What cannot be sent is decided
    // here, so that a `dispatched` on record is a message that leaves.
    const messages = legs.map((l, i) => this.messageFor(accepted, l.leg, releases[i] as Release));
    messages.forEach((m, i) => {
      const l = legs[i] as (typeof legs)[number];
      const release = hopRelease(releases[i] as Release);
      if (m.kind === 'message') trail.add('dispatched', { target: l.key, endpoint: endpointFact(l.routed as ResolvedEndpoint), release, messageUuid: m.uuid });
      else trail.add(m.kind === 'rejected' ? 'rejected' : 'failed', { target: l.key, release, outcome: summarizeOutcome(m.outcome) });
    });
    const deadline = started + this.deps.deadlineMs - ANSWER_MARGIN_MS;
    // The evidence that a message leaves is committed before it leaves; the messages are signed
    // (on the worker pool) meanwhile, which is not leaving.
    const committed = this.timed('protocol', () => this.record(trail.drain(), deadline));
    const signed = messages.map((m, i) => {
      if (m.kind !== 'message') return undefined;
      const p = this.signFor(m.xml, (legs[i]?.routed as ResolvedEndpoint).endpoint, trail.vorgangsnummer);
      p.catch(() => undefined); // awaited in sendLeg, or dropped if the protocol write fails
      return p;
    });
    await committed;

    const outcomes = await Promise.all(legs.map((l, i) => {
      const m = messages[i] as LegMessage;
      if (m.kind !== 'message') return m.outcome;
      return this.sendLeg({ ...m, envelope: signed[i] as Promise<string> }, l.leg, l.key, l.routed as ResolvedEndpoint, {
        answerNumber: answerNumberOf(query), sent: releases[i] as Release, caller: query.release, hop: hopRelease(releases[i] as Release),
      }, deadline, trail, log);
    }));
    return { outcome: mergeFanOut(outcomes), ...(target ? { target } : {}) };
  }

  /**
   * The message for one register: the query itself, or a municipality's share of it, in the
   * release the register takes (translated; rejected where it cannot be asked so).
   */
  private messageFor(accepted: AcceptedQuery, leg: Leg, release: Release): LegMessage {
    const { query } = accepted;
    try {
      const own = leg.gemeinde === undefined
        ? { xml: accepted.messageXml, uuid: query.identification.nachrichtenUUID }
        : deriveFanOutQuery(accepted.messageXml, leg.gemeinde, this.deps.validator);
      const xml = release === query.release
        ? own.xml
        : translateQuery(own.xml, { message: query.number, from: query.release, to: release }, this.deps.validator);
      return { kind: 'message', xml, uuid: own.uuid };
    } catch (e) {
      if (e instanceof BusinessRejection) {
        // The register's release cannot ask what the caller asked: the leg is not sent.
        const reasons = e.codes.map((code) => (e.freitext === undefined ? { code } : { code, freitext: e.freitext }));
        return { kind: 'rejected', outcome: { kind: 'rejected', reasons } };
      }
      if (!(e instanceof TechnicalFailureError)) this.deps.log.error({ err: errorClass(e) }, 'message for the register not built');
      return { kind: 'failed', outcome: { kind: 'technical', failure: e instanceof TechnicalFailureError ? e.failure : 'internal' } };
    }
  }

  private signFor(xml: string, endpoint: EndpointConfig, vorgangsnummer: string): Promise<string> {
    return this.deps.work.sign(writeEnvelope({ version: endpoint.soapVersion, body: xml, vorgangsnummer }));
  }

  /**
   * One message to one register, and its normalized answer. A transient failure is retried,
   * while the deadline allows, as a new message: its own nachrichtenUUID and timestamp, signed
   * afresh, its `dispatched` committed before it leaves — so no register sees a replay and the
   * protocol links every attempt to the Vorgang.
   */
  private async sendLeg(
    message: { xml: string; uuid: string; envelope: Promise<string> }, leg: Leg, key: string, routed: ResolvedEndpoint,
    r: { answerNumber: '1331' | '1333'; sent: Release; caller: Release; hop: { xmeldRelease: string; translatedFrom?: string } },
    deadline: number, trail: ProtocolTrail, log: Logger,
  ): Promise<Outcome> {
    const { answerNumber } = r;
    const { endpoint } = routed;
    let attempt = { uuid: message.uuid, envelope: message.envelope };
    let outcome: Outcome | undefined;
    for (let n = 1; outcome === undefined; n++) {
      let failure: TechnicalFailure;
      try {
        const envelope = await attempt.envelope;
        const reply = await this.timed('register', () => this.deps.queue.dispatch({
          vorgangsnummer: trail.vorgangsnummer,
          target: targetKey(leg.target),
          url: endpoint.url,
          soapVersion: endpoint.soapVersion,
          action: SOAP_ACTION[answerNumber === '1331' ? '1330' : '1332'],
          envelope,
          deadline,
        }));
        // The answer must name this attempt's message: one to an earlier attempt is refused.
        const normalized = await this.timed('normalize', () => this.deps.work.normalize(reply, {
          answerNumber, queryUuid: attempt.uuid, target: targetKey(leg.target), sentRelease: r.sent, callerRelease: r.caller,
          // Found in the DVDV: only the certificates it publishes for this register sign its answers.
          ...(routed.source === 'dvdv' ? { directoryCertificates: routed.signatureCertificates ?? [] } : {}),
        }));
        if (normalized.legacy !== undefined) this.deps.onLegacyCrypto?.(normalized.legacy.partyId, normalized.legacy.uses);
        outcome = normalized.outcome;
        break;
      } catch (e) {
        if (!(e instanceof TechnicalFailureError)) log.error({ err: errorClass(e) }, 'dispatch failed');
        failure = e instanceof TechnicalFailureError ? e.failure : 'internal';
      }
      if (!this.retry.shouldRetry(failure, n, deadline, Date.now())) {
        outcome = { kind: 'technical', failure };
        break;
      }
      await sleep(this.retry.delayAfter(n));
      try {
        attempt = this.newAttempt(message.xml, key, routed, r.hop, trail);
      } catch (e) {
        outcome = { kind: 'technical', failure: e instanceof TechnicalFailureError ? e.failure : 'internal' };
        break;
      }
      await this.timed('protocol', () => this.record(trail.drain(), deadline));
    }
    trail.add(outcome.kind === 'technical' ? 'failed' : 'answered', {
      messageType: answerNumber, target: key, release: r.hop, outcome: summarizeOutcome(outcome),
    });
    return outcome;
  }

  /** The next attempt's message: the same query with its own nachrichtenUUID and timestamp, on record. */
  private newAttempt(
    xml: string, key: string, routed: ResolvedEndpoint, release: { xmeldRelease: string; translatedFrom?: string }, trail: ProtocolTrail,
  ): { uuid: string; envelope: Promise<string> } {
    const uuid = randomUUID();
    const restamped = restampQuery(xml, { uuid, createdAt: this.clock() });
    trail.add('dispatched', { target: key, endpoint: endpointFact(routed), release, messageUuid: uuid });
    const envelope = this.signFor(restamped, routed.endpoint, trail.vorgangsnummer);
    envelope.catch(() => undefined); // awaited by the attempt, or dropped if the protocol write fails
    return { uuid, envelope };
  }

  private async timed<T>(stage: Stage, run: () => Promise<T>): Promise<T> {
    const observe = this.deps.observeStage;
    if (observe === undefined) return run();
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      observe(stage, (performance.now() - t0) / 1000);
    }
  }

  /**
   * Refuses a request whose bytes the gateway does not read (wrong content type, too large,
   * shutting down): a SOAP fault with its 0910, and a `rejected` record of the refusal.
   */
  async refuseUnread(r: RejectedMessageError, contentType: string | undefined, recordWithinMs = this.deps.deadlineMs): Promise<SoapResponse> {
    try {
      return await this.refuse(new QueryRefused(r, undefined, {}), soapVersionOfContentType(contentType), Date.now() + recordWithinMs);
    } catch (e) {
      if (!(e instanceof ProtocolUnavailableError)) throw e;
      return this.fault(new RejectedMessageError('S999', 'Protokollierung nicht möglich', 'receiver'), soapVersionOfContentType(contentType));
    }
  }

  /** A protocol write bounded by `deadline`; any failure of the store is ProtocolUnavailableError. */
  private async record(records: NewProtocolRecord[], deadline: number): Promise<void> {
    try {
      await this.deps.protocol.append(records, deadline);
    } catch (e) {
      throw new ProtocolUnavailableError(e);
    }
  }

  /** A SOAP fault with a 0910 that no protocol record can accompany (the store is gone). */
  private async fault(r: RejectedMessageError, version: SoapVersion): Promise<SoapResponse> {
    const now = this.clock();
    const rts = writeReturnToSender({ code: r.code, hinweis: r.detail, gateway: this.deps.identity, now, release: defaultRelease(this.deps.releasePolicy(), now) });
    const fault = writeFault({ version, code: r.code, side: r.side, reason: r.detail, rtsXml: rts });
    const envelope = await this.deps.work.sign(writeEnvelope({ version, body: fault.xml }));
    return { status: fault.httpStatus, contentType: CONTENT_TYPE[version], body: envelope, report: { rts: r.code } };
  }

  private async refuse(e: QueryRefused, fallback: SoapVersion, deadline: number): Promise<SoapResponse> {
    const version = e.version ?? fallback;
    const r: RejectedMessageError = e.rejection;
    const trail = new ProtocolTrail(this.deps.vorgang.next(e.info.autor?.kennung ?? 'unbekannt'), this.clock);
    trail.add('rejected', {
      messageType: e.info.messageType ?? null,
      outcome: { rts: r.code },
      sender: { nachrichtenUUID: e.info.identification?.nachrichtenUUID, autorKennung: e.info.autor?.kennung },
    });
    const rts = writeReturnToSender({
      code: r.code,
      hinweis: r.detail,
      refused: { identification: e.info.identification, autor: e.info.autor },
      gateway: this.deps.identity,
      now: this.clock(),
      release: e.info.release ?? defaultRelease(this.deps.releasePolicy(), this.clock()),
    });
    const fault = writeFault({ version, code: r.code, side: r.side, reason: r.detail, rtsXml: rts });
    const envelope = await this.deps.work.sign(writeEnvelope({ version, body: fault.xml }));
    await this.record(trail.drain(), deadline);
    this.deps.log.info({ vorgangsnummer: trail.vorgangsnummer, rts: r.code }, 'refused');
    return { status: e.unavailable ? 503 : fault.httpStatus, contentType: CONTENT_TYPE[version], body: envelope, report: { rts: r.code } };
  }
}

/** The protocol store did not take a hop's records: nothing may be delivered on that basis. */
class ProtocolUnavailableError extends Error {
  override readonly name = 'ProtocolUnavailableError';
  readonly causeName: string;
  constructor(cause: unknown) {
    super('protocol store unavailable');
    this.causeName = errorClass(cause);
  }
}

/** What a leg sends: a message (whose nachrichtenUUID its answer must name), or why it sends none. */
type LegMessage =
  | { kind: 'message'; xml: string; uuid: string }
  | { kind: 'rejected' | 'failed'; outcome: Outcome };

function endpointFact(r: ResolvedEndpoint): { url: string; source: 'dvdv' | 'config' } {
  return { url: r.endpoint.url, source: r.source };
}

function answerNumberOf(query: QueryMessage): '1331' | '1333' {
  return query.number === '1330' ? '1331' : '1333';
}

function outcomeLabel(o: Outcome): string {
  switch (o.kind) {
    case 'rejected': return `rueckweisung_${o.reasons.map((r) => r.code).join('_')}`;
    case 'technical': return `technical_${o.failure}`;
    default: return o.kind;
  }
}

/** The class of an unexpected error, for logs that must not carry its message. */
function errorClass(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}
