import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { TechnicalFailureError } from '../../src/errors.js';
import type { RegisterReply } from '../../src/answer/register-reply.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for every test, so parallel runs never see each other's keys. */
export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

export function jobFor(target: string, n: number, deadlineMs = 5_000): DispatchJob {
  return {
    vorgangsnummer: `V-${n}`,
    target,
    url: `http://register.invalid/${target}`,
    soapVersion: '1.2',
    action: 'urn:xmeld-gateway:1:personensuche',
    envelope: `<env>MELDEDATEN-${n}</env>`,
    deadline: Date.now() + deadlineMs,
  };
}

export function replyFor(job: DispatchJob): RegisterReply {
  return { status: 200, contentType: 'application/soap+xml', body: Buffer.from(`answer to ${job.vorgangsnummer}`) };
}

export function bodyOf(reply: RegisterReply): string {
  return reply.body.toString('utf8');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `signal` aborts; a handler that "hangs" until the queue gives up on it. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new TechnicalFailureError('timeout'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

export async function failureOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TechnicalFailureError) return e.failure;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Every key under the prefix, found by SCAN. */
export async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await keysOf(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}
