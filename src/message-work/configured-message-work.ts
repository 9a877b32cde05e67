import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { HopSecurity } from '../intake/hop-security.js';
import type { PartyRegistry } from '../parties/party-registry.js';
import { createHopSecurity } from '../security/hop-security-setup.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import type { MessageValidator } from '../xml/message-validator.js';
import { ReleaseSchemas } from '../xml/release-schemas.js';
import { InlineMessageWork } from './inline-message-work.js';
import { RejectedMessageError } from '../errors.js';
import { acceptedReleases, checkCallerRelease } from '../routing/release-policy.js';
import type { Release } from '../xmeld/releases.js';
import { ANSWER_STRUCTURE_LIMITS, REQUEST_STRUCTURE_LIMITS } from '../xml/structure-limits.js';

export interface ConfiguredWork {
  work: InlineMessageWork;
  parties: PartyRegistry;
  /** The XSD check, also needed on the main thread (derived fan-out queries). */
  validator: MessageValidator;
}

/**
 * The message work as the configuration describes it: schemas, signer, parties and their
 * trust, entitlement. Built once on the main thread and once in every pool worker.
 */
export async function createConfiguredWork(
  config: GatewayConfig,
  opts: { log: Logger; replayGuard?: ReplayGuard; clock?: () => Date; security?: HopSecurity },
): Promise<ConfiguredWork> {
  const schema = ReleaseSchemas.load();
  const { security: configured, parties } = await createHopSecurity(config, {
    log: opts.log,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.replayGuard ? { replayGuard: opts.replayGuard } : {}),
  });
  const validator = schema.validator;
  const work = new InlineMessageWork({
    limits: { maxBytes: config.http.bodyLimitBytes, structure: { ...REQUEST_STRUCTURE_LIMITS, ...definedOnly(config.limits.request) } },
    answerLimits: { maxBytes: config.register.maxAnswerBytes, structure: { ...ANSWER_STRUCTURE_LIMITS, ...definedOnly(config.limits.answer) } },
    validator,
    security: opts.security ?? configured,
    authorize: (partyId, query, clientCertificate) => {
      checkRelease(config, partyId, query.release, opts.clock?.() ?? new Date());
      // Unsigned development setups have no verified party; entitlement needs one.
      if (partyId !== undefined) parties.checkCaller(partyId, query, clientCertificate);
    },
  }, () => schema.dispose());
  return { work, parties, validator };
}

/** V000 for a release that is retired, or that the caller's registration does not name. */
function checkRelease(config: GatewayConfig, partyId: string | undefined, release: Release, now: Date): void {
  const own = partyId === undefined ? undefined : config.parties.find((p) => p.id === partyId)?.xmeldReleases;
  const policy = { windows: config.xmeld.releases };
  const verdict = checkCallerRelease(policy, release, own, now);
  if (verdict.ok) return;
  const allowed = own === undefined ? acceptedReleases(policy, now) : own.filter((r) => acceptedReleases(policy, now).includes(r));
  throw new RejectedMessageError('V000', verdict.reason === 'retired'
    ? `XMeld ${release} wird nicht mehr angenommen; angenommen: ${allowed.join(', ')}`
    : `XMeld ${release} ist für diesen Absender nicht vereinbart; vereinbart: ${allowed.join(', ')}`);
}

function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}
