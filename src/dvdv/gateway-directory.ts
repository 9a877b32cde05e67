import type { Logger } from 'pino';
import type { DvdvConfig, EndpointConfig } from '../config/gateway-config.js';
import { LAND_CODES, type LandCode } from '../routing/laender.js';
import { CallerCategory } from './caller-category.js';
import { DirectoryEndpoints, type ResolvedEndpoint } from './directory-endpoints.js';
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

  constructor(
    private readonly config: DvdvConfig,
    staticEndpoints: Partial<Record<LandCode, EndpointConfig>>,
    readPem: (file: string) => string,
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
    this.endpoints = new DirectoryEndpoints({
      client: this.client,
      serviceUri: config.serviceUri ?? serviceUriFor('personensuche', '25.11a'),
      staticEndpoints,
      overrides: config.overrides as LandCode[],
      lookupTimeoutMs: config.lookupTimeoutMs,
      ...ttl,
    });
    this.category = config.callerCategory === undefined
      ? undefined
      : new CallerCategory(this.client, config.callerCategory, { ...ttl, lookupTimeoutMs: config.lookupTimeoutMs });
  }

  async lookup(land: LandCode, deadline: number): Promise<ResolvedEndpoint | undefined> {
    try {
      return await this.endpoints.lookup(land, deadline);
    } catch (e) {
      throw e instanceof DvdvError ? e.toTechnicalFailure() : e;
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
  async warmUp(log: Logger): Promise<void> {
    if (!this.config.warmUp) return;
    const results = await this.endpoints.warmUp(LAND_CODES);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) log.warn({ failed, of: results.length }, 'DVDV warm-up incomplete');
    else log.info({ lands: results.length }, 'DVDV warm-up done');
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
