import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { settleWithin } from '../settle-within.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { NewProtocolRecord } from '../protocol/protocol-record.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import type { RedisReloadBus } from './reload-bus.js';
import { Reloader } from './reloader.js';
import { FileSuspensionStore, RedisSuspensionStore, type SuspensionStore } from './suspensions.js';
import type { LiveMaterial } from './live-material.js';
import type { LiveTrust } from './live-trust.js';

export interface ReloadingDeps {
  config: GatewayConfig;
  /** Reads the configuration again; by default the one the gateway started with (files and suspensions are still read afresh). */
  load?: () => GatewayConfig;
  /** The main thread's live trust and what it was built from (the configured message work's). */
  configured: { live: LiveTrust; material: LiveMaterial };
  /** The worker pool's switch, where the work runs on threads. */
  switchThreads?: (material: LiveMaterial) => Promise<void>;
  replayGuard: ReplayGuard;
  protocol: { append(records: NewProtocolRecord[]): Promise<void> };
  log: Logger;
  clock?: () => Date;
}

/**
 * The gateway's reload, wired: suspensions in Redis (or the file), reloads passed on between
 * instances over Redis, operator events into the protocol. Reloads once at start so the
 * operators' suspensions are in force before the first message.
 */
export async function startReloading(deps: ReloadingDeps): Promise<{ reloader: Reloader; close(): Promise<void> }> {
  const redisUrl = deps.config.queue.redisUrl;
  // ioredis is loaded only where Redis is configured (embedded defaults do without its ≈ 11 MB).
  let redis: Redis | undefined;
  let bus: RedisReloadBus | undefined;
  let closeRedis: ((r: Redis) => Promise<void>) | undefined;
  if (redisUrl) {
    const [{ Redis: RedisClient }, busModule, connections] = await Promise.all([
      import('ioredis'), import('./reload-bus.js'), import('../queue/redis-connections.js'),
    ]);
    redis = new RedisClient(redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined); // its text may carry the URL
    bus = new busModule.RedisReloadBus(redisUrl, deps.config.queue.prefix);
    closeRedis = connections.closeRedis;
  }
  const suspensions: SuspensionStore = redis
    ? new RedisSuspensionStore(redis, deps.config.queue.prefix)
    : new FileSuspensionStore(deps.config.admin.suspensionsFile);
  const clock = deps.clock ?? (() => new Date());
  const reloader = new Reloader({
    running: deps.config,
    load: deps.load ?? (() => deps.config),
    suspensions,
    material: deps.configured.material,
    live: deps.configured.live,
    switchThreads: deps.switchThreads ?? (() => Promise.resolve()),
    replayGuard: deps.replayGuard,
    record: (operatorEvent) => deps.protocol.append([{
      vorgangsnummer: `operator:${randomUUID()}`, hop: 'operator', at: clock(), messageType: null, operatorEvent,
    }]),
    ...(bus ? { announce: (actor: string) => bus.announce(actor) } : {}),
    log: deps.log,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  // Subscribed before the first message where Redis answers; where it does not yet, ioredis subscribes once it does.
  const listening = bus?.listen((actor) => void reloader.reload({ actor: `peer:${actor}`, announce: false }));
  if (listening && !(await settleWithin(listening.then(() => true), 5_000, false))) deps.log.warn('reloads of other instances not heard yet (Redis not reachable)');
  // Suspensions kept by the operators apply from the first message on (nothing to do without any).
  const kept = await suspensions.list().catch(() => {
    deps.log.warn('the operators\' suspensions could not be read at start; the next reload applies them');
    return [];
  });
  if (kept.length > 0) {
    const result = await reloader.reload({ actor: 'start', announce: false });
    if (!result.ok) throw new Error(`the operators' suspensions could not be applied: ${result.reason}`);
  }
  return {
    reloader,
    async close() {
      await bus?.close();
      if (redis && closeRedis) await closeRedis(redis);
    },
  };
}

