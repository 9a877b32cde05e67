import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createGatewayServer } from '../../src/http/gateway-server.js';
import { GatewayMetrics } from '../../src/http/metrics.js';
import type { QueryPipeline } from '../../src/intake/query-pipeline.js';
import { createLogger } from '../../src/log/logger.js';

/** Issue #20: /ready answers within a second whatever its checks do. */
describe('/ready with checks that do not answer', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => { await Promise.all(apps.map((a) => a.close())); });

  const serverWith = (ready: () => Promise<Record<string, boolean>>, readyWithinMs?: number): FastifyInstance => {
    const app = createGatewayServer({
      // /ready never reaches the pipeline.
      pipeline: {} as QueryPipeline,
      metrics: new GatewayMetrics(),
      log: createLogger('silent'),
      bodyLimitBytes: 1024,
      publicUrl: () => 'http://127.0.0.1/xmeld',
      ready,
      ...(readyWithinMs === undefined ? {} : { readyWithinMs }),
    });
    apps.push(app);
    return app;
  };

  it('says not ready (503) within its bound when the checks hang', async () => {
    const app = serverWith(() => new Promise(() => undefined), 300);
    const t0 = Date.now();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    const took = Date.now() - t0;
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'not ready' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
  });

  it('says not ready when a check throws, and ready when all pass in time', async () => {
    expect((await serverWith(() => Promise.reject(new Error('store gone'))).inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    const ok = await serverWith(async () => ({ queue: true, protocol: true })).inject({ method: 'GET', url: '/ready' });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ status: 'ready', checks: { queue: true, protocol: true } });
  });
});
