/**
 * Support of the fault tests: real gateway processes (`src/cli/main.ts start`) on a temporary
 * configuration derived from config/default.yaml, the simulated registers in the test process,
 * signed queries, timed sends, and clean-up of Redis keys and PostgreSQL schemas.
 */
import { onExitOfTests } from '../support/at-exit.js';
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
import { startSimulatedRegisters, type SimulatedRegisters, type SimulatorOptions } from '../../src/simulator/server.js';
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

export async function startRegisters(
  slowDelayMs: number, more: Pick<SimulatorOptions, 'behaviour' | 'onRequest'> = {},
): Promise<{ pki: TestPki; simulator: SimulatedRegisters }> {
  const pki = await loadTestPki();
  const simulator = await startSimulatedRegisters({
    port: 0, logger: createLogger('silent'), security: simulatorSecurity(pki), slowDelayMs, ...more,
  });
  return { pki, simulator };
}

interface QuerySpec {
  file: string;
  /** What the caller gets when all goes well (`r16` where the target is meant to fail). */
  ergebnisstatus: string;
  /** The query sent to another Land: every occurrence of one AGS replaced by another. */
  retarget?: { from: string; to: string };
}

/** Land 14's register is the one that never answers (HANG_LAND), Land 16's route the one that is down. */
export const HANG_LAND = '14';
export const DOWN_LAND = '16';

/** Fixture queries used by the fault tests, with what the caller must get when all goes well. */
export const QUERIES = {
  hit: { file: '1330-unique-hit.xml', ergebnisstatus: '01' },
  list: { file: '1330-trefferliste.xml', ergebnisstatus: '02' },
  none: { file: '1330-not-found.xml', ergebnisstatus: '03' },
  family: { file: '1330-family-hit.xml', ergebnisstatus: '01' },
  /** Magic name Langsam: held by the simulator for its slowDelayMs, then answered 03. */
  slow: { file: '1330-slow.xml', ergebnisstatus: '03' },
  /** Langsam at Land 14 (Dresden), whose register is set to hold it past any deadline. */
  hang: { file: '1330-slow.xml', ergebnisstatus: 'r16', retarget: { from: '11000000', to: '14612000' } },
  /** A query for Land 16 (Erfurt), where the suite routes to a closed port. */
  dead: { file: '1330-unique-hit.xml', ergebnisstatus: 'r16', retarget: { from: '09162000', to: '16051000' } },
} as const satisfies Record<string, QuerySpec>;
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
  const spec: QuerySpec = QUERIES[kind];
  const text = spec.retarget === undefined ? fixture(spec.file) : fixture(spec.file).replaceAll(spec.retarget.from, spec.retarget.to);
  const fresh = withFreshUuid(text);
  return { xml: signAs(pki, envelope(fresh.xml, '1.1'), 'mirror'), uuid: fresh.uuid };
}

// ---------------------------------------------------------------------------------------------
// Sending, timed

export interface SendResult {
  kind: QueryKind;
  /** Index of the instance the query went to. */
  to: number;
  /** The nachrichtenUUID sent (to find a refusal's `rejected` record). */
  uuid?: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or undefined when the request failed below HTTP (reset, refused). */
  status?: number;
  /** The error code of a failed request (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, …). */
  error?: string;
  facts?: AnswerFacts;
  /** A fault saying the gateway could not write the protocol (S999 'Protokollierung nicht möglich'). */
  protocolUnavailable?: boolean;
  /** Why, in the answer's words: a 1331's rueckweisung freitext, a SOAP 1.1 fault's faultstring. */
  reason?: string;
}

/** One connection pool for the test's sends; keep-alive off so every send is a fresh connection. */
export function newAgent(): Agent {
  return new Agent({ pipelining: 0, connections: 512 });
}

/** POSTs a signed query; any HTTP answer is read, a transport failure is recorded, never thrown. */
export async function sendQuery(
  agent: Agent, endpoint: string, xml: string, meta: { kind: QueryKind; to: number; uuid?: string }, hangAfterMs: number,
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
    const reason = facts?.faultCode !== undefined ? /<faultstring[^>]*>([^<]*)</.exec(body)?.[1] : facts?.freitexte[0];
    return {
      ...meta, startedAt, endedAt: Date.now(), status: res.statusCode, ...(facts ? { facts } : {}),
      ...(facts?.faultCode !== undefined && body.includes('Protokollierung nicht möglich') ? { protocolUnavailable: true } : {}),
      ...(reason === undefined ? {} : { reason }),
    };
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
  /** Without redisUrl: the in-process queue and replay window (embedded defaults). */
  redisUrl?: string;
  prefix?: string;
  /** Without databaseUrl: the embedded protocol store in `dataDir`. */
  databaseUrl?: string;
  schema?: string;
  dataDir?: string;
  deadlineMs: number;
  /** Shared by instances that share queues. */
  queueKey: string;
  /** More arguments for `start`, e.g. `['--workers', '2']`. */
  args?: string[];
  /** More `http` settings (e.g. shutdownGraceMs). */
  http?: Record<string, unknown>;
  /** Länder whose route goes elsewhere than to the simulator (e.g. a closed port). */
  routeOverrides?: Partial<Record<string, string>>;
}

/** The shipped default configuration, pointed at the simulator, Redis, PostgreSQL and a fixed free port. */
export function gatewayYaml(port: number, o: GatewayProcessOptions): string {
  const raw = parseYaml(readFileSync(path.join(projectRoot, 'config/default.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  raw['http'] = { ...raw['http'], host: '127.0.0.1', port, requestDeadlineMs: o.deadlineMs, ...o.http };
  const routes = raw['routes'] as { mirror: { url: string }; laender: Record<string, { url: string }> };
  routes.mirror.url = o.simulator.urlFor('mirror');
  for (const land of LAND_CODES) {
    const route = routes.laender[land];
    if (route !== undefined) route.url = o.routeOverrides?.[land] ?? o.simulator.urlFor(land);
  }
  raw['security'] = { ...raw['security'], testPki: testPkiDir() };
  raw['queue'] = o.redisUrl === undefined ? {} : { redisUrl: o.redisUrl, ...(o.prefix === undefined ? {} : { prefix: o.prefix }) };
  raw['protocol'] = o.databaseUrl === undefined
    ? { ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }) }
    : { databaseUrl: o.databaseUrl, ...(o.schema === undefined ? {} : { schema: o.schema }) };
  // XMELD_FAULT_TEST_LOG=info shows what the processes did (their output is kept in `log`).
  raw['log'] = { level: process.env['XMELD_FAULT_TEST_LOG'] ?? 'warn' };
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
      this.output = (this.output + chunk.toString('utf8')).slice(-(process.env['XMELD_FAULT_TEST_LOG'] === undefined ? 8_000 : 2_000_000));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const forget = onExitOfTests(() => { if (this.running) child.kill('SIGKILL'); });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        forget();
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
    try {
      await gw.waitReady(30_000);
    } catch (e) {
      child.kill('SIGKILL'); // a gateway that did not come up is not left behind
      throw e;
    }
    return gw;
  }

  /** Exited without having been sent a signal by the test: a crash. */
  get crashed(): boolean {
    return !this.running && this.signalledAt === undefined;
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

// ---------------------------------------------------------------------------------------------
// Steady load and the fault report

/**
 * Steady load: `loops` senders per instance, each sending its next signed query (fresh
 * nachrichtenUUID) as soon as the last one ended. An instance taken out of rotation (as a load
 * balancer would after a kill) gets nothing new; what it had in flight is still recorded.
 */
export class SteadyLoad {
  readonly results: SendResult[] = [];
  private stopped = false;
  private readonly retired = new Set<number>();
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly o: { agent: Agent; pki: TestPki; instances: GatewayProcess[]; kinds: QueryKind[]; loopsPerInstance: number; hangAfterMs: number },
  ) {}

  start(): this {
    for (const [to, gw] of this.o.instances.entries()) {
      for (let l = 0; l < this.o.loopsPerInstance; l++) this.loops.push(this.loop(to, gw, l));
    }
    return this;
  }

  /**
   * One more sender of one kind on one instance (e.g. queries to a register that hangs), with a
   * pause between its queries (a register refused at once would otherwise make it a busy loop).
   */
  add(to: number, kinds: QueryKind[], pauseMs = 0): void {
    this.loops.push(this.loop(to, this.o.instances[to] as GatewayProcess, 0, kinds, pauseMs));
  }

  retire(to: number): void {
    this.retired.add(to);
  }

  /** Stops sending and waits for every query in flight to end. */
  async stop(): Promise<SendResult[]> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.results;
  }

  private async loop(to: number, gw: GatewayProcess, offset: number, kinds = this.o.kinds, pauseMs = 0): Promise<void> {
    for (let i = offset; !this.stopped && !this.retired.has(to); i++) {
      const kind = kinds[i % kinds.length] as QueryKind;
      const q = signedQuery(this.o.pki, kind);
      this.results.push(await sendQuery(this.o.agent, gw.endpoint, q.xml, { kind, to, uuid: q.uuid }, this.o.hangAfterMs));
      if (pauseMs > 0) await sleep(pauseMs);
    }
  }
}

/** /health and /ready of each instance, polled: when they answered, what, and how fast. */
export interface Probe { to: number; path: '/health' | '/ready'; at: number; ms: number; status?: number }

/**
 * The prober runs in a process of its own: the test process also runs the simulated registers
 * and signs every query, and its event loop's lag must not count as the gateway's.
 */
const PROBER = `
const [urls, every] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
let stopped = false;
process.stdin.on('data', () => { stopped = true; });
process.stdin.on('end', () => { stopped = true; });
const loops = urls.flatMap((url, to) => ['/health', '/ready'].map(async (path) => {
  while (!stopped) {
    const at = Date.now();
    let status;
    try {
      const res = await fetch(url + path, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } });
      await res.arrayBuffer();
      status = res.status;
    } catch {}
    process.stdout.write(JSON.stringify({ to, path, at, ms: Date.now() - at, status }) + '\\n');
    await new Promise((r) => setTimeout(r, every));
  }
}));
Promise.all(loops).then(() => process.exit(0));
`;

export function pollHealth(instances: GatewayProcess[], everyMs: number): { probes: Probe[]; stop(): Promise<Probe[]> } {
  const probes: Probe[] = [];
  const child = spawn(process.execPath, ['-e', PROBER, JSON.stringify(instances.map((g) => g.url)), String(everyMs)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const forget = onExitOfTests(() => child.kill('SIGKILL'));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const p = JSON.parse(line) as Probe;
      // An instance that is stopping or gone is not judged by its probes.
      if ((instances[p.to] as GatewayProcess).running) probes.push(p);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { forget(); resolve(); }));
  return {
    probes,
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      return probes;
    },
  };
}

/** One row of the fault table. */
export interface FaultRow {
  fault: string;
  sent: number;
  inTime: number;
  /** Answers other than the query's normal one, by code: `r16`, `S999`, `S999 Protokollierung`, `http:503`, … */
  faulted: Record<string, number>;
  lost: number;
  late: number;
  crashed: number;
  trailsComplete: number;
  trailsChecked: number;
  /** From the fault's end to the first query answered normally again (undefined: not measured). */
  recoveryMs?: number;
}

/**
 * The code an answer is counted under in the table's `faulted` column: anything but a real
 * answer (ergebnisstatus) — also rueckweisung 16 where it is the expected outcome of a query to
 * a failing register. Undefined for a real answer, and for no answer (counted as lost).
 */
export function faultCode(r: SendResult): string | undefined {
  const v = verdict(r);
  if (/^0[1-4]$/.test(v) && v === QUERIES[r.kind].ergebnisstatus) return undefined;
  if (r.protocolUnavailable === true) return `${r.facts?.rts ?? 'fault'} Protokollierung`;
  if (v.startsWith('fault:')) return v.slice('fault:'.length);
  if (v.startsWith('error:')) return undefined;
  return v;
}

/** A normal answer: the one the query gets when nothing is wrong. */
export function isNormal(r: SendResult): boolean {
  return r.status !== undefined && verdict(r) === QUERIES[r.kind].ergebnisstatus;
}

/**
 * Time from `faultEnd` to the first normal answer to a query sent after it, from which on every
 * query sent was answered normally (a single lucky answer amid failures is not a recovery).
 * Queries in flight during the fault are judged by the other columns, not here. Undefined: no
 * query sent after the fault's end was answered normally with only normal answers after it.
 */
export function recoveryAfter(results: SendResult[], faultEnd: number, kinds?: QueryKind[]): number | undefined {
  const after = results.filter((r) => r.startedAt >= faultEnd && (kinds === undefined || kinds.includes(r.kind)))
    .sort((x, y) => x.startedAt - y.startedAt);
  let firstOfRun: SendResult | undefined;
  for (const r of after) {
    if (!isNormal(r)) firstOfRun = undefined;
    else firstOfRun ??= r;
  }
  return firstOfRun === undefined ? undefined : Math.max(0, firstOfRun.endedAt - faultEnd);
}

/**
 * Whether each answered query's trail is in the protocol, complete: a 1331 by its
 * Vorgangsnummer, `received` first and exactly one `delivered` last; a SOAP fault by the
 * `rejected` record of its nachrichtenUUID with the fault's RTS code (refusals of unread
 * requests, e.g. at shutdown, carry no UUID: they are matched by code among the records of the
 * time window). A fault saying the protocol could not be written has no trail to check — where
 * the protocol store was what failed (`storeFaulted`); anywhere else it is a trail missing.
 */
export function checkTrails(
  results: SendResult[], chains: Map<string, ProtocolRecord[]>, window: { from: number; to: number }, storeFaulted = false,
): { checked: number; complete: number; missing: string[] } {
  const rejectedByUuid = new Map<string, ProtocolRecord>();
  const unreadRejections = new Map<string, number>();
  for (const chain of chains.values()) {
    for (const rec of chain) {
      if (rec.hop !== 'rejected') continue;
      if (rec.nachrichtenUUID !== undefined) rejectedByUuid.set(rec.nachrichtenUUID, rec);
      else if (rec.at.getTime() >= window.from && rec.at.getTime() <= window.to) {
        const code = rec.outcome?.rts ?? '?';
        unreadRejections.set(code, (unreadRejections.get(code) ?? 0) + 1);
      }
    }
  }
  let checked = 0;
  let complete = 0;
  const missing: string[] = [];
  for (const r of results) {
    if (r.status === undefined || (storeFaulted && r.protocolUnavailable === true)) continue;
    checked++;
    const f = r.facts;
    let ok = false;
    if (r.protocolUnavailable === true) {
      missing.push(`${r.kind} after ${r.endedAt - r.startedAt} ms: S999 'Protokollierung nicht möglich' while the protocol store was up`);
    } else if (f?.faultCode === undefined && f?.vorgangsnummer !== undefined) {
      const hops = hopsOf(chains, f.vorgangsnummer);
      ok = hops[0] === 'received' && hops.at(-1) === 'delivered' && hops.filter((h) => h === 'delivered').length === 1;
      if (!ok) missing.push(`${f.vorgangsnummer}: ${hops.join(',') || 'no records'}`);
    } else if (f?.rts !== undefined) {
      const rec = r.uuid === undefined ? undefined : rejectedByUuid.get(r.uuid);
      if (rec !== undefined) ok = rec.outcome?.rts === f.rts;
      else {
        const left = unreadRejections.get(f.rts) ?? 0;
        if (left > 0) {
          unreadRejections.set(f.rts, left - 1);
          ok = true;
        }
      }
      if (!ok) missing.push(`fault ${f.rts} for ${r.uuid ?? '?'}: no rejected record`);
    } else {
      missing.push(`${verdict(r)}: neither a Vorgangsnummer nor an RTS code`);
    }
    if (ok) complete++;
  }
  return { checked, complete, missing };
}

export function faultRow(
  fault: string, results: SendResult[], o: {
    deadlineMs: number; instances: GatewayProcess[]; trails: { checked: number; complete: number };
    recoveryMs?: number; excused?: (r: SendResult) => boolean;
  },
): FaultRow {
  const answered = results.filter((r) => r.status !== undefined);
  const late = answered.filter((r) => r.endedAt - r.startedAt > o.deadlineMs + 1_000);
  const faulted: Record<string, number> = {};
  for (const r of results) {
    const code = r.status === undefined && o.excused?.(r) === true ? `${r.error ?? 'error'} (killed instance)` : faultCode(r);
    if (code !== undefined) faulted[code] = (faulted[code] ?? 0) + 1;
  }
  return {
    fault,
    sent: results.length,
    inTime: answered.length - late.length,
    faulted,
    lost: results.filter((r) => r.status === undefined && o.excused?.(r) !== true).length,
    late: late.length,
    crashed: o.instances.filter((g) => g.crashed).length,
    trailsComplete: o.trails.complete,
    trailsChecked: o.trails.checked,
    ...(o.recoveryMs === undefined ? {} : { recoveryMs: o.recoveryMs }),
  };
}

/** The rows as a plain-text table. */
export function formatFaultTable(rows: FaultRow[]): string {
  const head = ['fault', 'sent', 'in time', 'faulted (by code)', 'lost', 'late', 'crashed', 'trails complete', 'recovery'];
  const body = rows.map((r) => [
    r.fault, String(r.sent), String(r.inTime),
    Object.entries(r.faulted).map(([k, n]) => `${k}: ${n}`).join(', ') || '—',
    String(r.lost), String(r.late), String(r.crashed), `${r.trailsComplete}/${r.trailsChecked}`,
    r.recoveryMs === undefined ? '—' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
