import type { EndpointConfig } from '../config/gateway-config.js';
import type { LandCode } from '../routing/laender.js';
import { DirectoryCache } from './directory-cache.js';
import type { DvdvClient } from './dvdv-client.js';
import { DvdvError } from './dvdv-errors.js';
import type { DirectoryTarget } from './dvdv-types.js';
import { targetFromService } from './service-target.js';

/**
 * Endpoints of the Länder from the DVDV, looked up while the query waits (bounded by its
 * deadline and the look-up timeout), cached with TTLs and a staleness bound. Static routes in
 * config are the override (`overrides`) and the fallback (when the DVDV has nothing usable);
 * the answer says which.
 */
export interface ResolvedEndpoint {
  endpoint: EndpointConfig;
  source: 'dvdv' | 'config';
  /** Base64 DER certificates the register's answers must be signed with (dvdv only). */
  signatureCertificates?: string[];
}

/** Which XMeld service a leg needs: the person search (1330) or the free search (1332). */
export type DirectoryService = 'personensuche' | 'freieSuche';

export interface DirectoryEndpointsOptions {
  client: DvdvClient;
  /** Service specification URI of the person search. */
  serviceUri: string;
  /** …of the free search; default: the person search's. */
  freieSucheServiceUri?: string;
  /** Organisation key of a Land's register when no municipality is known (warm-up); default `ags:<land>000000`. */
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

export class DirectoryEndpoints {
  readonly cache: DirectoryCache<DirectoryTarget>;
  /** When the entry behind each organisation key in use was fetched. */
  private readonly fetchedAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: DirectoryEndpointsOptions) {
    this.now = opts.now ?? Date.now;
    this.cache = opts.cache ?? new DirectoryCache<DirectoryTarget>(undefined, {
      now: this.now,
      maxStaleMs: opts.maxStaleMs ?? 60 * 60_000,
      positiveTtlMs: opts.positiveTtlMs ?? 10 * 60_000,
      negativeTtlMs: opts.negativeTtlMs ?? 5 * 60_000,
    });
  }

  /**
   * The municipality's own key where the query names one of this Land (registers are found as
   * representatives of their municipalities), else the Land's key.
   */
  private organizationKey(land: LandCode, ags?: string): string {
    if (ags !== undefined && /^[0-9]{8}$/.test(ags) && ags.startsWith(land)) return `ags:${ags}`;
    return this.opts.organizationKeyOf?.(land) ?? `ags:${land}000000`;
  }

  private uriOf(service: DirectoryService): string {
    return service === 'freieSuche' ? this.opts.freieSucheServiceUri ?? this.opts.serviceUri : this.opts.serviceUri;
  }

  /** Cache key: one entry per organisation and service. */
  private static keyOf(organizationKey: string, uri: string): string {
    return `${organizationKey} ${uri}`;
  }

  /**
   * The route of a Land (of the municipality `ags` in it, where the query names one) for a
   * query that waits (at most until `deadline`): a fresh entry as it
   * is, an expired one looked up again first (so a changed certificate applies right after the
   * TTL), the expired one only if the DVDV fails and within the staleness bound. Then the static
   * route; undefined when the DVDV knows none and none is configured. Throws DvdvError when the
   * directory could not answer and nothing else is known (the caller's rueckweisung 16).
   */
  async lookup(
    land: LandCode, deadline: number, leg: { ags?: string; service?: DirectoryService } = {},
  ): Promise<ResolvedEndpoint | undefined> {
    const fixed = this.opts.staticEndpoints[land];
    if (fixed && this.opts.overrides?.includes(land)) return { endpoint: fixed, source: 'config' };
    const organizationKey = this.organizationKey(land, leg.ags);
    const uri = this.uriOf(leg.service ?? 'personensuche');
    const key = DirectoryEndpoints.keyOf(organizationKey, uri);
    const until = Math.min(deadline, this.now() + (this.opts.lookupTimeoutMs ?? 5000));
    let target: DirectoryTarget | undefined;
    try {
      const answer = await this.cache.get(key, async () => {
        const s = await this.opts.client.findServiceDescription(organizationKey, uri, until);
        return s ? targetFromService(organizationKey, s) : undefined;
      });
      target = answer.value;
      this.fetchedAt.set(key, this.now() - answer.ageMs);
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

  /**
   * Warm-up: every Land's key for every service at start, in one batch request (≤ 200 items a
   * request); if the batch fails, one look-up each. Returns how many look-ups failed, never throws.
   */
  async warmUp(lands: readonly LandCode[]): Promise<{ failed: number; of: number }> {
    const deadline = this.now() + (this.opts.lookupTimeoutMs ?? 5000);
    const uris = [...new Set([this.uriOf('personensuche'), this.uriOf('freieSuche')])];
    const items = lands.filter((l) => !this.opts.overrides?.includes(l))
      .flatMap((land) => uris.map((uri) => ({ organizationKey: this.organizationKey(land), serviceSpecificationUri: uri })));
    try {
      const answers = await this.opts.client.batchFindServiceDescription(items, deadline);
      await Promise.all(items.map((item, i) => {
        const key = DirectoryEndpoints.keyOf(item.organizationKey, item.serviceSpecificationUri);
        const s = answers[i];
        this.fetchedAt.set(key, this.now());
        return this.cache.prime(key, async () => (s ? targetFromService(item.organizationKey, s) : undefined));
      }));
      return { failed: 0, of: items.length };
    } catch (e) {
      if (!(e instanceof DvdvError)) throw e;
    }
    const services: DirectoryService[] = uris.length > 1 ? ['personensuche', 'freieSuche'] : ['personensuche'];
    const single = await Promise.allSettled(lands.flatMap((land) => services.map((service) => this.lookup(land, deadline, { service }))));
    return { failed: single.filter((r) => r.status === 'rejected').length, of: single.length };
  }
}

const DEFAULT_ENDPOINT: EndpointConfig = {
  url: 'http://invalid.invalid/',
  soapVersion: '1.1',
  concurrency: 16,
  freieSuche: { nurEinzelgemeinden: false, weiterFuerSicherheitsbehoerden: false },
  gemeinden: [],
};
