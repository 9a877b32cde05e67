import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DvdvConfig, EndpointConfig } from '../config/gateway-config.js';
import { LAND_CODES, type LandCode } from '../routing/laender.js';
import { CallerCategory } from './caller-category.js';
import { DirectoryCache } from './directory-cache.js';
import { DirectoryEndpoints, type DirectoryService, type ResolvedEndpoint } from './directory-endpoints.js';
import type { DirectoryTarget } from './dvdv-types.js';
import { PayloadSealer } from '../queue/payload-sealer.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { DvdvClient } from './dvdv-client.js';
import { DvdvError } from './dvdv-errors.js';
import { serviceUriFor } from './service-target.js';

/** What /ready and /metrics show of the directory. */
export interface DirectoryState {
  /** Whether the last look-up reached a DVDV server (undefined before the first). */
  reachable: boolean | undefined;
  /** The server asked first. */
  server: string;
  /** Age of the oldest entry in use (s), undefined while none is cached. */
  cacheAgeSeconds: number | undefined;
  hits: number;
  misses: number;
  /** Expired entries served because the DVDV failed. */
  stale: number;
  errors: number;
}

/**
 * The DVDV as the gateway uses it, built from the `dvdv:` configuration: Länder endpoints and
 * signer certificates (static routes as override and fallback), callers' categories, warm-up
 * and state. Directory failures leave as TechnicalFailureError('directory').
 */
export class GatewayDirectory {
  readonly client: DvdvClient;
  readonly endpoints: DirectoryEndpoints;
  readonly category: CallerCategory | undefined;
  /** Shares the entries across instances where Redis runs. */
  private readonly redis: Redis | undefined;

  constructor(
    private readonly config: DvdvConfig,
    staticEndpoints: Partial<Record<LandCode, EndpointConfig>>,
    readPem: (file: string) => string,
    private readonly log: Logger,
    /** Redis and the deployment's queue key (entries are shared only sealed with it). */
    shared?: { redisUrl: string; prefix: string; key: string | undefined },
  ) {
    this.client = new DvdvClient({
      servers: config.servers,
      entryPath: config.entryPath,
      attemptTimeoutMs: config.attemptTimeoutMs,
      ...(config.clientKey !== undefined && config.clientCertificate !== undefined
        ? { auth: { keyPem: readPem(config.clientKey), certPem: readPem(config.clientCertificate) } }
        : {}),
    });
    const ttl = { positiveTtlMs: config.positiveTtlMs, negativeTtlMs: config.negativeTtlMs, maxStaleMs: config.maxStaleMs };
    // Without a configured key each instance would seal with its own: nothing to share then.
    const sealer = shared !== undefined && PayloadSealer.isConfigured(shared.key) ? new PayloadSealer(shared.key) : undefined;
    if (shared !== undefined && sealer !== undefined) {
      this.redis = new Redis(shared.redisUrl, {
        enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(100 * times, 2_000),
      });
      this.redis.on('error', () => undefined); // its text may carry the URL; the cache goes on locally
    }
    const store = <T>(): RedisCacheStore<T> | undefined => this.redis === undefined || sealer === undefined
      ? undefined
      : new RedisCacheStore<T>(this.redis, `${shared?.prefix ?? 'xmeld'}:dvdv:`, config.maxStaleMs, sealer);
    this.endpoints = new DirectoryEndpoints({
      cache: new DirectoryCache<DirectoryTarget>(store<DirectoryTarget>(), ttl),
      client: this.client,
      serviceUri: config.serviceUri ?? serviceUriFor('personensuche', '25.11a'),
      freieSucheServiceUri: config.freieSucheServiceUri ?? serviceUriFor('freieSuche', '25.11a'),
      staticEndpoints,
      overrides: config.overrides as LandCode[],
      organizationKeyOf: (land) => config.landKeys[land] ?? `ags:${land}000000`,
      lookupTimeoutMs: config.lookupTimeoutMs,
      ...ttl,
    });
    this.category = config.callerCategory === undefined
      ? undefined
      : new CallerCategory(this.client, config.callerCategory, { ...ttl, lookupTimeoutMs: config.lookupTimeoutMs }, store<true>());
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  async lookup(land: LandCode, deadline: number, leg: { ags?: string; service: DirectoryService }): Promise<ResolvedEndpoint | undefined> {
    try {
      return await this.endpoints.lookup(land, deadline, leg);
    } catch (e) {
      if (!(e instanceof DvdvError)) throw e;
      this.log.warn({ land, failure: e.failure }, 'DVDV look-up failed, nothing usable known');
      throw e.toTechnicalFailure();
    }
  }

  /** False without a configured category: a party admitting by category then admits nobody. */
  async admits(fingerprint: string, deadline: number): Promise<boolean> {
    if (this.category === undefined) return false;
    try {
      return await this.category.admits(fingerprint, deadline);
    } catch (e) {
      throw e instanceof DvdvError ? e.toTechnicalFailure() : e;
    }
  }

  /** The 16 Länder at start (when configured); a failure is logged, never fatal. */
  async warmUp(): Promise<void> {
    const log = this.log;
    if (this.config.trustAnchors.length === 0) {
      log.warn('dvdv.trustAnchors is empty: answers of registers found in the DVDV are refused unless a party answers for their target');
    }
    if (!this.config.warmUp) return;
    // Entries written while Redis still connects would stay with this instance only.
    if (this.redis !== undefined && this.redis.status !== 'ready') await whenReady(this.redis, 2_000);
    const { failed, of } = await this.endpoints.warmUp(LAND_CODES);
    if (failed > 0) log.warn({ failed, of }, 'DVDV warm-up incomplete');
    else log.info({ lookups: of }, 'DVDV warm-up done');
  }

  state(now = Date.now()): DirectoryState {
    const caches = [this.endpoints.cache.stats, ...(this.category ? [this.category.cache.stats] : [])];
    const oldest = this.endpoints.oldestEntryAt();
    const sum = (f: (c: (typeof caches)[number]) => number): number => caches.reduce((n, c) => n + f(c), 0);
    return {
      reachable: this.endpoints.cache.stats.reachable ?? this.category?.cache.stats.reachable,
      server: this.client.activeServer,
      cacheAgeSeconds: oldest === undefined ? undefined : Math.max(0, (now - oldest) / 1000),
      hits: sum((c) => c.hits),
      misses: sum((c) => c.misses),
      stale: sum((c) => c.stale),
      errors: sum((c) => c.errors),
    };
  }
}

function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    }
    redis.once('ready', done);
  });
}
