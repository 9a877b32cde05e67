import path from 'node:path';
import { loadConfig, type EndpointConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { LAND_CODES } from '../../src/routing/laender.js';
import { startSimulatedRegisters, type SimulatorOptions } from '../../src/simulator/server.js';
import { projectRoot } from './paths.js';
import { simulatorSecurity } from '../../src/simulator/simulator-security.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import { envelope } from './soap-post.js';
import { loadTestPki, signAs, testPkiDir, withFreshUuid } from './test-pki.js';

export interface Harness {
  pki: TestPki;
  /** A message in a SOAP envelope signed as the mirror backend (or `as`), with a fresh UUID. */
  signed(message: string, opts?: { version?: '1.1' | '1.2'; as?: IdentityName; keepUuid?: boolean }): { xml: string; uuid: string };
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
  opts: { config?: (c: GatewayConfig, simulator: Harness['simulator']) => void; simulator?: SimulatorOptions; gateway?: GatewayOverrides } = {},
): Promise<Harness> {
  const pki = await loadTestPki();
  const simulator = await startSimulatedRegisters({
    port: 0, logger: createLogger('silent'), security: simulatorSecurity(pki), ...opts.simulator,
  });
  // The shipped default configuration, pointed at this simulator and at ephemeral ports.
  const config = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
  config.http = { ...config.http, port: 0, requestDeadlineMs: 5_000 };
  config.routes.mirror = { ...config.routes.mirror, url: simulator.urlFor('mirror') } as EndpointConfig;
  for (const land of LAND_CODES) {
    const route = config.routes.laender[land];
    if (route !== undefined) route.url = simulator.urlFor(land);
  }
  config.protocol = { ...config.protocol, dataDir: 'memory://' };
  config.admin = { ...config.admin, suspensionsFile: 'memory://' };
  config.security = { ...config.security, testPki: testPkiDir() };
  config.log = { level: 'silent' };
  opts.config?.(config, simulator);
  const gateway = await startGateway(config, opts.gateway);
  return {
    pki,
    signed(message, o = {}) {
      const fresh = o.keepUuid ? { xml: message, uuid: /<nachrichtenUUID>([^<]*)</.exec(message)?.[1] ?? '' } : withFreshUuid(message);
      return { xml: signAs(pki, envelope(fresh.xml, o.version ?? '1.1'), o.as ?? 'mirror'), uuid: fresh.uuid };
    },
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
