import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { readLiveMaterial, type LiveMaterial } from '../reload/live-material.js';
import { LiveTrust } from '../reload/live-trust.js';
import { buildTrustGeneration } from '../reload/trust-generation.js';
import { InMemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { generateTestPki } from './test-pki.js';

/** `${PKI}` in a configured path stands for the test PKI directory. */
export function pemReader(config: GatewayConfig): (file: string) => string {
  const pki = config.security.testPki === undefined ? undefined : path.resolve(config.security.testPki);
  return (file) => {
    if (file.includes('${PKI}') && pki === undefined) throw new Error(`${file}: \${PKI} needs security.testPki`);
    return readFileSync(path.resolve(file.replaceAll('${PKI}', pki ?? '')), 'utf8');
  };
}

/**
 * Builds the security step from the configuration: the gateway's signer, the parties and
 * their trust, the replay guard. With `security.testPki` a throwaway TEST PKI is generated
 * (or reused) first, so the demo and CI run signed on every hop like production does. A pool
 * worker passes the material the main thread read, so it reads no files of its own.
 */
export async function createHopSecurity(
  config: GatewayConfig,
  opts: { log: Logger; replayGuard?: ReplayGuard; clock?: () => Date; material?: LiveMaterial },
): Promise<{ security: LiveTrust; material: LiveMaterial }> {
  if (config.security.testPki !== undefined && opts.material === undefined) {
    await generateTestPki(path.resolve(config.security.testPki));
    opts.log.warn({ dir: config.security.testPki }, 'using the TEST PKI: for demos and tests only, never in production');
  }
  if (!config.security.required) opts.log.warn('signatures are switched off (security.required: false): development only');
  const material = opts.material ?? readLiveMaterial(config, pemReader(config));
  const generation = buildTrustGeneration(config, material, {
    replayGuard: opts.replayGuard ?? new InMemoryReplayGuard(),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { security: new LiveTrust(generation), material };
}
