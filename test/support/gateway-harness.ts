import path from 'node:path';
import { loadConfig, type EndpointConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import { startSimulatedRegisters, type SimulatorOptions } from '../../src/simulator/server.js';
import { projectRoot } from './paths.js';

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
  // The shipped default configuration, pointed at this simulator and at ephemeral ports.
  const config = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
  config.http = { ...config.http, port: 0, requestDeadlineMs: 5_000 };
  config.routes.mirror = { ...config.routes.mirror, url: simulator.urlFor('mirror') } as EndpointConfig;
  for (const land of LAND_CODES) {
    const route = config.routes.laender[land];
    if (route !== undefined) route.url = simulator.urlFor(land);
  }
  config.protocol = { dataDir: 'memory://' };
  config.log = { level: 'silent' };
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
