import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EndpointConfig, GatewayConfig } from './config/gateway-config.js';
import { createDispatchHandler } from './dispatch/dispatch-worker.js';
import type { ResolvedEndpoint } from './dvdv/directory-endpoints.js';
import { RegisterClient } from './dispatch/register-client.js';
import { createGatewayServer } from './http/gateway-server.js';
import { GatewayMetrics } from './http/metrics.js';
import type { HopSecurity } from './security/hop-security.js';
import { QueryPipeline } from './intake/query-pipeline.js';
import { createLogger } from './log/logger.js';
import { createProtocolStore } from './protocol/create-protocol-store.js';
import { protocolStoreConfig } from './config/protocol-store-config.js';
import { startDailyPurge } from './protocol/daily-purge.js';
import { startAbandonedTrailSweep } from './protocol/abandoned-trail-sweep.js';
import { ProtocolWriter } from './protocol/protocol-writer.js';
import { pemReader } from './reload/hop-security-setup.js';
import { InMemoryReplayGuard } from './security/replay-guard.js';
import { createConfiguredWork, inlineMessageWork } from './message-work/configured-message-work.js';
import type { MessageWork } from './message-work/message-work.js';
import { SizeSplitMessageWork } from './message-work/size-split-message-work.js';
import { WorkerPoolMessageWork } from './message-work/worker-pool-message-work.js';
import { SigningCheck } from './message-work/signing-check.js';
import type { ProtocolStore } from './protocol/protocol-store.js';
import type { DispatchQueue } from './queue/dispatch-queue.js';
import { DEFAULT_CIRCUIT_BREAKER } from './queue/circuit-breaker.js';
import { MemoryDispatchQueue } from './queue/memory-dispatch-queue.js';
import { rememberReceived } from './security/replay-window.js';
import { settleWithin } from './settle-within.js';
import { isLandCode, LAND_CODES } from './routing/laender.js';
import { targetKey, type Target } from './routing/route-query.js';
import { VorgangsnummerGenerator } from './vorgang/vorgangsnummer.js';
import type { GatewayIdentity } from './xmeld/gateway-identity.js';
import { packageVersion } from './version.js';
import { cryptoReport, type CryptoReport } from './security/crypto-report.js';
import type { Reloader } from './reload/reloader.js';
import { startReloading } from './reload/start-reloading.js';
import { startConsole, BOARD_WINDOW_MINUTES, type RunningConsole } from './console/start-console.js';
import { StatusBoard } from './console/status-board.js';

export interface RunningGateway {
  url: string;
  app: FastifyInstance;
  protocol: ProtocolStore;
  /** Live changes without a restart (parties, authorities, trust, signing key): docs/reload.md. */
  reloader: Reloader;
  /** The admin listener's console (admin.enabled): docs/console.md. */
  console?: RunningConsole;
  close(): Promise<void>;
}

export interface GatewayOverrides {
  log?: Logger;
  security?: HopSecurity;
  protocol?: ProtocolStore;
  queue?: DispatchQueue;
  clock?: () => Date;
  /** How a reload reads the configuration again (the CLI: the file given at start). */
  loadConfig?: () => GatewayConfig;
}

export function identityFrom(config: GatewayConfig): GatewayIdentity {
  return {
    land: config.gateway.land,
    kennung: config.gateway.kennung,
    name: config.gateway.name,
    anschrift: config.gateway.anschrift,
    erreichbarkeit: config.gateway.erreichbarkeit,
    produkt: 'xmeld-gateway',
    produkthersteller: config.gateway.produkthersteller,
    produktversion: packageVersion,
  };
}

/** Composition root: builds the gateway from its configuration and starts listening. */
export async function startGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const log = overrides.log ?? createLogger(config.log.level);
  const identity = identityFrom(config);
  const protocol = overrides.protocol ?? await createProtocolStore(protocolStoreConfig(config));
  /** The endpoint behind a queue's target key (`mirror`, `land:09`). */
  const endpointOfKey = (target: string): EndpointConfig | undefined => {
    const land = target.startsWith('land:') ? target.slice(5) : undefined;
    return target === 'mirror' ? config.routes.mirror : land !== undefined && isLandCode(land) ? config.routes.laender[land] : undefined;
  };
  const redisUrl = config.queue.redisUrl;
  // BullMQ and ioredis are loaded only where Redis is configured: on embedded defaults they
  // were ≈ 35 MB of the process's memory for nothing.
  const [bullmqQueue, redisReplay] = redisUrl
    ? await Promise.all([import('./queue/bullmq-dispatch-queue.js'), import('./security/redis-replay-guard.js')])
    : [undefined, undefined];
  const queue = overrides.queue ?? (redisUrl && bullmqQueue
    ? new bullmqQueue.BullmqDispatchQueue(redisUrl, {
      prefix: config.queue.prefix,
      // Shared by all instances of a deployment: only they can read each other's queued queries.
      ...(config.queue.encryptionKey ? { encryptionKey: config.queue.encryptionKey } : {}),
      // With the DVDV every Land is a possible target, configured or not.
      targets: ['mirror', ...(config.dvdv ? LAND_CODES : Object.keys(config.routes.laender)).map((l) => `land:${l}`)],
      circuitBreaker: DEFAULT_CIRCUIT_BREAKER,
      rateLimitOf: (target) => endpointOfKey(target)?.rateLimit,
      // A dead instance's jobs are taken over while their callers still wait.
      lockDurationMs: config.queue.lockDurationMs,
      stalledIntervalMs: config.queue.stalledIntervalMs,
      log,
    })
    : new MemoryDispatchQueue({ circuitBreaker: DEFAULT_CIRCUIT_BREAKER }));
  const replayGuard = redisUrl && redisReplay ? new redisReplay.RedisReplayGuard(redisUrl, config.queue.prefix) : undefined;
  const readPem = pemReader(config);
  const client = new RegisterClient({
    connectTimeoutMs: config.register.connectTimeoutMs,
    // Deadlines cut each request earlier; this bounds a connection that stalls outright.
    answerTimeoutMs: config.http.requestDeadlineMs,
    maxAnswerBytes: config.register.maxAnswerBytes,
    ...(config.register.tls ? {
      tls: { key: readPem(config.register.tls.key), cert: readPem(config.register.tls.certificate), ca: config.register.tls.ca.map(readPem) },
    } : {}),
  });
  const replay = replayGuard ?? new InMemoryReplayGuard();
  // Without Redis the window is this process's memory: a restart must not forget it.
  if (replay instanceof InMemoryReplayGuard) await rememberReceived(replay, protocol, config.security, log, overrides.clock?.());
  // Decided once: injected clocks and security exist only on this thread, so tests that use
  // them run inline; otherwise the configured threads, and inline work only when there are none.
  const threads = overrides.clock || overrides.security ? 0 : threadCount(config.processing.threads);
  const configured = await createConfiguredWork(config, {
    log,
    replayGuard: replay,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  });
  const { validator } = configured;
  const recycled: { count?: (why: 'limit' | 'idle') => void } = {}; // the metrics exist further down
  const inline = inlineMessageWork(config, configured, {
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    ...(overrides.security ? { security: overrides.security } : {}),
  });
  const { offloadAboveBytes } = config.processing;
  const work: MessageWork = threads > 0
    ? new SizeSplitMessageWork(inline, (material) => {
      log.info({ threads, offloadAboveBytes }, 'worker threads started');
      return new WorkerPoolMessageWork(config, replay, threads, material, (thread, mb, why) => {
        log.info({ thread, mb, why }, 'worker thread recycled (memory)');
        recycled.count?.(why);
      });
    }, configured.material, { aboveBytes: offloadAboveBytes, idleMs: config.processing.recycleIdleMs })
    : inline;
  if (work instanceof SizeSplitMessageWork) {
    await work.ready();
    log.info({ threads, offloadAboveBytes }, offloadAboveBytes === 0 ? 'message work on worker threads' : 'large messages on worker threads');
  }
  // Länder from the DVDV where it is configured (static routes as override and fallback).
  // Its module brings ioredis along: loaded only where a DVDV is configured.
  const directory = config.dvdv ? new (await import('./dvdv/gateway-directory.js')).GatewayDirectory(config.dvdv, config.routes.laender, readPem, log,
    redisUrl ? { redisUrl, prefix: config.queue.prefix, key: config.queue.encryptionKey } : undefined) : undefined;
  const endpointOf = async (t: Target, deadline: number, leg: { ags?: string; service: 'personensuche' | 'freieSuche' }): Promise<ResolvedEndpoint | undefined> => {
    if (directory !== undefined && t.kind === 'land') return directory.lookup(t.land, deadline, leg);
    const endpoint = endpointOfKey(targetKey(t));
    return endpoint === undefined ? undefined : { endpoint, source: 'config' };
  };
  queue.process(createDispatchHandler(client), (target) => endpointOfKey(target)?.concurrency ?? 16);

  const writer = new ProtocolWriter(protocol, config.authorities.filter((a) => a.protocolCommissioned).map((a) => a.kennung));
  const purgeJob = startDailyPurge(protocol, log, overrides.clock);
  const trailSweep = startAbandonedTrailSweep(protocol, {
    deadlineMs: config.http.requestDeadlineMs, log, ...(overrides.clock ? { clock: overrides.clock } : {}),
  });
  const reloading = await startReloading({
    config, configured, replayGuard: replay, protocol: writer, log,
    ...(work instanceof SizeSplitMessageWork ? { switchThreads: work.reload.bind(work) } : {}),
    ...(overrides.loadConfig ? { load: overrides.loadConfig } : {}),
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  });
  // The live key, probed where the pipeline signs; a reload may have switched it.
  const signing = new SigningCheck({
    sign: (xml) => work.sign(xml), required: config.security.required, everyMs: SIGNING_CHECK_EVERY_MS, withinMs: READY_CHECK_MS,
  });
  reloading.reloader.on('applied', () => void signing.refresh());
  const metrics = new GatewayMetrics(() => queue.targetStats(), directory ? () => directory.state() : undefined);
  recycled.count = (why) => metrics.workerRecycled.inc({ why });
  // Certificates and CRLs as configured, read again every few minutes (days to expiry move on).
  const crypto = watchCryptoReport(config, log, overrides.clock);
  metrics.watchCrypto(() => crypto.current);
  const board = new StatusBoard(BOARD_WINDOW_MINUTES * 60_000);
  const pipeline = new QueryPipeline({
    observeStage: (stage, seconds) => metrics.stages.observe({ stage }, seconds),
    identity,
    work,
    validator,
    queue,
    protocol: writer,
    vorgang: new VorgangsnummerGenerator(identity.land, overrides.clock),
    endpointOf,
    ...(directory ? { admitByCategory: (fingerprint: string, deadline: number) => directory.admits(fingerprint, deadline) } : {}),
    freieSucheRuleOf: (land) => {
      const ep = config.routes.laender[land];
      return ep === undefined ? undefined : { ...ep.freieSuche, gemeinden: ep.gemeinden };
    },
    entitlementOf: (q) => {
      const a = configured.live.parties.authority(q.autor.kennung);
      return a === undefined ? undefined : { registeredAsSecurityAuthority: a.sicherheitsbehoerde, entitledTo: a.entitledTo };
    },
    releasePolicy: () => configured.live.releasePolicy,
    onLegacyCrypto: (party, uses) => {
      for (const allowance of uses) metrics.legacyCrypto.inc({ party, allowance });
      log.warn({ party, legacy: uses }, 'signature accepted by a legacy allowance');
    },
    deadlineMs: config.http.requestDeadlineMs,
    log,
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  });
  let listeningUrl = '';
  const shutdown = new AbortController();
  const app = createGatewayServer({
    shutdown: shutdown.signal,
    pipeline, metrics, log,
    bodyLimitBytes: config.http.bodyLimitBytes,
    maxConnections: config.http.maxConnections,
    publicUrl: () => config.http.publicUrl ?? `${listeningUrl}/xmeld`,
    // Each check answers within READY_CHECK_MS, whatever its store does: "not ready", never silence.
    // In parallel, each within READY_CHECK_MS: together well inside the server's bound on /ready,
    // so a frozen store shows as its own `false`, not as a late answer without detail.
    ready: async () => {
      const [queueOk, protocolOk, signs] = await Promise.all([
        settleWithin(queue.ready(), READY_CHECK_MS, false), settleWithin(protocolReady(protocol), READY_CHECK_MS, false), signing.ready(),
      ]);
      return {
        queue: queueOk,
        protocol: protocolOk,
        // The key signs, and its certificate is not refused by the crypto policy.
        signing: signs && (crypto.current?.canSign ?? true),
        ...(replayGuard ? { replay: replayGuard.ready() } : {}),
      };
    },
    ...(directory ? { directory: () => directory.state() } : {}),
    readyNotes: () => {
      const soon = (crypto.current?.certificates ?? []).filter((c) => c.daysToExpiry < EXPIRES_SOON_DAYS);
      return soon.length === 0 ? {} : { certificatesExpiringSoon: soon.map((c) => ({ role: c.role, party: c.party, subject: c.subject, daysToExpiry: c.daysToExpiry })) };
    },
    onAnswered: (target, outcome, seconds) => board.record(target, outcome, seconds),
    ...(config.http.tls ? {
      https: { key: readPem(config.http.tls.key), cert: readPem(config.http.tls.certificate), ca: config.http.tls.clientCa.map(readPem) },
    } : {}),
  });
  // The Länder's routes before the first query (bounded by the look-up timeout; never fatal).
  await directory?.warmUp();
  // Listen once the replay guard can answer, so the first queries are not refused (S999).
  if (replayGuard !== undefined && !(await replayGuard.whenReady(5_000))) log.warn('replay store not reachable yet');
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  listeningUrl = `${config.http.tls ? 'https' : 'http'}://${config.http.host}:${port}`;
  const adminConsole = config.admin.enabled
    ? await startConsole({ config, protocol, writer, reloader: reloading.reloader, board, queueStats: () => queue.targetStats(), log, ...(overrides.clock ? { clock: overrides.clock } : {}) })
    : undefined;
  let closed = false;
  return {
    url: listeningUrl,
    app,
    protocol,
    reloader: reloading.reloader,
    ...(adminConsole ? { console: adminConsole } : {}),
    async close() {
      if (closed) return;
      closed = true;
      // Bounded whatever the stores do: the grace for queries in flight, then each closing step
      // gets what is left of a short tail (a store that hangs is left behind, not waited for).
      const grace = config.http.shutdownGraceMs;
      const tailUntil = Date.now() + grace + SHUTDOWN_TAIL_MS;
      const forced = setTimeout(() => shutdown.abort(), grace);
      const step = (name: string, run: () => Promise<unknown> | undefined): Promise<void> =>
        withinShutdown(run, tailUntil).then((ok) => { if (!ok) log.warn({ step: name }, 'shutdown step did not finish in time'); });
      await step('console', () => adminConsole?.close());
      await step('reload', () => reloading.close());
      purgeJob.stop();
      crypto.stop();
      trailSweep.stop();
      await app.close(); // stops accepting; queries in flight finish, or get the fault at the grace
      clearTimeout(forced);
      await step('queue', () => queue.close());
      await step('protocol writer', () => writer.drain());
      await step('replay store', () => replayGuard?.close());
      await step('directory', () => directory?.close());
      await step('register client', () => client.close());
      if (overrides.protocol === undefined) await step('protocol store', () => protocol.close());
      await step('message work', () => work.close());
      configured.dispose();
    },
  };
}

const READY_CHECK_MS = 500;
/** How long /ready keeps the signing probe's verdict (a reload probes at once). */
const SIGNING_CHECK_EVERY_MS = 30_000;
/** After the grace: how long the stores get, all together, to close. */
const SHUTDOWN_TAIL_MS = 3_000;

/** Runs a closing step; false when it failed or did not settle by `until` (it is then left behind). */
async function withinShutdown(run: () => Promise<unknown> | undefined, until: number): Promise<boolean> {
  const p = run();
  return p === undefined ? true : settleWithin(p.then(() => true), until - Date.now(), false);
}
/** /ready names certificates with fewer days left than this (it does not fail on them). */
const EXPIRES_SOON_DAYS = 30;
const CRYPTO_REPORT_EVERY_MS = 10 * 60_000;

/** The crypto report of the configuration, at start and then every few minutes. */
function watchCryptoReport(config: GatewayConfig, log: Logger, clock?: () => Date): { readonly current: CryptoReport | undefined; stop(): void } {
  let current: CryptoReport | undefined;
  const refresh = (): void => {
    cryptoReport(config, pemReader(config), clock?.() ?? new Date())
      .then((r) => { current = r; })
      .catch((e: unknown) => log.warn({ err: e instanceof Error ? e.name : 'unknown' }, 'crypto report failed'));
  };
  refresh();
  const timer = setInterval(refresh, CRYPTO_REPORT_EVERY_MS);
  timer.unref();
  return { get current() { return current; }, stop: () => clearInterval(timer) };
}


async function protocolReady(store: ProtocolStore): Promise<boolean> {
  try {
    await store.ping();
    return true;
  } catch {
    return false;
  }
}

/** `auto`: one thread per core, at least two so a large message leaves one free; one per cluster process. */
function threadCount(configured: 'auto' | number): number {
  if (configured !== 'auto') return configured;
  return cluster.isWorker ? 1 : Math.min(8, Math.max(2, availableParallelism()));
}
