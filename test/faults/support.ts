/**
 * Support of the fault tests: real gateway processes (`src/cli/main.ts start`) on a temporary
 * configuration derived from config/default.yaml, the simulated registers in the test process,
 * signed queries, timed sends, and clean-up of Redis keys and PostgreSQL schemas.
 */
import { freePort } from '../support/free-port.js';
import { keysOf } from '../queue/support.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent, request } from 'undici';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createLogger } from '../../src/log/logger.js';
import { createProtocolStore } from '../../src/protocol/create-protocol-store.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { VerifyReport } from '../../src/protocol/protocol-store.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { startSimulatedRegisters, type SimulatedRegisters } from '../../src/simulator/server.js';
import { simulatorSecurity } from '../../src/simulator/simulator-security.js';
import { answerFacts, type AnswerFacts } from '../support/answer-facts.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { envelope } from '../support/soap-post.js';
import { loadTestPki, signAs, testPkiDir, withFreshUuid } from '../support/test-pki.js';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A run id, used for the Redis key prefix and the PostgreSQL schema of one test. */
export function runId(): string {
  return randomBytes(4).toString('hex');
}


// ---------------------------------------------------------------------------------------------
// Simulated registers and signed queries

export async function startRegisters(slowDelayMs: number): Promise<{ pki: TestPki; simulator: SimulatedRegisters }> {
  const pki = await loadTestPki();
  const simulator = await startSimulatedRegisters({
    port: 0, logger: createLogger('silent'), security: simulatorSecurity(pki), slowDelayMs,
  });
  return { pki, simulator };
}

/** Fixture queries used by the fault tests, with what the caller must get when all goes well. */
export const QUERIES = {
  hit: { file: '1330-unique-hit.xml', ergebnisstatus: '01' },
  list: { file: '1330-trefferliste.xml', ergebnisstatus: '02' },
  none: { file: '1330-not-found.xml', ergebnisstatus: '03' },
  family: { file: '1330-family-hit.xml', ergebnisstatus: '01' },
  /** Magic name Langsam: held by the simulator for its slowDelayMs, then answered 03. */
  slow: { file: '1330-slow.xml', ergebnisstatus: '03' },
} as const;
export type QueryKind = keyof typeof QUERIES;

const fixtureText = new Map<string, string>();
function fixture(file: string): string {
  let text = fixtureText.get(file);
  if (text === undefined) {
    text = readFileSync(path.join(fixturesDir, 'queries', file), 'utf8');
    fixtureText.set(file, text);
  }
  return text;
}

/** A fixture query in a SOAP 1.1 envelope, signed as the mirror backend, with a fresh nachrichtenUUID. */
export function signedQuery(pki: TestPki, kind: QueryKind): { xml: string; uuid: string } {
  const fresh = withFreshUuid(fixture(QUERIES[kind].file));
  return { xml: signAs(pki, envelope(fresh.xml, '1.1'), 'mirror'), uuid: fresh.uuid };
}

// ---------------------------------------------------------------------------------------------
// Sending, timed

export interface SendResult {
  kind: QueryKind;
  /** Index of the instance the query went to. */
  to: number;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or undefined when the request failed below HTTP (reset, refused). */
  status?: number;
  /** The error code of a failed request (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, …). */
  error?: string;
  facts?: AnswerFacts;
}

/** One connection pool for the test's sends; keep-alive off so every send is a fresh connection. */
export function newAgent(): Agent {
  return new Agent({ pipelining: 0, connections: 512 });
}

/** POSTs a signed query; any HTTP answer is read, a transport failure is recorded, never thrown. */
export async function sendQuery(
  agent: Agent, endpoint: string, xml: string, meta: { kind: QueryKind; to: number }, hangAfterMs: number,
): Promise<SendResult> {
  const startedAt = Date.now();
  try {
    const res = await request(endpoint, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:xmeld-gateway:1:personensuche"', connection: 'close' },
      body: xml,
      // A hang is turned into a recorded failure instead of a stuck test.
      signal: AbortSignal.timeout(hangAfterMs),
      headersTimeout: hangAfterMs,
      bodyTimeout: hangAfterMs,
    });
    const body = await res.body.text();
    let facts: AnswerFacts | undefined;
    try {
      facts = answerFacts(body);
    } catch {
      facts = undefined;
    }
    return { ...meta, startedAt, endedAt: Date.now(), status: res.statusCode, ...(facts ? { facts } : {}) };
  } catch (e) {
    return { ...meta, startedAt, endedAt: Date.now(), error: errorCode(e) };
  }
}

function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur !== undefined && cur !== null; i++) {
    const c = cur as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return String(c.name);
    cur = c.cause;
  }
  return e instanceof Error ? e.name : 'unknown';
}

/** What an HTTP answer says, in one word: `01`/`02`/`03`, `r16`, `r<codes>`, `fault:<rts>`, `http:<status>`. */
export function verdict(r: SendResult): string {
  if (r.status === undefined) return `error:${r.error ?? '?'}`;
  const f = r.facts;
  if (f === undefined) return `http:${r.status}`;
  if (f.faultCode !== undefined) return `fault:${f.rts ?? f.faultCode}`;
  if (f.rueckweisung.length > 0) return `r${f.rueckweisung.join('+')}`;
  if (f.ergebnisstatus !== undefined) return f.ergebnisstatus;
  return `http:${r.status}`;
}

/** A 1331 the caller can use: the expected ergebnisstatus or rueckweisung 16. */
export function isAnswerOr16(r: SendResult): boolean {
  if (r.status !== 200 || r.facts === undefined) return false;
  if (r.facts.messageRoot === undefined || !r.facts.messageRoot.endsWith('1331')) return false;
  const v = verdict(r);
  return v === QUERIES[r.kind].ergebnisstatus || v === 'r16';
}

export function tally(results: SendResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const key = verdict(r);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Gateway processes

export interface GatewayProcessOptions {
  simulator: SimulatedRegisters;
  redisUrl: string;
  prefix: string;
  databaseUrl: string;
  schema: string;
  deadlineMs: number;
  /** Shared by instances that share queues. */
  queueKey: string;
  /** More arguments for `start`, e.g. `['--workers', '2']`. */
  args?: string[];
  /** More `http` settings (e.g. shutdownGraceMs). */
  http?: Record<string, unknown>;
}

/** The shipped default configuration, pointed at the simulator, Redis, PostgreSQL and a fixed free port. */
export function gatewayYaml(port: number, o: GatewayProcessOptions): string {
  const raw = parseYaml(readFileSync(path.join(projectRoot, 'config/default.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  raw['http'] = { ...raw['http'], host: '127.0.0.1', port, requestDeadlineMs: o.deadlineMs, ...o.http };
  const routes = raw['routes'] as { mirror: { url: string }; laender: Record<string, { url: string }> };
  routes.mirror.url = o.simulator.urlFor('mirror');
  for (const land of LAND_CODES) {
    const route = routes.laender[land];
    if (route !== undefined) route.url = o.simulator.urlFor(land);
  }
  raw['security'] = { ...raw['security'], testPki: testPkiDir() };
  raw['queue'] = { redisUrl: o.redisUrl, prefix: o.prefix };
  raw['protocol'] = { databaseUrl: o.databaseUrl, schema: o.schema };
  raw['log'] = { level: 'warn' };
  return stringifyYaml(raw);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal sent by stop()/kill() to the exit. */
  afterSignalMs?: number;
}

/** One `xmeld-gateway start` process. */
export class GatewayProcess {
  private output = '';
  private signalledAt: number | undefined;
  readonly exited: Promise<ExitInfo>;

  private constructor(
    readonly port: number,
    readonly configFile: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        rmSync(this.dir, { recursive: true, force: true });
        resolve({ code, signal, ...(this.signalledAt === undefined ? {} : { afterSignalMs: Date.now() - this.signalledAt }) });
      });
    });
  }

  static async start(o: GatewayProcessOptions): Promise<GatewayProcess> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-fault-'));
    const configFile = path.join(dir, 'gateway.yaml');
    writeFileSync(configFile, gatewayYaml(port, o));
    const env: NodeJS.ProcessEnv = { ...process.env, XMELD_QUEUE_KEY: o.queueKey };
    // The environment would override the YAML's connection strings and port.
    for (const k of ['REDIS_URL', 'DATABASE_URL', 'XMELD_HTTP_PORT', 'XMELD_GATEWAY_CONFIG', 'NODE_OPTIONS']) delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configFile, ...(o.args ?? [])], {
      cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gw = new GatewayProcess(port, configFile, child, dir);
    await gw.waitReady(30_000);
    return gw;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get endpoint(): string {
    return `${this.url}/xmeld`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** GET /ready: the status code, or undefined when nothing answers. */
  async ready(timeoutMs = 2_000): Promise<number | undefined> {
    try {
      const res = await request(`${this.url}/ready`, { signal: AbortSignal.timeout(timeoutMs), headers: { connection: 'close' } });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return undefined;
    }
  }

  async waitReady(withinMs: number): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < withinMs) {
      if (!this.running) throw new Error(`gateway exited during start-up:\n${this.output}`);
      if (await this.ready() === 200) return;
      await sleep(100);
    }
    throw new Error(`gateway not ready within ${withinMs} ms:\n${this.output}`);
  }

  /** Waits until the process has written a line matching `pattern`. */
  async waitForOutput(pattern: RegExp, withinMs: number): Promise<void> {
    const t0 = Date.now();
    while (!pattern.test(this.output)) {
      if (!this.running) throw new Error(`gateway exited:\n${this.output}`);
      if (Date.now() - t0 > withinMs) throw new Error(`no output matching ${pattern} within ${withinMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    this.signalledAt = Date.now();
    this.child.kill(sig);
  }

  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits for its exit. */
  async stop(graceMs = 15_000): Promise<ExitInfo> {
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Protocol

/**
 * The operator partition of a PostgreSQL protocol schema, read through the store API as the DPO
 * would: records grouped per Vorgangsnummer in chain order, and the chain verification.
 */
export async function readProtocol(databaseUrl: string, schema: string): Promise<{ chains: Map<string, ProtocolRecord[]>; verify: VerifyReport }> {
  const store = await createProtocolStore({ databaseUrl, schema });
  try {
    const chains = new Map<string, ProtocolRecord[]>();
    for await (const r of store.export({}, { kind: 'dpo', id: 'fault-test', purpose: 'test' })) {
      const list = chains.get(r.vorgangsnummer) ?? [];
      list.push(r);
      chains.set(r.vorgangsnummer, list);
    }
    return { chains, verify: await store.verify() };
  } finally {
    await store.close();
  }
}

/** The hops of one Vorgang, in order. */
export function hopsOf(chains: Map<string, ProtocolRecord[]>, vorgangsnummer: string | undefined): string[] {
  return vorgangsnummer === undefined ? [] : (chains.get(vorgangsnummer) ?? []).map((r) => r.hop);
}

// ---------------------------------------------------------------------------------------------
// Clean-up

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    const keys = await keysOf(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    return keys.length;
  } finally {
    redis.disconnect();
  }
}


export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
