import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { unsignedHops, type HopSecurity } from '../intake/hop-security.js';
import { PartyRegistry } from '../parties/party-registry.js';
import { InMemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { generateTestPki } from './test-pki.js';
import { WssHopSecurity } from './wss-hop-security.js';

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
 * (or reused) first, so the demo and CI run signed on every hop like production does.
 */
export async function createHopSecurity(
  config: GatewayConfig,
  opts: { log: Logger; replayGuard?: ReplayGuard; clock?: () => Date },
): Promise<{ security: HopSecurity; parties: PartyRegistry }> {
  if (config.security.testPki !== undefined) {
    await generateTestPki(path.resolve(config.security.testPki));
    opts.log.warn({ dir: config.security.testPki }, 'using the TEST PKI: for demos and tests only, never in production');
  }
  const readPem = pemReader(config);
  const parties = new PartyRegistry(config.parties, config.authorities, readPem, config.dvdv);
  if (!config.security.required) {
    opts.log.warn('signatures are switched off (security.required: false): development only');
    return { security: unsignedHops, parties };
  }
  const { signingKey, signingCertificate } = config.security;
  if (signingKey === undefined || signingCertificate === undefined) {
    throw new Error('security.signingKey and security.signingCertificate are required when security.required is true');
  }
  const security = new WssHopSecurity(
    { privateKey: readPem(signingKey), certificate: readPem(signingCertificate) },
    parties,
    {
      clockSkewSeconds: config.security.clockSkewSeconds,
      replayWindowSeconds: config.security.replayWindowSeconds,
      replayGuard: opts.replayGuard ?? new InMemoryReplayGuard(),
      ...(opts.clock ? { clock: opts.clock } : {}),
    },
  );
  return { security, parties };
}
