import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { algorithmFor } from '../../src/dvdv/client-assertion.js';
import { dvdvFingerprint } from '../../src/security/cert-fingerprint.js';
import { DvdvClient } from '../../src/dvdv/dvdv-client.js';
import { DvdvError } from '../../src/dvdv/dvdv-errors.js';
import type { DvdvService } from '../../src/dvdv/dvdv-types.js';
import { serviceUriFor, targetFromService } from '../../src/dvdv/service-target.js';
import { loadTestPki } from '../support/test-pki.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];
async function serve(handler: Handler): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push(`${req.method} ${req.url}`);
      handler(req, res, body);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/dvdv2-backend`, hits };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void => {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
};
const requestJson = (req: IncomingMessage): Record<string, string> =>
  JSON.parse(new URL(req.url!, 'http://x').searchParams.get('request_json')!) as Record<string, string>;

const service = (endpoint: string, certB64: string): DvdvService => ({
  id: 1,
  serviceDescriptionName: 'xmeld',
  serviceSpecificationType: 'WSDL_OSCI',
  serviceSpecificationUri: serviceUriFor('personensuche', '26.11'),
  serviceSpecificationDocument: '<wsdl/>',
  serviceElements: [
    { serviceElementId: 1, providerId: 1, serviceElementType: 'OSCI_ADDRESSEE', serviceElementUri: endpoint },
    { serviceElementId: 2, providerId: 1, serviceElementType: 'SIGNATURE_CERTIFICATE', signatureCertificate: { content: certB64 } },
  ],
});
const soon = (ms = 5000): number => Date.now() + ms;

describe('DVDV client', () => {
  it('finds a service description by organisation key and service URI; 204 and 404/5005 are "none"', async () => {
    const srv = await serve((req, res) => {
      const q = requestJson(req);
      if (q['organizationKey'] === 'ags:09162000') return json(res, 200, service('https://by.example/xmeld', 'AAAA'));
      if (q['organizationKey'] === 'ags:01999001') return res.writeHead(204).end();
      json(res, 404, { type: 'problems/type/NOT_FOUND', title: 'Nicht gefunden', status: 404, detail: '5005: Kein Dienst zum Organisationsschlüssel' }, 'application/problem+json');
    });
    const c = new DvdvClient({ servers: [srv.url], entryPath: 'intern/directory' });
    const uri = serviceUriFor('personensuche', '26.11');
    const found = await c.findServiceDescription('ags:09162000', uri, soon());
    expect(targetFromService('ags:09162000', found!)).toEqual({ organizationKey: 'ags:09162000', endpoint: 'https://by.example/xmeld', signatureCertificates: ['AAAA'] });
    expect(await c.findServiceDescription('ags:01999001', uri, soon())).toBeUndefined();
    expect(await c.findServiceDescription('ags:99999999', uri, soon())).toBeUndefined();
    expect(srv.hits[0]).toMatch(/^GET \/dvdv2-backend\/intern\/directory\/v2\/findservicedescription\?request_json=/);
    expect(requestJson({ url: srv.hits[0]!.slice(4) } as IncomingMessage)).toEqual({ organizationKey: 'ags:09162000', serviceSpecificationUri: uri });
  });

  it('fails over to the next server and stays there (sticky)', async () => {
    const down = await serve((_req, res) => res.writeHead(503).end());
    const up = await serve((_req, res) => json(res, 200, { verifyCategory: true }));
    const c = new DvdvClient({ servers: [down.url, up.url], entryPath: 'intern/directory' });
    expect(await c.verifyCategory('ab', 'Meldebehörde', soon())).toBe(true);
    expect(c.activeServer).toBe(up.url);
    expect(await c.verifyCategory('ab', 'Meldebehörde', soon())).toBe(true);
    expect(down.hits).toHaveLength(1);
    expect(up.hits).toHaveLength(2);
  });

  it('calls failing over at the same time all reach the next server (none is sent back to the failed one)', async () => {
    const down = await serve((_req, res) => res.writeHead(503).end());
    const up = await serve((_req, res) => json(res, 200, { verifyCategory: true }));
    const c = new DvdvClient({ servers: [down.url, up.url], entryPath: 'intern/directory' });
    const answers = await Promise.allSettled(Array.from({ length: 16 }, () => c.verifyCategory('ab', 'Meldebehörde', soon())));
    expect(answers.map((a) => a.status === 'fulfilled' && a.value)).toEqual(Array(16).fill(true));
    expect(down.hits).toHaveLength(16);
    expect(up.hits).toHaveLength(16);
    expect(c.activeServer).toBe(up.url);
  });

  it('a slow server is given up at the deadline with a typed timeout', async () => {
    const slow = await serve((_req, res) => setTimeout(() => json(res, 200, { verifyCategory: true }), 3000));
    const c = new DvdvClient({ servers: [slow.url], entryPath: 'intern/directory' });
    const err = await c.verifyCategory('ab', 'x', soon(200)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DvdvError);
    expect((err as DvdvError).failure).toBe('timeout');
    expect((err as DvdvError).toTechnicalFailure().failure).toBe('directory');
  });

  it('an unreachable only server is "unreachable"', async () => {
    const gone = await serve(() => undefined);
    const url = gone.url;
    const s = servers.pop()!;
    await new Promise<void>((r) => s.close(() => r()));
    const c = new DvdvClient({ servers: [url], entryPath: 'intern/directory' });
    await expect(c.findCertificateByFingerprint('ab', soon())).rejects.toMatchObject({ failure: 'unreachable' });
  });

  it('batch calls are split into chunks of at most 200 items', async () => {
    const sizes: number[] = [];
    const srv = await serve((_req, res, body) => {
      const items = JSON.parse(body) as unknown[];
      sizes.push(items.length);
      json(res, 200, items.map(() => ({ verifyCategory: false })));
    });
    const c = new DvdvClient({ servers: [srv.url], entryPath: 'intern/directory' });
    const out = await c.batchVerifyCategory(Array.from({ length: 450 }, (_, i) => ({ fingerPrint: String(i), category: 'c' })), soon());
    expect(out).toHaveLength(450);
    expect(sizes).toEqual([200, 200, 50]);
    expect(srv.hits[0]).toBe('POST /dvdv2-backend/intern/directory/v2/batch/verifycategory');
  });

  for (const name of ['mirror', 'land-09'] as const) {
    it(`extern entry path: token from a JWT client assertion signed with the ${name} key, sent as EmbeddedBearer`, async () => {
      const pki = await loadTestPki();
      const id = pki.identities[name];
      const fp = dvdvFingerprint(id.certPem);
      let assertionOk = false;
      let alg = '';
      const srv = await serve((req, res, body) => {
        if (req.url!.endsWith('/extern/standaloneauth/token')) {
          const form = new URLSearchParams(body);
          const [h, p, s] = form.get('client_assertion')!.split('.');
          const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string };
          const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { sub: string };
          alg = header.alg;
          const key = createPublicKey(new X509Certificate(id.certPem).publicKey.export({ type: 'spki', format: 'pem' }));
          const opts = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
          assertionOk = payload.sub === `fp:${fp}` && form.get('grant_type') === 'client_credentials' &&
            verify(`sha${alg.slice(2)}`, Buffer.from(`${h}.${p}`), opts, Buffer.from(s!, 'base64url'));
          return json(res, 200, { accessToken: 'tok-1', expiresIn: 86400, tokenType: 'Bearer' });
        }
        if (req.headers.authorization !== 'EmbeddedBearer tok-1') return json(res, 401, { title: 'no' });
        json(res, 200, { content: 'AAAA', fingerprint: fp });
      });
      const c = new DvdvClient({ servers: [srv.url], entryPath: 'extern/standaloneauth/directory', auth: { keyPem: id.keyPem, certPem: id.certPem } });
      expect(await c.findCertificateByFingerprint(fp, soon())).toMatchObject({ fingerprint: fp });
      await c.findCertificateByFingerprint(fp, soon());
      expect(assertionOk).toBe(true);
      expect(alg).toBe(id.keyType === 'ec' ? 'ES256' : 'RS256');
      expect(srv.hits.filter((h) => h.includes('/token'))).toHaveLength(1); // token reused
      expect(srv.hits[1]).toMatch(/extern\/standaloneauth\/directory\/v2\/findCertificateByFingerprint\?request_json=/);
      expect(algorithmFor(createPublicKey(id.certPem) as never, true)).toBe(id.keyType === 'ec' ? 'ES256' : 'PS256');
    });
  }
});
