/**
 * How far back a nachrichtenUUID must be remembered, and the restart that must not forget it.
 * The embedded guard lives in memory; what the gateway acted on is durable in the protocol
 * (every accepted query's `received` hop), so a restart rebuilds the window from there.
 */
import type { Logger } from 'pino';
import type { InMemoryReplayGuard } from './replay-guard.js';

/** Longest accepted Expires − Created of a wsu:Timestamp (wss-verify's default). */
const MAX_TIMESTAMP_LIFETIME_MS = 3_600_000;

export interface ReplayWindowPolicy {
  clockSkewSeconds: number;
  replayWindowSeconds: number;
}

/** The longest time after its receipt for which a message's id can still be refused as a replay. */
export function replayHorizonMs(p: ReplayWindowPolicy): number {
  return MAX_TIMESTAMP_LIFETIME_MS + 2 * p.clockSkewSeconds * 1000 + p.replayWindowSeconds * 1000;
}

/**
 * Seeds the guard with every id received within the horizon. Each is kept for a full horizon
 * from now — longer than it needs at most, never shorter.
 */
export async function rememberReceived(
  guard: InMemoryReplayGuard,
  received: { receivedMessageIds(since: Date): Promise<string[]> },
  policy: ReplayWindowPolicy,
  log: Pick<Logger, 'info'>,
  now: Date = new Date(),
): Promise<number> {
  const horizon = replayHorizonMs(policy);
  const ids = await received.receivedMessageIds(new Date(now.getTime() - horizon));
  guard.remember(ids, new Date(now.getTime() + horizon));
  if (ids.length > 0) log.info({ ids: ids.length }, 'replay window rebuilt from the protocol');
  return ids.length;
}
