import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  readonly latency = new Histogram({
    name: 'xmeld_gateway_request_duration_seconds',
    help: 'Time from request to answer at the SOAP endpoint',
    labelNames: ['message_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
