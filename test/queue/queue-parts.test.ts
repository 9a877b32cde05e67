import { describe, expect, it } from 'vitest';
import { GatewayKeys } from '../../src/queue/gateway-keys.js';
import { PayloadSealer } from '../../src/queue/payload-sealer.js';
import { RetryPolicy } from '../../src/queue/retry-policy.js';
import { decodeOutcome, encodeOutcome, openJob, sealJob } from '../../src/queue/wire-format.js';
import { jobFor } from './support.js';

const KEY_B64 = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

describe('GatewayKeys.queueName', () => {
  const keys = new GatewayKeys('xmeld');
  it('keeps readable names and never maps two targets to one queue', () => {
    expect(keys.queueName('land:09', 'ab12')).toBe('land.09@ab12');
    expect(keys.queueName('mirror', 'ab12')).toBe('mirror@ab12');
    expect(() => keys.queueName('mirror', 'x:y')).toThrow(RangeError);
    const targets = ['land:09', 'land.09', 'land_09', 'land_2e_09', 'land/09', 'land 09', 'Ä:1', 'land:09:x', 'land@09'];
    const names = targets.map((t) => keys.queueName(t, 'ab12'));
    expect(new Set(names).size).toBe(targets.length);
    for (const n of names) expect(n).not.toContain(':');
  });
  it('refuses prefixes that could break out of the namespace', () => {
    expect(() => new GatewayKeys('a:b')).toThrow(RangeError);
    expect(() => new GatewayKeys('a*')).toThrow(RangeError);
  });
});

describe('PayloadSealer and wire format', () => {
  it('accepts a key as base64 or hex, refuses other lengths without echoing the key', () => {
    const hex = Buffer.from(KEY_B64, 'base64').toString('hex');
    expect(new PayloadSealer(hex).keyId).toBe(new PayloadSealer(KEY_B64).keyId);
    try {
      new PayloadSealer('c2VjcmV0LXRvby1zaG9ydA==');
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain('c2VjcmV0');
    }
  });

  it('round-trips a job and a reply; the sealed forms hold no clear text', () => {
    const s = new PayloadSealer(KEY_B64);
    const job = jobFor('land:09', 42);
    const data = sealJob(s, 'id-1', job, 'gw-a');
    expect(JSON.stringify(data)).not.toContain('MELDEDATEN');
    expect(openJob(s, 'id-1', data)).toEqual(job);
    const body = Buffer.from('<antwort>PERSONENDATEN-1</antwort>');
    const frame = encodeOutcome(s, 'id-1', { reply: { status: 200, contentType: undefined, body } });
    expect(frame.includes('PERSONENDATEN')).toBe(false);
    expect(decodeOutcome(s, frame)).toEqual({ jobId: 'id-1', outcome: { reply: { status: 200, contentType: undefined, body } } });
  });

  it('refuses a job moved to another id, a frame for another job, and another key', () => {
    const s = new PayloadSealer(KEY_B64);
    const data = sealJob(s, 'id-1', jobFor('land:09', 1), 'gw-a');
    expect(() => openJob(s, 'id-2', data)).toThrow();
    expect(() => openJob(new PayloadSealer(), 'id-1', data)).toThrow();
    const frame = encodeOutcome(s, 'id-1', { reply: { status: 200, contentType: 'x', body: Buffer.from('b') } });
    const forged = Buffer.concat([Buffer.from([0, 4]), Buffer.from('id-2'), frame.subarray(2 + 4)]);
    expect(() => decodeOutcome(s, forged)).toThrow();
  });

  it('failure frames carry only a known class code', () => {
    const s = new PayloadSealer(KEY_B64);
    expect(decodeOutcome(new PayloadSealer(), encodeOutcome(s, 'j', { failure: 'unreachable' })).outcome).toEqual({ failure: 'unreachable' });
    const odd = Buffer.concat([Buffer.from([0, 1]), Buffer.from('j'), Buffer.from([2]), Buffer.from('Erika Mustermann')]);
    expect(decodeOutcome(s, odd).outcome).toEqual({ failure: 'internal' });
  });
});

describe('RetryPolicy', () => {
  const p = new RetryPolicy({ attempts: 4, backoffMs: 100, minAttemptMs: 200 });
  it('backs off exponentially', () => {
    expect([1, 2, 3].map((n) => p.delayAfter(n))).toEqual([100, 200, 400]);
  });
  it('retries only transient failures, while attempts and the deadline allow', () => {
    expect(p.shouldRetry('unreachable', 1, 10_000, 0)).toBe(true);
    expect(p.shouldRetry('timeout', 3, 10_000, 0)).toBe(true);
    expect(p.shouldRetry('unreachable', 4, 10_000, 0)).toBe(false);
    expect(p.shouldRetry('tooLarge', 1, 10_000, 0)).toBe(false);
    expect(p.shouldRetry('internal', 1, 10_000, 0)).toBe(false);
    expect(p.shouldRetry('unreachable', 1, 300, 0)).toBe(true);
    expect(p.shouldRetry('unreachable', 1, 299, 0)).toBe(false);
  });
});
