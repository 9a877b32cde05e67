import { TLSSocket } from 'node:tls';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { OperatorEvent, ProtocolRecord } from '../protocol/protocol-record.js';
import type { ProtocolStore } from '../protocol/protocol-store.js';
import { toCsv } from '../protocol/export-csv.js';
import { toNdjson } from '../protocol/export-json.js';
import type { TargetStats } from '../queue/target-stats.js';
import type { Reloader } from '../reload/reloader.js';
import { MAY, actorOf, type CertificateUsers, type ConsoleUser, type OneTimeToken, type Role, type Session, type Sessions } from './console-auth.js';
import { QUERY_HOPS, SESSION_COOKIE, cookieOf, dayStart, exportFilterOf, groupByVorgang, partitionOf, requesterOf } from './console-request.js';
import { h, notice, page } from './html.js';
import { partiesPage } from './pages/parties-page.js';
import { protocolPage } from './pages/protocol-page.js';
import { signInPage } from './pages/sign-in-page.js';
import { statusPage } from './pages/status-page.js';
import { vorgangSearchPage, vorgangTimelinePage, type VorgangFilter } from './pages/vorgang-page.js';
import { CONSOLE_CSS, STATUS_JS } from './static-files.js';
import type { StatusBoard } from './status-board.js';

export interface ConsoleDeps {
  protocol: ProtocolStore;
  /** Operator events (sign-ins) into the protocol. */
  record: (event: OperatorEvent) => Promise<void>;
  reloader: Reloader;
  board: StatusBoard;
  boardWindowMinutes: number;
  queueStats: () => TargetStats[];
  sessions: Sessions;
  certificates: CertificateUsers;
  token?: OneTimeToken;
  https?: { key: string; cert: string; ca: string[] };
  log: Logger;
  clock?: () => Date;
}

const MAX_SEARCH_RECORDS = 2000;
const PREVIEW_RECORDS = 50;

/**
 * The console's HTTP surface: server-rendered German pages, sessions by cookie, a CSRF token
 * in every form, and every read of protocol data through the store's export, so each one is
 * protocolled with its filter and purpose (docs/console.md).
 */
export function createConsoleServer(deps: ConsoleDeps): FastifyInstance {
  const now = deps.clock ?? (() => new Date());
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ...(deps.https ? { https: { key: deps.https.key, cert: deps.https.cert, ca: deps.https.ca, requestCert: true, rejectUnauthorized: false } } : {}),
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });

  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);
  const sessionOf = (req: FastifyRequest): Session | undefined => deps.sessions.get(cookieOf(req.headers.cookie, SESSION_COOKIE));
  /** The signed-in session with a role that may `what`; otherwise the answer is sent and undefined returned. */
  const allow = (req: FastifyRequest, reply: FastifyReply, may: (r: Role) => boolean): Session | undefined => {
    const s = sessionOf(req);
    if (s === undefined) {
      void reply.code(303).header('location', '/anmelden').send();
      return undefined;
    }
    if (req.method === 'POST' && (req.body as Record<string, string> | undefined)?.['csrf'] !== s.csrf) {
      void html(reply, page({ title: 'Nicht erlaubt', user: s.user, csrf: s.csrf, body: notice('fehler', 'Formular abgelaufen; bitte die Seite neu laden.') }), 403);
      return undefined;
    }
    if (!may(s.user.role)) {
      void html(reply, page({ title: 'Nicht erlaubt', user: s.user, csrf: s.csrf, body: notice('fehler', 'Diese Seite steht Ihrer Rolle nicht offen.') }), 403);
      return undefined;
    }
    return s;
  };
  const clientCertificate = (req: FastifyRequest): Buffer | undefined => {
    const socket = req.raw.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
    const cert = socket.getPeerCertificate();
    return cert && 'raw' in cert && cert.raw ? cert.raw : undefined;
  };
  const signIn = async (reply: FastifyReply, user: ConsoleUser, how: string) => {
    const s = deps.sessions.start(user);
    await deps.record({ action: 'sign-in', actor: actorOf(user), changes: [], reason: how });
    deps.log.info({ actor: actorOf(user) }, 'console sign-in');
    return reply.code(303)
      .header('set-cookie', `${SESSION_COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict${deps.https ? '; Secure' : ''}`)
      .header('location', MAY.status(user.role) ? '/' : '/vorgang').send();
  };

  app.get('/static/konsole.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(CONSOLE_CSS));
  app.get('/static/status.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(STATUS_JS));

  app.get('/anmelden', async (req, reply) => {
    const der = clientCertificate(req);
    const subject = der ? (req.raw.socket as TLSSocket).getPeerCertificate().subject : undefined;
    return html(reply, signInPage({
      ...(subject ? { certificateSubject: Object.entries(subject).map(([k, v]) => `${k}=${String(v)}`).join(', '), certificateUnknown: deps.certificates.userOf(der as Buffer) === undefined } : {}),
      tokenSignIn: deps.token !== undefined, csrf: '',
    }));
  });

  app.post('/anmelden', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, string>;
    if (form['verfahren'] === 'zertifikat') {
      const der = clientCertificate(req);
      const user = der ? deps.certificates.userOf(der) : undefined;
      if (user) return signIn(reply, user, 'Client-Zertifikat');
    } else if (deps.token?.redeem(form['token'] ?? '') === true) {
      return signIn(reply, { name: 'entwicklung', role: 'operator' }, 'Einmal-Token (Entwicklung)');
    }
    await deps.record({ action: 'sign-in-refused', actor: form['verfahren'] === 'zertifikat' ? 'client-certificate' : 'token', changes: [] });
    return html(reply, signInPage({ tokenSignIn: deps.token !== undefined, error: 'Anmeldung abgelehnt.', csrf: '' }), 401);
  });

  app.post('/abmelden', async (req, reply) => {
    const s = allow(req, reply, () => true);
    if (!s) return reply;
    deps.sessions.end(s.id);
    return reply.code(303).header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0`).header('location', '/anmelden').send();
  });

  app.get('/', async (req, reply) => {
    const s = allow(req, reply, MAY.status);
    if (!s) return reply;
    return html(reply, statusPage({ user: s.user, csrf: s.csrf, board: deps.board.snapshot(), queues: deps.queueStats(), windowMinutes: deps.boardWindowMinutes, now: now() }));
  });

  app.get('/vorgang', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    const filter = req.query as VorgangFilter;
    const searched = Object.keys(filter).length > 0;
    if (!searched) return html(reply, vorgangSearchPage({ user: s.user, csrf: s.csrf, filter }));
    const requester = requesterOf(s.user, filter.zweck);
    if (requester === undefined) return html(reply, vorgangSearchPage({ user: s.user, csrf: s.csrf, filter, error: 'Bitte den Zweck nach § 40 Abs. 4 BMG angeben.' }), 400);
    const records: ProtocolRecord[] = [];
    for await (const r of deps.protocol.export(exportFilterOf(filter), requester)) {
      records.push(r);
      if (records.length >= MAX_SEARCH_RECORDS) break;
    }
    return html(reply, vorgangSearchPage({ user: s.user, csrf: s.csrf, filter, results: groupByVorgang(records), truncated: records.length >= MAX_SEARCH_RECORDS }));
  });

  app.get('/vorgang/:nummer', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    const { nummer } = req.params as { nummer: string };
    const requester = requesterOf(s.user, (req.query as { zweck?: string }).zweck);
    if (requester === undefined) return html(reply, vorgangSearchPage({ user: s.user, csrf: s.csrf, filter: { nummer }, error: 'Bitte den Zweck nach § 40 Abs. 4 BMG angeben.' }), 400);
    const hops: ProtocolRecord[] = [];
    for await (const r of deps.protocol.export({ vorgangsnummer: nummer, hops: QUERY_HOPS }, requester)) hops.push(r);
    return html(reply, vorgangTimelinePage({ user: s.user, csrf: s.csrf, nummer, hops }));
  });

  app.get('/protokoll', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    return html(reply, protocolPage({ user: s.user, csrf: s.csrf, partition: partitionOf(s.user) }));
  });

  app.post('/protokoll/pruefen', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    const partition = partitionOf(s.user);
    // The DPO and the operators see every chain but an authority's; an authority only its own.
    const report = await deps.protocol.verify(s.user.role === 'security-authority' ? partition : undefined);
    const own = { ...report, partitions: report.partitions.filter((p) => s.user.role === 'security-authority' || !p.partition.startsWith('authority:')) };
    return html(reply, protocolPage({ user: s.user, csrf: s.csrf, partition, verify: own }));
  });

  app.get('/protokoll/export', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    const q = req.query as { format?: string; von?: string; bis?: string; zweck?: string };
    const requester = requesterOf(s.user, q.zweck);
    if (requester === undefined) {
      return html(reply, protocolPage({ user: s.user, csrf: s.csrf, partition: partitionOf(s.user), error: 'Bitte den Zweck nach § 40 Abs. 4 BMG angeben.' }), 400);
    }
    const from = dayStart(q.von);
    const to = dayStart(q.bis, true);
    const records = deps.protocol.export({ ...(from ? { from } : {}), ...(to ? { to } : {}) }, requester);
    const ndjson = q.format === 'ndjson';
    const stamp = now().toISOString().slice(0, 10);
    return reply
      .type(ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="protokoll-${stamp}.${ndjson ? 'ndjson' : 'csv'}"`)
      .send(Readable.from(ndjson ? toNdjson(records) : toCsv(records)));
  });

  app.get('/protokoll/loeschvorschau', async (req, reply) => {
    const s = allow(req, reply, MAY.readProtocol);
    if (!s) return reply;
    const q = req.query as { stichtag?: string; zweck?: string };
    const partition = partitionOf(s.user);
    const requester = requesterOf(s.user, q.zweck);
    if (requester === undefined) return html(reply, protocolPage({ user: s.user, csrf: s.csrf, partition, error: 'Bitte den Zweck nach § 40 Abs. 4 BMG angeben.' }), 400);
    const at = dayStart(q.stichtag) ?? now();
    const report = await deps.protocol.purge(at, { dryRun: true });
    const mine = { ...report, partitions: report.partitions.filter((p) => p.partition === partition) };
    mine.total = mine.partitions.reduce((n, p) => n + p.count, 0);
    const oldest: ProtocolRecord[] = [];
    for await (const r of deps.protocol.export({}, requester)) {
      oldest.push(r);
      if (oldest.length >= PREVIEW_RECORDS) break;
    }
    return html(reply, protocolPage({ user: s.user, csrf: s.csrf, partition, preview: { report: mine, oldest } }));
  });

  app.get('/parteien', async (req, reply) => {
    const s = allow(req, reply, MAY.parties);
    if (!s) return reply;
    return html(reply, partiesPage({ user: s.user, csrf: s.csrf, material: deps.reloader.current, now: now() }));
  });

  app.post('/parteien/sperre', async (req, reply) => {
    const s = allow(req, reply, MAY.suspend);
    if (!s) return reply;
    const form = req.body as Record<string, string>;
    const kind = form['art'] === 'party' ? 'party' : form['art'] === 'authority' ? 'authority' : undefined;
    const id = form['id'] ?? '';
    const reason = (form['grund'] ?? '').trim();
    const m = deps.reloader.current;
    const known = kind === 'party' ? m.parties.some((p) => p.id === id) : m.authorities.some((a) => a.kennung === id);
    if (kind === undefined || !known || reason === '') {
      return html(reply, partiesPage({ user: s.user, csrf: s.csrf, material: m, now: now(), message: { kind: 'fehler', text: 'Unbekannter Eintrag oder kein Grund angegeben.' } }), 400);
    }
    const suspended = form['gesperrt'] === 'ja';
    const result = await deps.reloader.setSuspension({ kind, id, suspended, reason, by: actorOf(s.user) });
    const message = result.ok
      ? { kind: 'ok' as const, text: `${id} ${suspended ? 'gesperrt' : 'entsperrt'}; wirksam ab der nächsten Nachricht.` }
      : { kind: 'fehler' as const, text: `Nicht übernommen, die laufende Konfiguration bleibt: ${result.reason}` };
    return html(reply, partiesPage({ user: s.user, csrf: s.csrf, material: deps.reloader.current, now: now(), message }), result.ok ? 200 : 500);
  });

  app.setNotFoundHandler(async (req, reply) => {
    const s = sessionOf(req);
    return html(reply, page({ title: 'Nicht gefunden', ...(s ? { user: s.user, csrf: s.csrf } : {}), body: h`<p><a href="/">Zur Startseite</a></p>` }), 404);
  });
  return app;
}
