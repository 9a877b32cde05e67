import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/gateway-config.js';

describe('one demo port (XMELD_PORT)', () => {
  it('moves the gateway to N, the simulator to N+1 and every simulator route with it', () => {
    const c = loadConfig('config/default.yaml', { XMELD_PORT: '9100' });
    expect(c.http.port).toBe(9100);
    expect(c.simulator.port).toBe(9101);
    const urls = [c.routes.mirror?.url, ...Object.values(c.routes.laender).map((r) => r.url)];
    expect(urls).toHaveLength(17);
    for (const u of urls) expect(new URL(u ?? '').port).toBe('9101');
  });

  it('XMELD_HTTP_PORT still moves only the gateway', () => {
    const c = loadConfig('config/default.yaml', { XMELD_HTTP_PORT: '9200' });
    expect(c.http.port).toBe(9200);
    expect(c.simulator.port).toBe(8081);
    expect(c.routes.laender['09']?.url).toBe('http://127.0.0.1:8081/land/09');
  });

  it('refuses a port that is not one', () => {
    expect(() => loadConfig('config/default.yaml', { XMELD_PORT: 'x' })).toThrow(/demo port/);
  });
});
