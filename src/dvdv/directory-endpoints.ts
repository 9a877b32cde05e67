import type { EndpointConfig } from '../config/gateway-config.js';
import type { LandCode } from '../routing/laender.js';
import { DirectoryCache } from './directory-cache.js';
import type { DvdvClient } from './dvdv-client.js';
import { DvdvError } from './dvdv-errors.js';
import type { DirectoryTarget } from './dvdv-types.js';
import { targetFromService } from './service-target.js';

/**
 * Endpoints of the Länder from the DVDV: `lookup` for a query that may wait for the directory
 * (the pipeline's seam), `resolve` for callers that must not wait (answers from the last known
 * state, refreshing in the background). Static routes in config are the override
 * (`overrides`) and the fallback (when the DVDV has nothing usable); the answer says which.
 */
export interface ResolvedEndpoint {
  endpoint: EndpointConfig;
  source: 'dvdv' | 'config';
  /** Base64 DER certificates the register's answers must be signed with (dvdv only). */
  signatureCertificates?: string[];
}

export interface DirectoryEndpointsOptions {
  client: DvdvClient;
  serviceUri: string;
  /** Organisation key of a Land's register; default `ags:<land>000000`. */
  organizationKeyOf?: (land: LandCode) => string;
  staticEndpoints: Partial<Record<LandCode, EndpointConfig>>;
  /** Lands whose static route wins over the DVDV. */
  overrides?: LandCode[];
  /** Per look-up budget (ms). */
  lookupTimeoutMs?: number;
  maxStaleMs?: number;
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  cache?: DirectoryCache<DirectoryTarget>;
  now?: () => number;
}

interface Known {
  target: DirectoryTarget | undefined;
  expiresAt: number;
}

export class DirectoryEndpoints {
  readonly cache: DirectoryCache<DirectoryTarget>;
  private readonly known = new Map<LandCode, Known>();
  private readonly pending = new Set<LandCode>();
  private readonly fetchedAt = new Map<LandCode, number>();
  private readonly now: () => number;
  private readonly maxStale: number;
  private readonly positiveTtl: number;
  private readonly negativeTtl: number;

  constructor(private readonly opts: DirectoryEndpointsOptions) {
    this.now = opts.now ?? Date.now;
    this.maxStale = opts.maxStaleMs ?? 60 * 60_000;
    this.positiveTtl = opts.positiveTtlMs ?? 10 * 60_000;
    this.negativeTtl = opts.negativeTtlMs ?? 5 * 60_000;
    this.cache = opts.cache ?? new DirectoryCache<DirectoryTarget>(undefined, {
      now: this.now, maxStaleMs: this.maxStale, positiveTtlMs: this.positiveTtl, negativeTtlMs: this.negativeTtl,
    });
  }

  private keyOf(land: LandCode): string {
    return this.opts.organizationKeyOf?.(land) ?? `ags:${land}000000`;
  }

  /** Looks a Land up now (waits); errors leave the last known state in place. */
  async refresh(land: LandCode): Promise<void> {
    const key = this.keyOf(land);
    const answer = await this.cache.get(key, async () => {
      const s = await this.opts.client.findServiceDescription(key, this.opts.serviceUri, this.now() + (this.opts.lookupTimeoutMs ?? 5000));
      return s ? targetFromService(key, s) : undefined;
    });
    // Expiry from when the entry was fetched: a stale answer keeps its old expiry, so the
    // bound on staleness still applies to it.
    const ttl = answer.value ? this.positiveTtl : this.negativeTtl;
    this.known.set(land, { target: answer.value, expiresAt: this.now() - answer.ageMs + ttl });
    this.fetchedAt.set(land, this.now() - answer.ageMs);
  }

  /**
   * The route of a Land for a query that waits (at most until `deadline`): a fresh entry as it
   * is, an expired one looked up again first (so a changed certificate applies right after the
   * TTL), the expired one only if the DVDV fails and within the staleness bound. Then the static
   * route; undefined when the DVDV knows none and none is configured. Throws DvdvError when the
   * directory could not answer and nothing else is known (the caller's rueckweisung 16).
   */
  async lookup(land: LandCode, deadline: number): Promise<ResolvedEndpoint | undefined> {
    const fixed = this.opts.staticEndpoints[land];
    if (fixed && this.opts.overrides?.includes(land)) return { endpoint: fixed, source: 'config' };
    const key = this.keyOf(land);
    const until = Math.min(deadline, this.now() + (this.opts.lookupTimeoutMs ?? 5000));
    let target: DirectoryTarget | undefined;
    try {
      const answer = await this.cache.get(key, async () => {
        const s = await this.opts.client.findServiceDescription(key, this.opts.serviceUri, until);
        return s ? targetFromService(key, s) : undefined;
      });
      target = answer.value;
      this.fetchedAt.set(land, this.now() - answer.ageMs);
    } catch (e) {
      if (!(e instanceof DvdvError)) throw e;
      if (fixed) return { endpoint: fixed, source: 'config' };
      throw e;
    }
    if (target) {
      return { endpoint: { ...(fixed ?? DEFAULT_ENDPOINT), url: target.endpoint }, source: 'dvdv', signatureCertificates: target.signatureCertificates };
    }
    return fixed ? { endpoint: fixed, source: 'config' } : undefined;
  }

  /** When the oldest entry in use was fetched from the DVDV (ms epoch), for /ready and /metrics. */
  oldestEntryAt(): number | undefined {
    const all = [...this.fetchedAt.values()];
    return all.length === 0 ? undefined : Math.min(...all);
  }

  /** Warm-up: every Land at start; failures are logged by the caller, never fatal. */
  async warmUp(lands: readonly LandCode[]): Promise<PromiseSettledResult<void>[]> {
    return Promise.allSettled(lands.map((l) => this.refresh(l)));
  }

  resolve(land: LandCode): ResolvedEndpoint | undefined {
    const fixed = this.opts.staticEndpoints[land];
    if (fixed && this.opts.overrides?.includes(land)) return { endpoint: fixed, source: 'config' };
    const k = this.known.get(land);
    const now = this.now();
    if (!k || now >= k.expiresAt) this.refreshInBackground(land);
    if (k?.target && now - k.expiresAt <= this.maxStale) {
      return {
        endpoint: { ...(fixed ?? DEFAULT_ENDPOINT), url: k.target.endpoint },
        source: 'dvdv',
        signatureCertificates: k.target.signatureCertificates,
      };
    }
    return fixed ? { endpoint: fixed, source: 'config' } : undefined;
  }

  private refreshInBackground(land: LandCode): void {
    if (this.pending.has(land)) return;
    this.pending.add(land);
    this.refresh(land)
      .catch(() => undefined) // counted in cache.stats; the last known state stays
      .finally(() => this.pending.delete(land));
  }
}

const DEFAULT_ENDPOINT: EndpointConfig = {
  url: 'http://invalid.invalid/',
  soapVersion: '1.1',
  concurrency: 16,
  freieSuche: { nurEinzelgemeinden: false, weiterFuerSicherheitsbehoerden: false },
  gemeinden: [],
};
