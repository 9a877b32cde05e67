import { parseConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import { startSimulatedRegisters, type SimulatorOptions } from '../../src/simulator/server.js';

export interface Harness {
  gateway: RunningGateway;
  endpoint: string;
  simulator: Awaited<ReturnType<typeof startSimulatedRegisters>>;
  config: GatewayConfig;
  close(): Promise<void>;
}

/**
 * A gateway on embedded defaults (in-memory protocol store) with the simulated registers of
 * all 16 Länder, both on ephemeral loopback ports.
 */
export async function startHarness(
  opts: { config?: (c: GatewayConfig) => void; simulator?: SimulatorOptions; gateway?: GatewayOverrides } = {},
): Promise<Harness> {
  const simulator = await startSimulatedRegisters({ port: 0, logger: createLogger('silent'), ...opts.simulator });
  const config = parseConfig({
    gateway: {
      land: '03',
      kennung: 'dbs:030000000099',
      name: 'XMeld-Gateway Niedersachsen (Test)',
      anschrift: { strasse: 'Musterweg', hausnummer: '1', postleitzahl: '30159', wohnort: 'Hannover' },
    },
    http: { host: '127.0.0.1', port: 0, requestDeadlineMs: 5_000 },
    routes: {
      mirror: { url: simulator.urlFor('mirror') },
      laender: Object.fromEntries(LAND_CODES.map((l) => [l, { url: simulator.urlFor(l) }])),
    },
    protocol: { dataDir: 'memory://' },
    log: { level: 'silent' },
  });
  opts.config?.(config);
  const gateway = await startGateway(config, opts.gateway);
  return {
    gateway,
    endpoint: `${gateway.url}/xmeld`,
    simulator,
    config,
    async close() {
      await gateway.close();
      await simulator.close();
    },
  };
}
