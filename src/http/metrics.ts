import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CryptoReport } from '../security/crypto-report.js';
import type { DirectoryState } from '../dvdv/gateway-directory.js';
import type { TargetStats } from '../queue/target-stats.js';

/** Prometheus metrics of one gateway instance (GET /metrics). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly queries = new Counter({
    name: 'xmeld_gateway_queries_total',
    help: 'Queries answered, by message type, outcome and target',
    labelNames: ['message_type', 'outcome', 'target'] as const,
    registers: [this.registry],
  });

  readonly refusals = new Counter({
    name: 'xmeld_gateway_refusals_total',
    help: 'Messages refused with a SOAP fault, by RTS code',
    labelNames: ['rts'] as const,
    registers: [this.registry],
  });

  /** Worker threads replaced because their memory grew (processing.recycleWorkerAboveMb). */
  readonly workerRecycled = new Counter({
    name: 'xmeld_gateway_worker_recycled_total',
    help: 'Worker threads replaced between tasks because their heap plus WASM memory grew, by cause (limit, idle)',
    labelNames: ['why'] as const,
    registers: [this.registry],
  });

  /** Each use of a party's legacy allowance (RSA below the minimum, PKCS#1 v1.5, SHA-1). */
  readonly legacyCrypto = new Counter({
    name: 'xmeld_gateway_legacy_crypto_total',
    help: 'Signatures accepted only by a legacy allowance of their party, by party and allowance',
    labelNames: ['party', 'allowance'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'xmeld_gateway_request_duration_seconds',
    help: 'Time from request to answer at the SOAP endpoint',
    labelNames: ['message_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Per-stage cost of a query: intake (parse, verify, XSD), register (queue + round trip), … */
  readonly stages = new Histogram({
    name: 'xmeld_gateway_stage_duration_seconds',
    help: 'Time per stage of the query path',
    labelNames: ['stage'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [this.registry],
  });

  constructor(targetStats?: () => TargetStats[], directory?: () => DirectoryState) {
    collectDefaultMetrics({ register: this.registry });
    if (directory !== undefined) this.directoryMetrics(directory);
    if (targetStats === undefined) return;
    new Gauge({
      name: 'xmeld_gateway_target_outstanding',
      help: 'Dispatches this instance waits for, per target (queued or at the register)',
      labelNames: ['target'] as const,
      registers: [this.registry],
      collect() {
        for (const t of targetStats()) this.set({ target: t.target }, t.outstanding);
      },
    });
    new Gauge({
      name: 'xmeld_gateway_target_circuit_open',
      help: 'Circuit state per target: 0 closed, 0.5 half-open (probing), 1 open',
      labelNames: ['target'] as const,
      registers: [this.registry],
      collect() {
        for (const t of targetStats()) this.set({ target: t.target }, t.circuit === 'open' ? 1 : t.circuit === 'halfOpen' ? 0.5 : 0);
      },
    });
  }

  /** Days to expiry of every configured certificate, age and next update of every CRL (crypto-report.ts). */
  watchCrypto(report: () => CryptoReport | undefined): void {
    new Gauge({
      name: 'xmeld_gateway_certificate_expiry_days',
      help: 'Days until a configured certificate expires (negative: expired), by role, party and subject',
      labelNames: ['role', 'party', 'subject'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of report()?.certificates ?? []) this.set({ role: c.role, party: c.party ?? '', subject: c.subject }, c.daysToExpiry);
      },
    });
    new Gauge({
      name: 'xmeld_gateway_crl_age_hours',
      help: 'Hours since a configured CRL was issued (thisUpdate), by party and issuer',
      labelNames: ['party', 'issuer'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of report()?.crls ?? []) this.set({ party: c.party, issuer: c.issuer }, c.ageHours);
      },
    });
    new Gauge({
      name: 'xmeld_gateway_crl_next_update_hours',
      help: 'Hours until a configured CRL is due to be replaced (nextUpdate; negative: stale)',
      labelNames: ['party', 'issuer'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of report()?.crls ?? []) if (c.hoursToNextUpdate !== undefined) this.set({ party: c.party, issuer: c.issuer }, c.hoursToNextUpdate);
      },
    });
  }

  /** The DVDV's state: reachable, age of the oldest cached entry, hits, misses, stale answers. */
  private directoryMetrics(state: () => DirectoryState): void {
    const gauge = (name: string, help: string, value: (s: DirectoryState) => number | undefined): void => {
      new Gauge({
        name: `xmeld_gateway_directory_${name}`,
        help,
        registers: [this.registry],
        collect() {
          const v = value(state());
          if (v === undefined) this.reset();
          else this.set(v);
        },
      });
    };
    // Counters read from the cache's own counts at scrape time (they only grow).
    const counter = (name: string, help: string, value: (s: DirectoryState) => number): void => {
      new Counter({
        name: `xmeld_gateway_directory_${name}_total`,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(value(state()));
        },
      });
    };
    gauge('reachable', 'Whether the last DVDV look-up reached a server (1) or not (0)', (s) => (s.reachable === undefined ? undefined : s.reachable ? 1 : 0));
    gauge('cache_age_seconds', 'Age of the oldest DVDV entry in use', (s) => s.cacheAgeSeconds);
    counter('hits', 'Look-ups answered from the cache within the TTL', (s) => s.hits);
    counter('misses', 'Look-ups that asked the DVDV', (s) => s.misses);
    counter('stale', 'Expired entries served because the DVDV failed', (s) => s.stale);
    counter('errors', 'DVDV look-ups that failed', (s) => s.errors);
  }
}
