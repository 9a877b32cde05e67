import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { HopSecurity } from '../security/hop-security.js';
import type { LiveMaterial } from '../reload/live-material.js';
import type { LiveTrust } from '../reload/live-trust.js';
import { createHopSecurity } from '../reload/hop-security-setup.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { ReleaseSchemas } from '../xmeld/release-schemas.js';
import { InlineMessageWork } from './inline-message-work.js';
import { RejectedMessageError } from '../errors.js';
import { acceptedReleases, checkCallerRelease } from '../routing/release-policy.js';
import type { Release } from '../xmeld/releases.js';
import { ANSWER_STRUCTURE_LIMITS, REQUEST_STRUCTURE_LIMITS } from '../xml/structure-limits.js';

export interface ConfiguredWork {
  /** Parties and signer of this thread, switched by a reload. */
  live: LiveTrust;
  /** What `live` was built from. */
  material: LiveMaterial;
  /** The XSD check, also needed on the main thread (derived fan-out queries). */
  validator: MessageValidator;
  /** Frees the compiled schemas (after the work that uses them has closed). */
  dispose(): void;
}

/**
 * What every thread that handles messages needs, as the configuration describes it: schemas,
 * signer, parties and their trust. Built once on the main thread and once in every pool worker;
 * the message work itself is chosen by the composition root (inlineMessageWork or the pool).
 */
export async function createConfiguredWork(
  config: GatewayConfig,
  opts: { log: Logger; replayGuard?: ReplayGuard; clock?: () => Date; material?: LiveMaterial },
): Promise<ConfiguredWork> {
  const schema = ReleaseSchemas.load();
  const { security: live, material } = await createHopSecurity(config, {
    log: opts.log,
    ...(opts.material ? { material: opts.material } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.replayGuard ? { replayGuard: opts.replayGuard } : {}),
  });
  return { live, material, validator: schema.validator, dispose: () => schema.dispose() };
}

/** The message work on this thread (no worker pool, or inside a pool worker), with the entitlement checks of `configured`. */
export function inlineMessageWork(
  config: GatewayConfig, configured: ConfiguredWork, opts: { clock?: () => Date; security?: HopSecurity } = {},
): InlineMessageWork {
  const { live, validator } = configured;
  return new InlineMessageWork({
    limits: { maxBytes: config.http.bodyLimitBytes, structure: { ...REQUEST_STRUCTURE_LIMITS, ...definedOnly(config.limits.request) } },
    answerLimits: { maxBytes: config.register.maxAnswerBytes, structure: { ...ANSWER_STRUCTURE_LIMITS, ...definedOnly(config.limits.answer) } },
    validator,
    security: opts.security ?? live,
    authorize: (partyId, query, clientCertificate) => {
      checkRelease(live, partyId, query.release, opts.clock?.() ?? new Date());
      // Unsigned development setups have no verified party; entitlement needs one.
      if (partyId !== undefined) live.parties.checkCaller(partyId, query, clientCertificate);
    },
  });
}

/** V000 for a release that is retired, or that the caller's registration does not name. */
function checkRelease(live: LiveTrust, partyId: string | undefined, release: Release, now: Date): void {
  const own = partyId === undefined ? undefined : live.parties.releasesOf(partyId);
  const policy = live.releasePolicy;
  const verdict = checkCallerRelease(policy, release, own, now);
  if (verdict.ok) return;
  const accepted = acceptedReleases(policy, now);
  const allowed = own === undefined ? accepted : own.filter((r) => accepted.includes(r));
  throw new RejectedMessageError('V000', verdict.reason === 'retired'
    ? `XMeld ${release} wird nicht mehr angenommen; angenommen: ${allowed.join(', ')}`
    : `XMeld ${release} ist für diesen Absender nicht vereinbart; vereinbart: ${allowed.join(', ')}`);
}

function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}
