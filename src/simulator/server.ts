/**
 * One fastify server hosting the simulated registers of all 16 Länder:
 * `POST /land/01` … `/land/16`, and `POST /mirror` (the local mirror backend, by default the
 * register of Land 03). `GET /` lists the endpoints. I/O only: decisions come from decide.ts,
 * message text from compose-answer.ts.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RejectedMessageError } from '../errors.js';
import { compose0910, compose1331, compose1333, type AnswerMeta } from './compose-answer.js';
import { decide, registerContext, type Decision } from './decide.js';
import { LANDS, LAND_CODES, isLandCode, type BlockDialect, type LandCode } from './lands.js';
import { loadPopulation, type Population } from './population.js';
import {
  parseRequest,
  RequestRejected,
  type Identifikation,
  type ParsedRequest,
  type SimulatedParty,
  type SoapVersion,
} from './request.js';
import { CONTENT_TYPE, envelope, faultBody, faultStatus, type FaultSide } from './soap.js';
import { RELEASES, type Release } from '../xmeld/releases.js';

export interface RegisterBehaviour {
  /** The register is unreachable: every connection is reset without an answer. */
  down?: boolean;
  /** Unreachable for this many requests, then answering again (a register that recovers). */
  downForRequests?: number;
  /** How this Land answers for a blocked person (default per Land, see lands.ts). */
  blockDialect?: BlockDialect;
  /** Delay of the `Langsam` answer in ms (default: the simulator-wide slowDelayMs). */
  slowDelayMs?: number;
  /** XMeld releases this register takes (default both); another release gets a V000 fault. */
  xmeldReleases?: Release[];
}

export interface SimulatorSecurity {
  /** Throws to refuse a request (a RejectedMessageError's code becomes the 0910 reason, else T011). */
  verifyRequest?(envelope: Buffer): Promise<void>;
  /** Returns the signed envelope. */
  signResponse?(envelopeXml: string, register: LandCode): Promise<string>;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to fixtures/population.yaml. */
  population?: Population;
  behaviour?: Partial<Record<LandCode, RegisterBehaviour>>;
  security?: SimulatorSecurity;
  logger?: Logger;
  /** Delay of the `Langsam` answer, default 40 000 ms (beyond the gateway's 30 s deadline). */
  slowDelayMs?: number;
  /** The Land whose register `/mirror` serves, default '03'. */
  mirrorLand?: LandCode;
  /** Sees every request body as it arrived (for tests that check what the gateway sends). */
  onRequest?: (register: LandCode, body: Buffer, headers: Record<string, string | string[] | undefined>) => void;
}

export interface SimulatedRegisters {
  baseUrl: string;
  urlFor(land: LandCode | 'mirror'): string;
  /** Changes a Land's behaviour at run time (e.g. take it down and up again). */
  setBehaviour(land: LandCode, behaviour: RegisterBehaviour): void;
  /** Requests held right now (the `Langsam` delay): lets a test act once they have arrived. */
  held(): number;
  close(): Promise<void>;
}

export const DEFAULT_SLOW_DELAY_MS = 40_000;

const GARBAGE = '##SIMULATOR## Antwort kaputt <<< kein XML &&& \n';

export async function startSimulatedRegisters(opts: SimulatorOptions = {}): Promise<SimulatedRegisters> {
  const population = opts.population ?? (await loadPopulation());
  const behaviour: Partial<Record<LandCode, RegisterBehaviour>> = { ...opts.behaviour };
  const slowDefault = opts.slowDelayMs ?? DEFAULT_SLOW_DELAY_MS;
  const mirrorLand = opts.mirrorLand ?? '03';
  const pendingDelays = new Set<AbortController>();

  const app = Fastify(opts.logger ? { loggerInstance: opts.logger } : { logger: false });
  app.addContentTypeParser(['text/xml', 'application/soap+xml'], { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, body);
  });

  /** Which register a reply speaks for (its signing identity). */
  const registerOf = new WeakMap<FastifyReply, LandCode>();

  async function send(reply: FastifyReply, version: SoapVersion, status: number, xml: string): Promise<void> {
    const register = registerOf.get(reply) ?? mirrorLand;
    const signed = opts.security?.signResponse ? await opts.security.signResponse(xml, register) : xml;
    await reply.code(status).header('content-type', CONTENT_TYPE[version]).send(signed);
  }

  async function sendFault(
    reply: FastifyReply,
    version: SoapVersion,
    side: FaultSide,
    reason: string,
    detail?: string,
    headerXml?: string,
  ): Promise<void> {
    const body = faultBody(version, side, reason, detail);
    await send(reply, version, faultStatus(version, side), envelope(version, body, headerXml));
  }

  function meta(land: LandCode, request: { identifikation: Identifikation; autor: SimulatedParty }, release: Release): AnswerMeta {
    return { info: LANDS[land], request, release };
  }

  /** Resolves true after `ms`, or false early when the simulator closes or the caller hangs up. */
  function sleep(ms: number, socket: NodeJS.EventEmitter): Promise<boolean> {
    const ctl = new AbortController();
    pendingDelays.add(ctl);
    const hangUp = (): void => ctl.abort();
    socket.once('close', hangUp);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(true), ms);
      const finish = (completed: boolean): void => {
        clearTimeout(timer);
        socket.off('close', hangUp);
        pendingDelays.delete(ctl);
        resolve(completed);
      };
      ctl.signal.addEventListener('abort', () => finish(false), { once: true });
    });
  }

  async function handle(land: LandCode, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    registerOf.set(reply, land);
    const b = behaviour[land] ?? {};
    const downNow = b.down === true || (b.downForRequests ?? 0) > 0;
    if (b.downForRequests !== undefined && b.downForRequests > 0) b.downForRequests -= 1;
    if (downNow) {
      // Unreachable register: no HTTP answer at all, the connection just dies.
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (!Buffer.isBuffer(request.body)) {
      // Only the two SOAP media types reach here as raw bytes; JSON and the like are no SOAP.
      await reply.code(415).send({ error: 'expected text/xml or application/soap+xml' });
      return;
    }
    const raw = request.body;
    opts.onRequest?.(land, raw, request.headers);
    const guessed: SoapVersion = String(request.headers['content-type'] ?? '').includes('soap+xml') ? '1.2' : '1.1';

    const takes = b.xmeldReleases ?? [...RELEASES];
    let parsed: ParsedRequest;
    try {
      parsed = parseRequest(raw, takes);
    } catch (err) {
      if (!(err instanceof RequestRejected)) throw err;
      const version = err.soapVersion ?? guessed;
      // Answered in the release the request names, else in the newest one the register speaks.
      const detail = err.partial ? compose0910(meta(land, err.partial, err.release ?? takes.at(-1) ?? '26.11'), err.rts, err.reason) : undefined;
      await sendFault(reply, version, 'sender', `${err.rts}: ${err.reason}`, detail);
      return;
    }
    const { soapVersion, vorgangXml, query, release } = parsed;

    if (opts.security?.verifyRequest) {
      try {
        await opts.security.verifyRequest(raw);
      } catch (err) {
        const rts = err instanceof RejectedMessageError ? err.code : 'T011';
        const hinweis = 'Sicherheitsprüfung der Anfrage fehlgeschlagen';
        const detail = compose0910(meta(land, query, release), rts, hinweis);
        await sendFault(reply, soapVersion, 'sender', `${rts}: ${hinweis}`, detail, vorgangXml);
        return;
      }
    }

    const ctx = registerContext(land, population, {
      ...(b.blockDialect ? { blockDialect: b.blockDialect } : {}),
      slowDelayMs: b.slowDelayMs ?? slowDefault,
    });
    const decision: Decision = decide(ctx, query);
    request.log.info({ land, message: query.kind, outcome: decision.kind }, 'simulated register answered');

    switch (decision.kind) {
      case 'garbage':
        await reply.code(200).header('content-type', CONTENT_TYPE[soapVersion]).send(GARBAGE);
        return;
      case 'fault':
        await sendFault(reply, soapVersion, 'receiver', 'Simulierter interner Fehler des Registers', undefined, vorgangXml);
        return;
      case 'return-to-sender':
        await sendFault(
          reply,
          soapVersion,
          'sender',
          `${decision.rts}: ${decision.hinweis}`,
          compose0910({ info: ctx.info, request: query, release }, decision.rts, decision.hinweis),
          vorgangXml,
        );
        return;
      case 'answer': {
        if (decision.delayMs && !(await sleep(decision.delayMs, request.raw.socket))) {
          request.raw.socket.destroy(); // shutting down, or the caller gave up: nobody to answer
          return;
        }
        const identifikation = decision.wrongCorrelation
          ? { ...query.identifikation, nachrichtenUUID: randomUUID() }
          : query.identifikation;
        const m: AnswerMeta = { info: ctx.info, request: { identifikation, autor: query.autor }, release };
        const body = decision.message === '1331' ? compose1331(m, decision.antwort) : compose1333(m, decision.antwort);
        await send(reply, soapVersion, 200, envelope(soapVersion, body, vorgangXml));
        return;
      }
    }
  }

  app.post<{ Params: { land: string } }>('/land/:land', async (request, reply) => {
    const { land } = request.params;
    if (!isLandCode(land)) return reply.code(404).send({ error: 'unknown Land' });
    await handle(land, request, reply);
  });
  app.post('/mirror', async (request, reply) => handle(mirrorLand, request, reply));

  let baseUrl = '';
  app.get('/', async () => ({
    registers: LAND_CODES.map((land) => ({ land, name: LANDS[land].name, url: `${baseUrl}/land/${land}` })),
    mirror: { land: mirrorLand, url: `${baseUrl}/mirror` },
  }));

  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const url = new URL(address);
  baseUrl = `${url.protocol}//${url.host}`;

  return {
    baseUrl,
    urlFor: (land) => (land === 'mirror' ? `${baseUrl}/mirror` : `${baseUrl}/land/${land}`),
    setBehaviour(land, b) {
      behaviour[land] = { ...b };
    },
    held: () => pendingDelays.size,
    async close() {
      for (const ctl of pendingDelays) ctl.abort();
      await app.close();
    },
  };
}
