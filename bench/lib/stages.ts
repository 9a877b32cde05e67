/**
 * Per-stage costs in-process, over the project's own functions, on a typical 1330 (the fixture
 * unique hit, signed by the mirror) and its 1331 (a real simulator answer, signed as land-09).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalizeAnswer, type NormalizeContext } from '../../src/answer/normalize-answer.js';
import { readEnvelope } from '../../src/soap/read-envelope.js';
import { writeEnvelope } from '../../src/soap/write-envelope.js';
import { parseHardened } from '../../src/xml/parse-hardened.js';
import { selfContainedXml } from '../../src/xml/self-contained.js';
import { XmeldSchema } from '../../src/xml/xsd-validator.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { releaseOfNamespace } from '../../src/xmeld/releases.js';
import { readQuery } from '../../src/xmeld/read-query.js';
import { ProtocolTrail } from '../../src/intake/protocol-trail.js';
import { GroupCommitAppender } from '../../src/protocol/group-commit-appender.js';
import { PGliteProtocolStore } from '../../src/protocol/pglite-store.js';
import { SqliteProtocolStore } from '../../src/protocol/sqlite-store.js';
import { PostgresProtocolStore } from '../../src/protocol/postgres-store.js';
import type { ProtocolStore } from '../../src/protocol/protocol-store.js';
import { TrustStore } from '../../src/security/trust.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { verifyAndTrust } from '../../src/security/verify-and-trust.js';
import { verifyEnvelope } from '../../src/security/wss-verify.js';
import { testSigner, type TestPki } from '../../src/security/test-pki.js';
import { startSimulatedRegisters } from '../../src/simulator/server.js';
import { SOAP11_HEADERS, envelope11, headerPadding, message1330 } from './common.js';
import { party } from './security-wiring.js';
import { ANSWER_STRUCTURE_LIMITS } from '../../src/xml/structure-limits.js';

export interface StageResult { stage: string; message: string; usPerOp: number; opsPerSec: number; iterations: number; note?: string }

/** Runs fn repeatedly for about `ms` (after a short warm-up); returns µs per call. */
export async function timeIt(fn: () => unknown, ms = 1000, minIter = 20): Promise<{ us: number; n: number }> {
  const warm = performance.now();
  while (performance.now() - warm < Math.min(200, ms / 4)) await fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms || n < minIter) {
    await fn();
    n++;
  }
  return { us: ((performance.now() - t0) * 1000) / n, n };
}

export interface Material {
  dir: string;
  /** caller → gateway: the 1330 envelope, signed by the mirror (RSA) */
  req1330Signed: Buffer;
  req1330Unsigned: string;
  /** the gateway's forwarded envelope before signing (gw:vorgang header) */
  forwardUnsigned: string;
  /** the register's 1331 envelope, unsigned and signed by land-09 (P-256) */
  reply1331Unsigned: string;
  reply1331Signed: Buffer;
  /** the same 1331 signed with an RSA key (for the RSA comparison with xmlsec) */
  reply1331SignedRsa: Buffer;
  bare1330: string;
  bare1331: string;
  /** the 1330 envelope with ~5 MB of extra SOAP header elements, signed by the mirror */
  big1330Signed: Buffer;
  files: Record<string, string>;
}

export async function prepareMaterial(pki: TestPki): Promise<Material> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-bench-msg-'));
  const mirror = testSigner(pki.identities.mirror);
  const bare1330 = message1330(randomUUID());
  const req1330Unsigned = envelope11(bare1330);
  const req1330Signed = Buffer.from(signEnvelope(req1330Unsigned, mirror));
  const forwardUnsigned = writeEnvelope({ version: '1.1', body: bare1330, vorgangsnummer: '03-20261123-000000001' });
  // a real answer of the simulated register of Land 09 (in-process, unsigned)
  const sim = await startSimulatedRegisters({ port: 0 });
  const res = await fetch(sim.urlFor('09'), { method: 'POST', headers: SOAP11_HEADERS, body: forwardUnsigned });
  const reply1331Unsigned = (await res.text()).replace(/^<\?xml[^?]*\?>\s*/, '');
  await sim.close();
  if (!reply1331Unsigned.includes('antwort.1331')) throw new Error(`simulator did not answer with a 1331: ${reply1331Unsigned.slice(0, 200)}`);
  const reply1331Signed = Buffer.from(signEnvelope(reply1331Unsigned, testSigner(pki.identities['land-09'])));
  const reply1331SignedRsa = Buffer.from(signEnvelope(reply1331Unsigned, testSigner(pki.identities['authority-plain'])));
  const doc = parseHardened(Buffer.from(reply1331Unsigned));
  const bare1331 = selfContainedXml(readEnvelope(doc).message);
  doc.dispose();
  const files: Record<string, string> = {};
  const put = (name: string, content: string | Buffer): void => {
    files[name] = path.join(dir, name);
    writeFileSync(files[name], content);
  };
  put('req1330-signed.xml', req1330Signed);
  put('req1330-unsigned.xml', req1330Unsigned);
  put('forward-unsigned.xml', forwardUnsigned);
  put('reply1331-unsigned.xml', reply1331Unsigned);
  put('reply1331-signed-ec.xml', reply1331Signed);
  put('reply1331-signed-rsa.xml', reply1331SignedRsa);
  const big1330Signed = Buffer.from(signEnvelope(envelope11(message1330(randomUUID()), headerPadding(5 * 1024 * 1024)), mirror));
  put('big1330-signed.xml', big1330Signed);
  put('bare1330.xml', bare1330);
  put('bare1331.xml', bare1331);
  return { dir, req1330Signed, req1330Unsigned, forwardUnsigned, reply1331Unsigned, reply1331Signed, reply1331SignedRsa, bare1330, bare1331, big1330Signed, files };
}

export async function runStages(pki: TestPki, m: Material, opts: { ms: number; databaseUrl?: string; log: (s: string) => void }): Promise<StageResult[]> {
  const out: StageResult[] = [];
  const add = (stage: string, message: string, r: { us: number; n: number }, note?: string): void => {
    out.push({ stage, message, usPerOp: r.us, opsPerSec: 1e6 / r.us, iterations: r.n, ...(note ? { note } : {}) });
    opts.log(`  ${stage.padEnd(34)} ${message.padEnd(22)} ${r.us.toFixed(1).padStart(9)} µs`);
  };
  const ms = opts.ms;

  // hardened parse (libxml2-wasm), document freed each time
  add('parse (parseHardened)', '1330 signed env', await timeIt(() => parseHardened(m.req1330Signed).dispose(), ms));
  add('parse (parseHardened)', '1331 signed env', await timeIt(() => parseHardened(m.reply1331Signed).dispose(), ms));

  add('parse (parseHardened)', '5 MB signed env', await timeIt(() => parseHardened(m.big1330Signed, { maxBytes: 8 * 1024 * 1024, structure: ANSWER_STRUCTURE_LIMITS }).dispose(), ms, 3));

  // XSD validation of the message element in place
  const schema = XmeldSchema.load();
  for (const [label, buf] of [['1330', m.req1330Signed], ['1331', m.reply1331Signed]] as const) {
    const doc = parseHardened(buf);
    const el = readEnvelope(doc).message;
    if (!schema.validate(el).ok) opts.log(`  (!) ${label} is not schema-valid`);
    add('xsd validate (XmeldSchema)', label, await timeIt(() => schema.validate(el), ms));
    doc.dispose();
  }

  // WS-Security verify: signature only, and with signer trust (cached) as the gateway does
  const trustStore = new TrustStore();
  const mirrorParty = party(pki, 'mirror', [pki.identities.mirror.subject]);
  const landParty = party(pki, 'land-09', [pki.identities['land-09'].subject, pki.identities['authority-plain'].subject]);
  add('verify (verifyEnvelope)', '1330 RSA', await timeIt(() => verifyEnvelope(m.req1330Signed), ms));
  add('verify (verifyEnvelope)', '1331 P-256', await timeIt(() => verifyEnvelope(m.reply1331Signed), ms));
  add('verify (verifyEnvelope)', '1331 RSA', await timeIt(() => verifyEnvelope(m.reply1331SignedRsa), ms));
  add('verify (verifyEnvelope)', '5 MB signed env', await timeIt(() => verifyEnvelope(m.big1330Signed), ms, 3));
  add('verify+trust (verifyAndTrust)', '1330 RSA', await timeIt(() => verifyAndTrust(m.req1330Signed, () => mirrorParty, { trustStore }), ms));
  add('verify+trust (verifyAndTrust)', '1331 P-256', await timeIt(() => verifyAndTrust(m.reply1331Signed, () => landParty, { trustStore }), ms));

  // sign: what the gateway does twice per query
  const gw = testSigner(pki.identities.gateway);
  const answerEnvelope = writeEnvelope({ version: '1.1', body: m.bare1331, vorgangsnummer: '03-20261123-000000001' });
  add('sign (signEnvelope, gateway key)', '1330 forward', await timeIt(() => signEnvelope(m.forwardUnsigned, gw), ms));
  add('sign (signEnvelope, gateway key)', '1331 answer', await timeIt(() => signEnvelope(answerEnvelope, gw), ms));

  // normalize a register reply (verify as the gateway would: signature + trust of land-09)
  const releaseSchemas = ReleaseSchemas.load();
  const queryUuid = /<nachrichtenUUID>([^<]*)</.exec(m.bare1330)?.[1] ?? '';
  const replyDoc = parseHardened(m.reply1331Signed);
  const release = releaseOfNamespace(readEnvelope(replyDoc).message.namespaceUri) ?? '26.11';
  replyDoc.dispose();
  const ctxBase = {
    answerNumber: '1331' as const, queryUuid, validator: releaseSchemas.validator, sentRelease: release, callerRelease: release,
    limits: { maxBytes: 8 * 1024 * 1024, structure: ANSWER_STRUCTURE_LIMITS },
  };
  const unsignedVerify = async (_raw: Buffer, env: { message: unknown }): Promise<never> =>
    ({ message: env.message, release: () => undefined }) as never;
  const signedVerify = async (raw: Buffer, env: { message: unknown }): Promise<never> => {
    await verifyAndTrust(raw, () => landParty, { trustStore });
    return { message: env.message, release: () => undefined } as never;
  };
  const replyU = { status: 200, contentType: 'text/xml', body: Buffer.from(m.reply1331Unsigned) };
  const replyS = { status: 200, contentType: 'text/xml', body: m.reply1331Signed };
  const ctxU: NormalizeContext = { ...ctxBase, verify: unsignedVerify };
  const ctxS: NormalizeContext = { ...ctxBase, verify: signedVerify };
  const check = await normalizeAnswer(replyU, ctxU);
  if ((check as { kind: string }).kind !== 'hit') opts.log(`  (!) normalizeAnswer gave ${JSON.stringify(check)}`);
  add('normalize (normalizeAnswer)', '1331 unsigned', await timeIt(() => normalizeAnswer(replyU, ctxU), ms));
  add('normalize (normalizeAnswer)', '1331 P-256 + verify', await timeIt(() => normalizeAnswer(replyS, ctxS), ms));

  // protocol: the records of one query (two appends: received+routed, dispatched+answered+delivered)
  const doc = parseHardened(m.req1330Signed);
  const query = readQuery(readEnvelope(doc).message, '1330');
  doc.dispose();
  let seq = 0;
  const hops = (): [unknown[], unknown[]] => {
    const t = new ProtocolTrail(`03-20261123-${String(++seq).padStart(9, '0')}-bench`, () => new Date());
    t.setQuery(query);
    t.add('received');
    t.add('routed', { target: 'land:09' });
    const first = t.drain();
    t.add('dispatched', { target: 'land:09' });
    t.add('answered', { messageType: '1331', target: 'land:09', outcome: { ergebnisstatus: '01', personCount: 1 } as never });
    t.add('delivered', { messageType: '1331', outcome: { ergebnisstatus: '01', personCount: 1 } as never });
    return [first, t.drain()];
  };
  const diskDir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-bench-pglite-'));
  const stores: Array<[string, () => Promise<ProtocolStore>, string?]> = [
    ['SQLite on disk', () => SqliteProtocolStore.open({ dataDir: `${diskDir}-sqlite` })],
    ['PGlite in-memory', () => PGliteProtocolStore.open({ dataDir: 'memory://' })],
    ['PGlite on disk', () => PGliteProtocolStore.open({ dataDir: diskDir })],
  ];
  const schemaName = `bench_${process.pid}`;
  if (opts.databaseUrl) stores.push(['PostgreSQL', () => PostgresProtocolStore.open({ connectionString: opts.databaseUrl as string, schema: schemaName }), schemaName]);
  for (const [label, open, pgSchema] of stores) {
    let store: ProtocolStore;
    try {
      store = await open();
    } catch (e) {
      opts.log(`  (!) ${label}: ${String(e)}`);
      continue;
    }
    add('protocol append, sequential', `${label} /query`, await timeIt(async () => {
      const [a, b] = hops();
      await store.append(a as never);
      await store.append(b as never);
    }, ms));
    // 32 queries in flight through the group commit (as the gateway's ProtocolWriter does)
    const gc = new GroupCommitAppender(store);
    const r = await timeIt(async () => {
      await Promise.all(Array.from({ length: 32 }, async () => {
        const [a, b] = hops();
        await gc.append(a as never);
        await gc.append(b as never);
      }));
    }, ms, 3);
    add('protocol append, 32 in flight (GC)', `${label} /query`, { us: r.us / 32, n: r.n * 32 });
    if (pgSchema) {
      try {
        await (store as unknown as { driver: { query(s: string): Promise<unknown> } }).driver.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
      } catch { /* left behind: harmless */ }
    }
    await store.close();
  }
  rmSync(diskDir, { recursive: true, force: true });
  rmSync(`${diskDir}-sqlite`, { recursive: true, force: true });
  schema.dispose();
  return out;
}
