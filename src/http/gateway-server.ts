import type { ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RejectedMessageError } from '../errors.js';
import { settleWithin } from '../settle-within.js';
import type { QueryPipeline, SoapResponse } from '../intake/query-pipeline.js';
import { readSchemaFileForHttp, readWsdlForHttp, SchemaFileNotFoundError, wsdlFile } from '../xml/schema-files.js';
import type { GatewayMetrics } from './metrics.js';

export interface GatewayServerDeps {
  pipeline: QueryPipeline;
  metrics: GatewayMetrics;
  log: Logger;
  bodyLimitBytes: number;
  /** Most open connections at once; more are refused by the server. */
  maxConnections?: number;
  /**
   * Endpoint URL written into the WSDL. Never taken from the request's Host header (a caller
   * could make the gateway advertise someone else's endpoint): configured, or the listener's own.
   */
  publicUrl: () => string;
  /** Readiness of the queue store, protocol store and signing key. */
  ready: () => Promise<Record<string, boolean>>;
  /** /ready answers "not ready" when the checks together take longer (default READY_WITHIN_MS). */
  readyWithinMs?: number;
  /** Shown on /ready without failing it (e.g. certificates that expire soon). */
  readyNotes?: () => Record<string, unknown>;
  /** The DVDV's state, shown on /ready; not a check (known routes outlive an outage). */
  directory?: () => unknown;
  /** Told of every answered query (target, outcome label, seconds): the console's status board. */
  onAnswered?: (target: string, outcome: string, seconds: number) => void;
  /**
   * Aborted when the shutdown's grace has run out: every query still in flight is answered at
   * once with a receiver-side S999 fault (and recorded) instead of waiting for what hangs.
   */
  shutdown?: AbortSignal;
  /** HTTPS with optional client certificates (mTLS). */
  https?: { key: string; cert: string; ca: string[] };
}

/**
 * The HTTP surface: POST /xmeld (SOAP 1.1 and 1.2), GET /xmeld?wsdl and ?xsd=…, /health,
 * /ready, /metrics. Fastify owns limits and timeouts; the SOAP handling is the gateway's own.
 */
export function createGatewayServer(deps: GatewayServerDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.https ? {
      https: {
        key: deps.https.key, cert: deps.https.cert, ca: deps.https.ca,
        // Client certificates are asked for, and checked per party by the pipeline (T070).
        requestCert: true, rejectUnauthorized: false,
      },
    } : {}),
    // The gateway logs its own allow-listed fields; fastify's request logs would add URLs and headers.
    logger: false,
    bodyLimit: deps.bodyLimitBytes,
    requestTimeout: 120_000,
    // Callers get a SOAP fault while the gateway shuts down (onRequest below), not plain text.
    return503OnClosing: false,
  });
  if (deps.maxConnections !== undefined) app.server.maxConnections = deps.maxConnections;

  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    if (req.method === 'POST' && req.url.startsWith('/xmeld')) {
      req.raw.resume(); // the body is not read: let the caller finish sending, then answer
      const res = await deps.pipeline.refuseUnread(new RejectedMessageError('S999', 'Gateway wird beendet', 'receiver'), req.headers['content-type']);
      deps.metrics.refusals.inc({ rts: 'S999' });
      return reply.code(503).header('connection', 'close').header('content-type', res.contentType).send(res.body);
    }
    return reply.code(503).header('connection', 'close').send({ status: 'shutting down' });
  });

  /** The pipeline's answer, or — once the shutdown's grace is over — the fault that ends the wait. */
  const untilShutdown = (answer: Promise<SoapResponse>, contentType: string | undefined): Promise<SoapResponse> => {
    const signal = deps.shutdown;
    if (signal === undefined) return answer;
    answer.catch(() => undefined); // it may still settle after the fault was sent: nobody waits for it
    const forced = new Promise<SoapResponse>((resolve, reject) => {
      const onAbort = (): void => {
        deps.pipeline.refuseUnread(new RejectedMessageError('S999', 'Gateway wird beendet', 'receiver'), contentType, FORCED_RECORD_MS)
          .then((r) => resolve({ ...r, status: 503 }), reject);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      answer.then(done, done);
    });
    return Promise.race([answer, forced.then((fault) => {
      // The fault went out instead: an answer that is ready later never reaches the caller.
      answer.then((late) => late.delivered?.(false), () => undefined);
      return fault;
    })]);
  };

  // Every body arrives as raw bytes: the hardened parser decides about encodings, not fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post('/xmeld', async (req, reply) => {
    const end = deps.metrics.latency.startTimer();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let res: SoapResponse;
    try {
      res = isSoapContentType(req.headers['content-type'])
        ? await untilShutdown(deps.pipeline.handle(body, req.headers['content-type'], clientCertificateOf(req.raw.socket)), req.headers['content-type'])
        : { ...(await deps.pipeline.refuseUnread(new RejectedMessageError('S999', 'Inhaltstyp muss text/xml (SOAP 1.1) oder application/soap+xml (SOAP 1.2) sein'), undefined)), status: 415 };
    } catch (e) {
      deps.log.error({ err: e instanceof Error ? e.name : 'unknown' }, 'unexpected failure');
      res = await deps.pipeline.refuseUnread(new RejectedMessageError('S999', 'Interner Fehler', 'receiver'), req.headers['content-type']);
    }
    if ('rts' in res.report) deps.metrics.refusals.inc({ rts: res.report.rts });
    else deps.metrics.queries.inc({ message_type: res.report.messageType, outcome: res.report.outcome, target: res.report.target });
    const seconds = end({ message_type: 'rts' in res.report ? 'refused' : res.report.messageType });
    if (!('rts' in res.report)) deps.onAnswered?.(res.report.target, res.report.outcome, seconds);
    if (res.delivered) whenWritten(reply.raw, res.delivered);
    return reply.code(res.status).header('content-type', res.contentType).send(res.body);
  });

  app.get('/xmeld', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const endpoint = deps.publicUrl();
    try {
      if ('wsdl' in q || 'WSDL' in q) {
        // ?wsdl is the 25.11a form (what existing clients were generated from); ?wsdl=26.11 the other.
        const release = q['wsdl'] ?? q['WSDL'];
        if (release === '26.11') return reply.header('content-type', 'text/xml; charset=utf-8').send(readWsdlForHttp('26.11', endpoint));
        if (release !== '' && release !== undefined && release !== '25.11a') return reply.code(404).send('unknown XMeld release; use ?wsdl=25.11a or ?wsdl=26.11\n');
        return reply.header('content-type', 'text/xml; charset=utf-8').send(readSchemaFileForHttp(wsdlFile, endpoint));
      }
      const xsd = q['xsd'];
      if (typeof xsd === 'string') {
        return reply.header('content-type', 'text/xml; charset=utf-8').send(readSchemaFileForHttp(xsd));
      }
    } catch (e) {
      if (e instanceof SchemaFileNotFoundError) return reply.code(404).send('not found\n');
      throw e;
    }
    return reply.code(400).send('use ?wsdl\n');
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_req, reply) => {
    // A load balancer's probe must get an answer within a second whatever the stores do: checks
    // that do not settle in time count as "not ready" (each check has its own bound as well,
    // but several slow ones together would add up).
    const checks = await settleWithin(deps.ready(), deps.readyWithinMs ?? READY_WITHIN_MS, undefined);
    if (checks === undefined) {
      return reply.code(503).send({ status: 'not ready', checks: {}, late: `checks did not answer within ${deps.readyWithinMs ?? READY_WITHIN_MS} ms` });
    }
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ready' : 'not ready', checks, ...(deps.directory ? { directory: deps.directory() } : {}),
      ...(deps.readyNotes ? deps.readyNotes() : {}),
    });
  });

  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));

  // Limits fastify enforces before the handler runs still get a SOAP answer on /xmeld.
  app.setErrorHandler(async (err, req, reply) => {
    if (req.url.startsWith('/xmeld') && req.method === 'POST') {
      const tooLarge = (err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      // Read the rest of the upload and throw it away (bounded), so a caller still sending gets
      // this answer instead of a connection reset.
      if (tooLarge) drainUpTo(req.raw, 4 * deps.bodyLimitBytes + 16 * 1024 * 1024);
      const res = await deps.pipeline.refuseUnread(tooLarge
        ? new RejectedMessageError('S999', 'Nachricht überschreitet die zulässige Größe')
        : new RejectedMessageError('X000'), req.headers['content-type']);
      deps.metrics.refusals.inc({ rts: tooLarge ? 'S999' : 'X000' });
      return reply.code(res.status).header('content-type', res.contentType).send(res.body);
    }
    deps.log.warn({ err: (err as Error).name }, 'request failed');
    return reply.code((err as { statusCode?: number }).statusCode ?? 500).send({ error: 'request failed' });
  });

  return app;
}

/** Longest /ready waits for its checks: below the 1 s a probe is given, with room for the rest of the request. */
const READY_WITHIN_MS = 750;

/** How long a forced shutdown waits for the refusal's protocol record. */
const FORCED_RECORD_MS = 1_000;

const SOAP_MEDIA_TYPES = new Set(['text/xml', 'application/soap+xml']);

/** SOAP 1.1 is text/xml, SOAP 1.2 application/soap+xml (parameters such as charset, action allowed). */
function isSoapContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && SOAP_MEDIA_TYPES.has((contentType.split(';')[0] ?? '').trim().toLowerCase());
}

/** Consumes and discards a request body up to `max` bytes; past that the connection is cut. */
function drainUpTo(raw: NodeJS.ReadableStream & { destroy(): void }, max: number): void {
  let seen = 0;
  raw.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > max) raw.destroy();
  });
  raw.resume();
}

/**
 * Tells whether the response was handed to the connection ('finish') or the connection ended
 * before that ('close' first): the difference between `delivered` and `delivery-failed`.
 */
function whenWritten(raw: ServerResponse, told: (written: boolean) => void): void {
  // The caller hung up while the query was worked on: nothing will be written.
  if (raw.destroyed || raw.socket === null || raw.socket.destroyed) return told(false);
  raw.once('finish', () => told(true));
  raw.once('close', () => { if (!raw.writableFinished) told(false); });
}

/** SHA-256 fingerprint of a client certificate that chains to the configured client CAs. */
function clientCertificateOf(socket: unknown): string | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  return cert.fingerprint256 ? cert.fingerprint256.replace(/:/g, '').toLowerCase() : undefined;
}
