/**
 * A simulated DVDV2 (REST v2) for the simulated registers: every `ags:<AGS>` of a Land resolves
 * to that Land's register (central registers are representatives of their municipalities), in
 * the JSON shapes of the real API, with its 204 / 404-problem answers for unknown keys. Faults
 * for tests and demos: `slow` (answers after `slowDelayMs`), `down` (503), `wrong-certificate`
 * (publishes another certificate than the register signs with).
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { dvdvFingerprint } from '../security/cert-fingerprint.js';
import type { DvdvCertificate, DvdvProblem, DvdvRequest, DvdvService } from '../dvdv/dvdv-types.js';
import { acceptedClient } from './dvdv-token.js';
import { isLandCode, LANDS, type LandCode } from './lands.js';

export type DvdvFault = 'none' | 'slow' | 'down' | 'wrong-certificate';

export interface SimulatedDvdvEntry {
  endpoint: string;
  /** The register's signer certificate (PEM). */
  certPem: string;
}

export interface SimulatedDvdvOptions {
  host?: string;
  port?: number;
  entries: Partial<Record<LandCode, SimulatedDvdvEntry>>;
  /** Published under `wrong-certificate` (PEM). */
  wrongCertPem?: string;
  /** Category → certificates (PEM) in it, for verifyCategory. */
  categories?: Record<string, string[]>;
  slowDelayMs?: number;
  /**
   * Registered client certificates (PEM) of the standalone authentication: when given, the
   * extern entry path wants `EmbeddedBearer <token>` from `extern/standaloneauth/token`.
   */
  clients?: string[];
}

export interface SimulatedDvdv {
  /** Base URL up to and including `/dvdv2-backend`. */
  url: string;
  setFault(fault: DvdvFault): void;
  setEntry(land: LandCode, entry: SimulatedDvdvEntry | undefined): void;
  /** Requests served, by function name (for tests). */
  calls: string[];
  close(): Promise<void>;
}

const ENTRY_PATHS = ['intern/directory', 'extern/standaloneauth/directory'] as const;

function certificate(pem: string): DvdvCertificate {
  const c = new X509Certificate(pem);
  return {
    content: c.raw.toString('base64'),
    fingerprint: dvdvFingerprint(c.raw),
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    revocationDate: null,
  };
}

export async function startSimulatedDvdv(opts: SimulatedDvdvOptions): Promise<SimulatedDvdv> {
  const entries = new Map<LandCode, SimulatedDvdvEntry>(Object.entries(opts.entries) as [LandCode, SimulatedDvdvEntry][]);
  let fault: DvdvFault = 'none';
  const calls: string[] = [];
  const app = Fastify({ logger: false });
  const tokens = new Map<string, number>(); // token → valid until (ms epoch)
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const problem = (reply: FastifyReply, status: number, body: DvdvProblem): FastifyReply =>
    reply.code(status).type('application/problem+json').send(JSON.stringify(body));

  function serviceFor(req: DvdvRequest): DvdvService | undefined {
    const m = /^ags:(\d{2})\d{6}$/.exec(req.organizationKey ?? '');
    const land = m?.[1];
    if (!land || !isLandCode(land)) return undefined;
    const entry = entries.get(land);
    if (!entry) return undefined;
    const certPem = fault === 'wrong-certificate' && opts.wrongCertPem ? opts.wrongCertPem : entry.certPem;
    return {
      id: Number(land) * 1000,
      serviceDescriptionName: `xmeld-datenabruf-${land}`,
      serviceSpecificationType: 'WSDL_OSCI',
      serviceSpecificationUri: req.serviceSpecificationUri ?? '',
      serviceSpecificationDocument: '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>',
      organizationNameDe: `Zentrales Melderegister ${LANDS[land].name}`,
      locationStateId: Number(land),
      serviceElements: [
        { serviceElementId: 1, providerId: Number(land), serviceElementType: 'OSCI_ADDRESSEE', serviceElementUri: entry.endpoint },
        { serviceElementId: 2, providerId: Number(land), serviceElementType: 'SIGNATURE_CERTIFICATE', signatureCertificate: certificate(certPem) },
      ],
    };
  }

  function allCertificates(): string[] {
    return [...entries.values()].map((e) => e.certPem);
  }

  async function handle(fn: string, req: DvdvRequest, reply: FastifyReply): Promise<FastifyReply> {
    calls.push(fn);
    if (fault === 'down') return problem(reply, 503, { title: 'Service Unavailable', status: 503 });
    if (fault === 'slow') await new Promise((r) => setTimeout(r, opts.slowDelayMs ?? 40_000));
    switch (fn) {
      case 'findservicedescription': {
        const s = serviceFor(req);
        if (s) return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(s));
        return problem(reply, 404, {
          type: 'problems/type/NOT_FOUND', title: 'Nicht gefunden', status: 404,
          detail: `5005: Kein Dienst zum Organisationsschlüssel ${req.organizationKey ?? ''} gefunden`,
          instance: 'problems/instance/findservicedescription',
        });
      }
      case 'findCertificateByFingerprint': {
        const pem = [...allCertificates(), ...(opts.wrongCertPem ? [opts.wrongCertPem] : [])].find((p) => dvdvFingerprint(p) === req.fingerPrint?.toLowerCase());
        if (!pem) return reply.code(204).send();
        return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(certificate(pem)));
      }
      case 'verifycategory': {
        const members = opts.categories?.[req.category ?? ''] ?? [];
        const ok = members.some((p) => dvdvFingerprint(p) === req.fingerPrint?.toLowerCase());
        return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify({ verifyCategory: ok }));
      }
      default:
        return problem(reply, 404, { title: 'Unbekannte Funktion', status: 404 });
    }
  }

  app.post('/dvdv2-backend/extern/standaloneauth/token', async (request: FastifyRequest<{ Body: string }>, reply) => {
    calls.push('token');
    if (fault === 'down') return problem(reply, 503, { title: 'Service Unavailable', status: 503 });
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const client = form.get('grant_type') === 'client_credentials' ? acceptedClient(form.get('client_assertion') ?? '', opts.clients ?? []) : undefined;
    if (client === undefined) return problem(reply, 401, { title: 'Kein Client-Zertifikat zu diesem Fingerabdruck', status: 401 });
    const token = randomUUID();
    tokens.set(token, Date.now() + 3_600_000);
    return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify({ accessToken: token, expiresIn: 3600, tokenType: 'Bearer' }));
  });

  /** The extern entry path wants a token issued here (when clients are registered). */
  app.addHook('onRequest', async (request, reply) => {
    if (opts.clients === undefined || !request.url.startsWith('/dvdv2-backend/extern/standaloneauth/directory/')) return;
    const token = /^EmbeddedBearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const until = token === undefined ? undefined : tokens.get(token);
    if (until === undefined || until < Date.now()) {
      calls.push('unauthorized');
      return problem(reply, 401, { title: 'Token fehlt oder ungültig', status: 401 });
    }
    return undefined;
  });

  for (const entry of ENTRY_PATHS) {
    app.get(`/dvdv2-backend/${entry}/v2/:fn`, async (request: FastifyRequest<{ Params: { fn: string }; Querystring: { request_json?: string } }>, reply) => {
      let req: DvdvRequest;
      try {
        req = JSON.parse(request.query.request_json ?? '{}') as DvdvRequest;
      } catch {
        return problem(reply, 400, { title: 'Nicht-wohlgeformtes JSON', status: 400 });
      }
      return handle(request.params.fn, req, reply);
    });
    app.post(`/dvdv2-backend/${entry}/v2/batch/:fn`, async (request: FastifyRequest<{ Params: { fn: string }; Body: DvdvRequest[] }>, reply) => {
      calls.push(`batch/${request.params.fn}`);
      if (fault === 'down') return problem(reply, 503, { title: 'Service Unavailable', status: 503 });
      const items = request.body;
      if (!Array.isArray(items) || items.length > 200) return problem(reply, 400, { title: 'Höchstens 200 Anfragen', status: 400 });
      if (request.params.fn === 'findservicedescription') return reply.send(items.map((i) => serviceFor(i) ?? null));
      if (request.params.fn === 'verifycategory') {
        return reply.send(items.map((i) => ({ verifyCategory: (opts.categories?.[i.category ?? ''] ?? []).some((p) => dvdvFingerprint(p) === i.fingerPrint) })));
      }
      return problem(reply, 404, { title: 'Unbekannte Funktion', status: 404 });
    });
  }

  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  return {
    url: `${address}/dvdv2-backend`,
    calls,
    setFault: (f) => (fault = f),
    setEntry: (land, e) => (e ? entries.set(land, e) : entries.delete(land)),
    close: () => app.close(),
  };
}
