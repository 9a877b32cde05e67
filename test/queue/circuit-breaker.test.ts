import { describe, expect, it } from 'vitest';
import { TechnicalFailureError } from '../../src/errors.js';
import { CircuitBreaker } from '../../src/queue/circuit-breaker.js';
import { TargetBreakers } from '../../src/queue/target-breakers.js';
import { failureOf } from './support.js';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, a success in between resets the count', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000 }, c.now);
    b.failed(); b.failed(); b.succeeded(); b.failed(); b.failed();
    expect(b.state).toBe('closed');
    b.failed();
    expect(b.state).toBe('open');
    expect(b.admit()).toBe('refused');
  });

  it('half-open after the cool-down admits exactly one probe', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000 }, c.now);
    b.failed();
    c.advance(999);
    expect(b.admit()).toBe('refused');
    c.advance(1);
    expect(b.state).toBe('halfOpen');
    expect(b.admit()).toBe('probe');
    expect(b.admit()).toBe('refused');
    b.succeeded();
    expect(b.state).toBe('closed');
    expect(b.admit()).toBe('call');
  });

  it('a failed probe opens it again for a full cool-down', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 500 }, c.now);
    b.failed(); b.failed();
    c.advance(500);
    expect(b.admit()).toBe('probe');
    c.advance(200);
    b.failed();
    expect(b.state).toBe('open');
    c.advance(499);
    expect(b.admit()).toBe('refused');
    c.advance(1);
    expect(b.admit()).toBe('probe');
  });

  it('a released probe frees the slot without judging the register', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 0 }, c.now);
    b.failed();
    expect(b.admit()).toBe('probe');
    b.released('probe');
    expect(b.admit()).toBe('probe');
  });

  it('rejects nonsensical options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 1 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 1, coolDownMs: -1 })).toThrow(RangeError);
  });
});

describe('TargetBreakers', () => {
  it('counts only transient failures, per target', async () => {
    const c = clock();
    const t = new TargetBreakers({ failureThreshold: 2, coolDownMs: 1_000 }, c.now);
    const fail = (failure: 'unreachable' | 'timeout' | 'tooLarge' | 'internal') => () => Promise.reject(new TechnicalFailureError(failure));
    expect(await failureOf(t.run('land:01', fail('tooLarge')))).toBe('tooLarge');
    expect(await failureOf(t.run('land:01', fail('internal')))).toBe('internal');
    expect(await failureOf(t.run('land:01', fail('internal')))).toBe('internal');
    expect(t.stateOf('land:01')).toBe('closed');
    expect(await failureOf(t.run('land:01', fail('unreachable')))).toBe('unreachable');
    expect(await failureOf(t.run('land:01', fail('timeout')))).toBe('timeout');
    expect(t.stateOf('land:01')).toBe('open');
    expect(await failureOf(t.run('land:01', () => Promise.resolve(1)))).toBe('circuitOpen');
    await expect(t.run('land:02', () => Promise.resolve(2))).resolves.toBe(2);
  });

  it('does not count a timeout nobody can attribute to the register (another instance held the job)', async () => {
    const c = clock();
    const t = new TargetBreakers({ failureThreshold: 2, coolDownMs: 1_000 }, c.now);
    const unattributed = () => Promise.reject(new TechnicalFailureError('timeout', { unattributed: true }));
    for (let i = 0; i < 5; i++) expect(await failureOf(t.run('land:03', unattributed))).toBe('timeout');
    expect(t.stateOf('land:03')).toBe('closed');
    await expect(t.run('land:03', () => Promise.resolve(3))).resolves.toBe(3);
  });
});
