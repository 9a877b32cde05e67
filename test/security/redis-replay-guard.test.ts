import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { REPLAY_CHECK_TIMEOUT_MS, RedisReplayGuard } from '../../src/security/redis-replay-guard.js';
import { ReplayGuardUnavailableError } from '../../src/security/replay-guard.js';
import { RedisProcess } from '../queue/redis-process.js';

/** Issue #20: a frozen Redis (connected, silent) turns into a fast S999, not a wait until it answers. */
describe('RedisReplayGuard on a frozen Redis', () => {
  let redis: RedisProcess | undefined;
  let guard: RedisReplayGuard | undefined;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    guard = new RedisReplayGuard(redis.url, 'replay-frozen-test');
    expect(await guard.whenReady(5_000)).toBe(true);
  });
  afterAll(async () => {
    redis?.thaw();
    await guard?.close();
    await redis?.kill();
  });

  it('refuses as unavailable within its bound while Redis is stopped, and works again after SIGCONT', async () => {
    const g = guard as RedisReplayGuard;
    const r = redis as RedisProcess;
    const expires = new Date(Date.now() + 60_000);
    const id = randomUUID();
    expect(await g.seen(id, expires)).toBe(false);
    r.freeze();
    const t0 = Date.now();
    try {
      await expect(g.seen(randomUUID(), expires)).rejects.toBeInstanceOf(ReplayGuardUnavailableError);
      // Bounded by the command timeout, not by the freeze (which lasts until the thaw below).
      expect(Date.now() - t0).toBeLessThan(REPLAY_CHECK_TIMEOUT_MS + 1_500);
    } finally {
      r.thaw();
    }
    // The window survived: the first id is still a duplicate, a new one is not.
    expect(await g.seen(id, expires)).toBe(true);
    expect(await g.seen(randomUUID(), expires)).toBe(false);
  });
});
