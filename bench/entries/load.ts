/**
 * Bench child process: the load generator (undici). Driven by the parent over IPC:
 *   {type:'run', id, job: LoadJob}  →  {type:'result', id, result: LoadResult}
 * Requests to the gateway are 1330s from the mirror backend, each with a fresh nachrichtenUUID,
 * signed with the mirror's test key when `signed`. Requests straight to the simulator are the
 * gateway's forwarded form (gw:vorgang header), signed with the gateway's key when `signed` —
 * they measure the register's own time.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { type SignerIdentity } from '../../src/security/signer.js';
import { testSigner } from '../../src/security/test-pki.js';
import { writeEnvelope } from '../../src/soap/write-envelope.js';
import { SOAP11_HEADERS, envelope11, headerPadding, message1330, percentiles, type Percentiles } from '../lib/common.js';
import { loadBenchPki, mirrorSigner } from '../lib/security-wiring.js';

export interface LoadJob {
  /** Origin, e.g. http://127.0.0.1:1234 */
  origin: string;
  path: string;
  /** gateway: a caller's 1330; register: the gateway's forwarded 1330. */
  shape: 'gateway' | 'register';
  signed: boolean;
  /** test PKI whose mirror/gateway keys sign the requests */
  pkiDir?: string;
  mode: 'closed' | 'open';
  concurrency?: number;
  /** open loop: requests per second */
  rate?: number;
  durationMs?: number;
  /** stop after this many completed requests (closed loop) */
  count?: number;
  /** messages signed before the clock starts (the rest are signed on the fly) */
  presign?: number;
  /** report progress every n completions */
  progressEvery?: number;
  /** a second client sending one large message after the other on its own connection */
  large?: { bytes: number; presign?: number };
}

export interface LoadResult {
  completed: number;
  errors: number;
  errorSample?: string;
  elapsedMs: number;
  throughput: number;
  latency: Percentiles;
  signedOnTheFly: number;
  large?: { sent: number; errors: number; latency: Percentiles; bytes: number; status?: number; errorSample?: string };
}

const TTL_SECONDS = 1800; // pre-signed messages stay fresh for the whole phase

let mirror: SignerIdentity | undefined;
let gatewayKey: SignerIdentity | undefined;
async function signers(dir?: string): Promise<void> {
  if (mirror) return;
  const pki = await loadBenchPki(dir);
  mirror = mirrorSigner(pki);
  gatewayKey = testSigner(pki.identities.gateway);
}

let vorgangSeq = 0;
function build(shape: LoadJob['shape'], signed: boolean, headerPad = ''): string {
  const msg = message1330(randomUUID());
  let xml: string;
  if (shape === 'gateway') xml = envelope11(msg, headerPad);
  else xml = writeEnvelope({ version: '1.1', body: msg, vorgangsnummer: `03-20261123-${String(++vorgangSeq).padStart(9, '0')}` });
  if (!signed) return xml;
  const key = shape === 'gateway' ? mirror : gatewayKey;
  if (!key) throw new Error('signers not loaded');
  return signEnvelope(xml, key, { ttlSeconds: TTL_SECONDS });
}

/** What went wrong, without the personal data of the answer. */
function describe(body: string): string {
  const fault = /<faultstring[^>]*>([^<]*)/.exec(body)?.[1] ?? /<(?:\w+:)?Text[^>]*>([^<]*)/.exec(body)?.[1];
  if (fault) return `fault: ${fault}`;
  const rw = /rueckweisung[\s\S]*?<code>([^<]*)<\/code>[\s\S]*?(?:<(?:\w+:)?freitext>([^<]*))?/.exec(body);
  if (rw) return `rueckweisung ${rw[1]}${rw[2] ? ` (${rw[2]})` : ''}`;
  const status = /ergebnisstatus>[\s\S]*?<code>([^<]*)/.exec(body)?.[1];
  return status ? `ergebnisstatus ${status}` : body.slice(0, 200);
}

function isHit(status: number, body: string): boolean {
  return status === 200 && body.includes('antwort.1331') && !body.includes('rueckweisung') && !body.includes(':Fault');
}

function okRegister(status: number, body: string): boolean {
  return status === 200 && body.includes('antwort.1331');
}

async function run(job: LoadJob, progress: (done: number) => void): Promise<LoadResult> {
  if (job.signed) await signers(job.pkiDir);
  const pool = new Pool(job.origin, {
    connections: job.mode === 'open' ? 512 : (job.concurrency ?? 1),
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const pre: string[] = [];
  for (let i = 0; i < (job.presign ?? 0); i++) pre.push(build(job.shape, job.signed));
  let onTheFly = 0;
  const next = (): string => {
    const p = pre.pop();
    if (p !== undefined) return p;
    if (job.signed) onTheFly++;
    return build(job.shape, job.signed);
  };
  const ok = job.shape === 'gateway' ? isHit : okRegister;
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let errorSample: string | undefined;
  const send = async (body: string, since: number): Promise<void> => {
    try {
      const res = await pool.request({ path: job.path, method: 'POST', headers: SOAP11_HEADERS, body });
      const text = await res.body.text();
      latencies.push(performance.now() - since);
      if (!ok(res.statusCode, text)) {
        errors++;
        errorSample ??= `HTTP ${res.statusCode}: ${describe(text)}`;
      }
    } catch (e) {
      latencies.push(performance.now() - since);
      errors++;
      errorSample ??= String(e);
    }
    completed++;
    if (job.progressEvery && completed % job.progressEvery === 0) progress(completed);
  };

  // the large-message client: its own pool (one connection), one message after the other
  let largeRun: Promise<LoadResult['large']> | undefined;
  let stopLarge = false;
  if (job.large) {
    const pad = headerPadding(job.large.bytes);
    // every large message needs its own nachrichtenUUID (replay protection): build them up front
    const bigs: Buffer[] = Array.from({ length: job.large.presign ?? 1 }, () => Buffer.from(build('gateway', job.signed, pad)));
    const nextBig = (): Buffer => bigs.pop() ?? Buffer.from(build('gateway', job.signed, pad));
    const bigBytes = bigs[0]?.length ?? 0;
    const bigPool = new Pool(job.origin, { connections: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
    largeRun = (async () => {
      const lat: number[] = [];
      let errs = 0;
      let status: number | undefined;
      let sample: string | undefined;
      while (!stopLarge) {
        let t = performance.now();
        try {
          const body = nextBig();
          t = performance.now();
          const res = await bigPool.request({ path: job.path, method: 'POST', headers: SOAP11_HEADERS, body });
          const text = await res.body.text();
          status = res.statusCode;
          if (!isHit(res.statusCode, text)) {
            errs++;
            sample ??= `HTTP ${res.statusCode}: ${/<faultstring[^>]*>([^<]*)/.exec(text)?.[1] ?? text.slice(0, 200)}`;
          }
        } catch (e) {
          errs++;
          sample ??= String(e);
        }
        lat.push(performance.now() - t);
      }
      await bigPool.close();
      return { sent: lat.length, errors: errs, latency: percentiles(lat), bytes: bigBytes, ...(status !== undefined ? { status } : {}), ...(sample ? { errorSample: sample } : {}) };
    })();
  }

  const t0 = performance.now();
  const deadline = job.durationMs === undefined ? Infinity : t0 + job.durationMs;
  if (job.mode === 'closed') {
    const target = job.count ?? Infinity;
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < target && performance.now() < deadline) {
        started++;
        const body = next();
        await send(body, performance.now());
      }
    };
    await Promise.all(Array.from({ length: job.concurrency ?? 1 }, worker));
  } else {
    const rate = job.rate ?? 1;
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    // latency is measured from the intended send time (no coordinated omission)
    while (performance.now() < deadline) {
      const now = performance.now();
      const due = Math.floor(((now - t0) * rate) / 1000);
      while (sent < due) {
        const intended = t0 + (sent * 1000) / rate;
        sent++;
        const p = send(next(), intended);
        inFlight.add(p);
        void p.then(() => inFlight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inFlight);
  }
  const elapsedMs = performance.now() - t0;
  stopLarge = true;
  const large = largeRun ? await largeRun : undefined;
  await pool.close();
  return {
    completed,
    errors,
    ...(errorSample ? { errorSample } : {}),
    elapsedMs,
    throughput: (completed * 1000) / elapsedMs,
    latency: percentiles(latencies),
    signedOnTheFly: onTheFly,
    ...(large ? { large } : {}),
  };
}

process.on('message', (m: { type: string; id: number; job: LoadJob }) => {
  if (m.type === 'stop') process.exit(0);
  if (m.type !== 'run') return;
  run(m.job, (done) => process.send?.({ type: 'progress', id: m.id, done }))
    .then((result) => process.send?.({ type: 'result', id: m.id, result }))
    .catch((e: unknown) => process.send?.({ type: 'error', id: m.id, error: String(e instanceof Error ? e.stack : e) }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', pid: process.pid });
