/**
 * Bench child process: the gateway as shipped (startGateway on config/default.yaml), pointed at
 * the simulator in BENCH_SIM_URL, listening on an ephemeral loopback port. Reports over IPC.
 *
 * env: BENCH_SIM_URL, BENCH_SECURITY=signed|unsigned, BENCH_DATA_DIR (embedded store directory),
 *      BENCH_PG_SCHEMA (schema for the PostgreSQL store), DATABASE_URL, REDIS_URL, BENCH_LOG_LEVEL.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadConfig, type EndpointConfig } from '../../src/config/gateway-config.js';
import { startGateway, type GatewayOverrides } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import { ROOT } from '../lib/common.js';
import { detectWiring } from '../lib/wiring.js';
import { benchParties, benchSecurityConfig, loadBenchPki } from '../lib/security-wiring.js';

const env = process.env;
const simUrl = env['BENCH_SIM_URL'];
if (!simUrl) throw new Error('BENCH_SIM_URL missing');

const config = loadConfig(path.join(ROOT, 'config/default.yaml'), env);
config.http = { ...config.http, host: '127.0.0.1', port: 0 };
config.routes.mirror = { ...config.routes.mirror, url: `${simUrl}/mirror` } as EndpointConfig;
for (const land of LAND_CODES) {
  const r = config.routes.laender[land];
  if (r !== undefined) r.url = `${simUrl}/land/${land}`;
}
config.protocol = { ...config.protocol, dataDir: env['BENCH_DATA_DIR'] ?? 'memory://' };
config.log = { level: (env['BENCH_LOG_LEVEL'] ?? 'info') as typeof config.log.level };
// BENCH_THREADS: the worker pool's size (default: as configured), 0 for everything on the event loop
if (env['BENCH_THREADS'] !== undefined) config.processing = { ...config.processing, threads: Number(env['BENCH_THREADS']) };

const wiring = detectWiring();
const overrides: GatewayOverrides = {};
let security: 'configured' | 'bench-config' | 'unsigned' = 'unsigned';
const cfg = config as unknown as { security?: Record<string, unknown>; parties?: unknown[] };
if (env['BENCH_SECURITY'] !== 'signed') {
  if (cfg.security) cfg.security['required'] = false;
} else if (wiring.configured) {
  security = 'configured';
} else if (cfg.security) {
  // a configuration without keys: the same composition path, with the bench's test PKI
  await loadBenchPki(wiring.pkiDir);
  Object.assign(cfg.security, benchSecurityConfig(wiring.pkiDir));
  cfg.parties = benchParties();
  security = 'bench-config';
}
const pgSchema = env['BENCH_PG_SCHEMA'];
if (config.protocol.databaseUrl && pgSchema) {
  // the `test` database is shared: the bench's protocol goes to a schema of its own
  config.protocol = { ...config.protocol, schema: pgSchema };
}
const redisPrefix = env['BENCH_REDIS_PREFIX'];
if (config.queue.redisUrl && redisPrefix) (config.queue as Record<string, unknown>)['prefix'] = redisPrefix;
// Logs go to stdout as in production; the bench parent discards them.
overrides.log = createLogger(config.log.level);

const mb = (n: number): number => Math.round(n / 1048576);
const before = process.memoryUsage();
const gw = await startGateway(config, overrides);
const after = process.memoryUsage();
process.send?.({
  type: 'ready',
  url: gw.url,
  pid: process.pid,
  security,
  pkiDir: wiring.pkiDir,
  memoryMb: {
    rssBeforeStart: mb(before.rss), rssAfterStart: mb(after.rss), heapUsed: mb(after.heapUsed),
    external: mb(after.external), arrayBuffers: mb(after.arrayBuffers),
  },
  protocol: config.protocol.databaseUrl ? 'postgresql' : `sqlite:${config.protocol.dataDir}`,
  queue: config.queue.redisUrl ? 'bullmq' : 'memory',
});

// CPU profile of a chosen window (the parent starts it after the warm-up): no start-up in it
let session: Session | undefined;
process.on('message', (m: { type?: string; file?: string }) => {
  if (m.type === 'prof-start') {
    void (async () => {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      process.send?.({ type: 'prof-started' });
    })();
  } else if (m.type === 'prof-stop' && session && m.file) {
    const s = session;
    const file = m.file;
    void (async () => {
      const { profile } = await s.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      s.disconnect();
      process.send?.({ type: 'prof-done' });
    })();
  }
});

// Where the memory is (bench/lib/procs.ts memoryOf, logged after the soak): the process's figures and V8's heap spaces.
process.on('message', (m: { type?: string }) => {
  if (m.type !== 'memory') return;
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, mb(sp.space_size)]));
  process.send?.({ type: 'memory-report', usage: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)])), spaces });
});

process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await gw.close();
    process.exit(0);
  })();
});
process.on('disconnect', () => process.exit(0));
