import type { Logger } from 'pino';
import { normalizeAnswer } from '../answer/normalize-answer.js';
import { summarizeOutcome, type Outcome } from '../answer/outcome.js';
import type { EndpointConfig } from '../config/gateway-config.js';
import { RejectedMessageError, TechnicalFailureError } from '../errors.js';
import type { ProtocolStore } from '../protocol/protocol-store.js';
import type { DispatchQueue } from '../queue/dispatch-queue.js';
import { routePersonensuche, targetKey, type Target } from '../routing/route-query.js';
import { CONTENT_TYPE, soapVersionOfContentType, type SoapVersion } from '../soap/soap-version.js';
import { writeEnvelope } from '../soap/write-envelope.js';
import { writeFault } from '../soap/write-fault.js';
import type { VorgangsnummerGenerator } from '../vorgang/vorgangsnummer.js';
import type { GatewayIdentity } from '../xmeld/gateway-identity.js';
import { writeAnswer } from '../xmeld/write-answer.js';
import { writeReturnToSender } from '../xmeld/write-rts.js';
import type { MessageValidator } from '../xml/message-validator.js';
import type { ParseLimits } from '../xml/parse-hardened.js';
import { acceptQuery, QueryRefused, type AcceptedQuery } from './accept-query.js';
import type { HopSecurity } from './hop-security.js';
import { ProtocolTrail } from './protocol-trail.js';

export interface PipelineDeps {
  identity: GatewayIdentity;
  limits: ParseLimits;
  validator: MessageValidator;
  security: HopSecurity;
  queue: DispatchQueue;
  protocol: Pick<ProtocolStore, 'append'>;
  vorgang: VorgangsnummerGenerator;
  /** Endpoint of a route target, undefined when none is configured. */
  endpointOf: (target: Target) => EndpointConfig | undefined;
  deadlineMs: number;
  log: Logger;
  clock?: () => Date;
}

export interface SoapResponse {
  status: number;
  contentType: string;
  body: string;
  /** For metrics: what happened, in labels free of personal data. */
  report: { messageType: string; outcome: string; target: string } | { rts: string };
}

/** Time kept back from the caller's deadline to write, sign and send the answer. */
const ANSWER_MARGIN_MS = 250;

/**
 * The whole path of one query, from the caller's bytes to the signed answer:
 * accept → Vorgangsnummer → route → dispatch (queue) → normalize → answer, with a protocol
 * record for every hop. Every failure ends in an answer — a 1331/1333 or a SOAP fault.
 */
export class QueryPipeline {
  private readonly clock: () => Date;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async handle(raw: Buffer, contentType: string | undefined): Promise<SoapResponse> {
    const started = Date.now();
    let accepted: AcceptedQuery;
    try {
      accepted = await acceptQuery(raw, this.deps);
    } catch (e) {
      if (e instanceof QueryRefused) return this.refuse(e, soapVersionOfContentType(contentType));
      throw e;
    }
    const { query } = accepted;
    const trail = new ProtocolTrail(this.deps.vorgang.next(query.autor.kennung), this.clock);
    trail.setQuery(query);
    trail.add('received');
    const log = this.deps.log.child({ vorgangsnummer: trail.vorgangsnummer, messageType: query.number });

    const { outcome, target } = await this.forward(accepted, trail, started, log);
    const summary = summarizeOutcome(outcome);
    const answerNumber = query.number === '1330' ? '1331' : '1333';
    const answer = writeAnswer(outcome, {
      number: answerNumber,
      query: { identification: query.identification, autor: query.autor },
      gateway: this.deps.identity,
      now: this.clock(),
    });
    const envelope = await this.deps.security.sign(writeEnvelope({
      version: accepted.version, body: answer.xml, vorgangsnummer: trail.vorgangsnummer,
    }));
    trail.add('delivered', { messageType: answerNumber, outcome: summary });
    await this.deps.protocol.append(trail.drain());
    log.info({ outcome: summary, durationMs: Date.now() - started }, 'answered');
    return {
      status: 200,
      contentType: CONTENT_TYPE[accepted.version],
      body: envelope,
      report: { messageType: query.number, outcome: outcomeLabel(outcome), target: target ?? 'none' },
    };
  }

  private async forward(
    accepted: AcceptedQuery, trail: ProtocolTrail, started: number, log: Logger,
  ): Promise<{ outcome: Outcome; target?: string }> {
    const { query } = accepted;
    const precheck = this.precheck(accepted);
    if (precheck !== undefined) {
      trail.add('rejected', { outcome: summarizeOutcome(precheck) });
      return { outcome: precheck };
    }
    if (query.number !== '1330') {
      // Free search (1332) arrives with the fan-out issue; until then an honest technical answer.
      const outcome: Outcome = { kind: 'technical', failure: 'noRoute' };
      trail.add('failed', { outcome: summarizeOutcome(outcome) });
      return { outcome };
    }
    const route = routePersonensuche(query, this.deps.identity.land);
    if (route.kind === 'reject') {
      const outcome: Outcome = { kind: 'rejected', reasons: [{ code: route.code }] };
      trail.add('rejected', { outcome: summarizeOutcome(outcome) });
      return { outcome };
    }
    const [target] = route.targets;
    const endpoint = target === undefined ? undefined : this.deps.endpointOf(target);
    if (target === undefined || endpoint === undefined) {
      const outcome: Outcome = { kind: 'technical', failure: 'noRoute' };
      trail.add('failed', { outcome: summarizeOutcome(outcome) });
      return { outcome };
    }
    const key = targetKey(target);
    trail.add('routed', { target: key });
    // The evidence that a query left the gateway is committed before it leaves.
    await this.deps.protocol.append(trail.drain());

    const outbound = await this.deps.security.sign(writeEnvelope({
      version: endpoint.soapVersion, body: accepted.messageXml, vorgangsnummer: trail.vorgangsnummer,
    }));
    trail.add('dispatched', { target: key });
    let outcome: Outcome;
    try {
      const reply = await this.deps.queue.dispatch({
        vorgangsnummer: trail.vorgangsnummer,
        target: key,
        url: endpoint.url,
        soapVersion: endpoint.soapVersion,
        envelope: outbound,
        deadline: started + this.deps.deadlineMs - ANSWER_MARGIN_MS,
      });
      outcome = await normalizeAnswer(reply, {
        answerNumber: '1331',
        queryUuid: query.identification.nachrichtenUUID,
        validator: this.deps.validator,
        limits: this.deps.limits,
        verify: (raw, env) => this.deps.security.verify(raw, env, 'register'),
      });
    } catch (e) {
      if (!(e instanceof TechnicalFailureError)) log.error({ err: errorClass(e) }, 'dispatch failed');
      outcome = { kind: 'technical', failure: e instanceof TechnicalFailureError ? e.failure : 'internal' };
    }
    const summary = summarizeOutcome(outcome);
    trail.add(outcome.kind === 'technical' ? 'failed' : 'answered', { messageType: '1331', target: key, outcome: summary });
    return { outcome, target: key };
  }

  /** Checks the gateway answers itself, sparing the register a query it would reject. */
  private precheck(accepted: AcceptedQuery): Outcome | undefined {
    if (accepted.query.hasLandesspezifischeErweiterungen) {
      return { kind: 'rejected', reasons: [{ code: '23' }] };
    }
    return undefined;
  }

  private async refuse(e: QueryRefused, fallback: SoapVersion): Promise<SoapResponse> {
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
    });
    const fault = writeFault({ version, code: r.code, side: r.side, reason: r.detail, rtsXml: rts });
    const envelope = await this.deps.security.sign(writeEnvelope({ version, body: fault.xml }));
    await this.deps.protocol.append(trail.drain());
    this.deps.log.info({ vorgangsnummer: trail.vorgangsnummer, rts: r.code }, 'refused');
    return { status: fault.httpStatus, contentType: CONTENT_TYPE[version], body: envelope, report: { rts: r.code } };
  }
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
