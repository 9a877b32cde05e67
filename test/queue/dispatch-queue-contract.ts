import { afterEach, describe, expect, it } from 'vitest';
import { TechnicalFailureError } from '../../src/errors.js';
import type { CircuitBreakerOptions } from '../../src/queue/circuit-breaker.js';
import type { DispatchQueue } from '../../src/queue/dispatch-queue.js';
import { bodyOf, failureOf, jobFor, replyFor, sleep, untilAborted } from './support.js';

export interface ContractQueueOptions {
  circuitBreaker?: CircuitBreakerOptions;
}

export interface ContractSubject {
  /** A fresh queue; several per test share one store (one Redis prefix). */
  create(opts?: ContractQueueOptions): DispatchQueue;
  /** Removes what the test left in the store. */
  cleanup(): Promise<void>;
}

/**
 * What every DispatchQueue must do, whatever carries the jobs. Run against each implementation
 * with a factory; implementation-specific behaviour is tested beside it.
 */
export function dispatchQueueContract(name: string, makeSubject: () => ContractSubject): void {
  describe(`DispatchQueue contract: ${name}`, () => {
    let subject: ContractSubject;
    const open: DispatchQueue[] = [];
    const create = (opts?: ContractQueueOptions): DispatchQueue => {
      subject ??= makeSubject();
      const q = subject.create(opts);
      open.push(q);
      return q;
    };

    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((q) => q.close()));
      await subject?.cleanup();
    });

    it('dispatch → reply', async () => {
      const q = create();
      q.process(async (job) => replyFor(job), () => 4);
      const reply = await q.dispatch(jobFor('land:09', 1));
      expect(reply.status).toBe(200);
      expect(reply.contentType).toBe('application/soap+xml');
      expect(bodyOf(reply)).toBe('answer to V-1');
      expect(await q.ready()).toBe(true);
    });

    it('many concurrent dispatches across several targets each get their own reply', async () => {
      const q = create();
      const seen: string[] = [];
      q.process(async (job) => {
        seen.push(job.target);
        await sleep(Math.random() * 5);
        return { ...replyFor(job), body: Buffer.from(`${job.target}/${job.vorgangsnummer}/${job.envelope}`) };
      }, () => 8);
      const targets = ['land:01', 'land:02', 'land:09', 'land:16', 'mirror'];
      const jobs = Array.from({ length: 300 }, (_, n) => jobFor(targets[n % targets.length] ?? 'mirror', n));
      const replies = await Promise.all(jobs.map((j) => q.dispatch(j)));
      replies.forEach((r, n) => {
        const j = jobs[n];
        expect(bodyOf(r)).toBe(`${j?.target}/${j?.vorgangsnummer}/${j?.envelope}`);
      });
      expect(new Set(seen)).toEqual(new Set(targets));
    });

    it('honours the concurrency of each target', async () => {
      const q = create();
      const limit: Record<string, number> = { 'land:01': 2, 'land:02': 3 };
      const running: Record<string, number> = {};
      const peak: Record<string, number> = {};
      q.process(async (job) => {
        running[job.target] = (running[job.target] ?? 0) + 1;
        peak[job.target] = Math.max(peak[job.target] ?? 0, running[job.target] ?? 0);
        await sleep(40);
        running[job.target] = (running[job.target] ?? 1) - 1;
        return replyFor(job);
      }, (t) => limit[t] ?? 1);
      const jobs = Object.keys(limit).flatMap((t) => Array.from({ length: 15 }, (_, n) => jobFor(t, n, 10_000)));
      await Promise.all(jobs.map((j) => q.dispatch(j)));
      expect(peak).toEqual(limit);
    });

    it('rejects with timeout at the deadline while the handler hangs, and aborts the handler', async () => {
      const q = create();
      let aborted: Promise<void> | undefined;
      q.process((_job, signal) => {
        aborted = new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
        return untilAborted(signal);
      }, () => 1);
      const started = Date.now();
      const job = jobFor('land:05', 1, 400);
      expect(await failureOf(q.dispatch(job))).toBe('timeout');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(380);
      expect(took).toBeLessThan(1_000);
      await expect(aborted).resolves.toBeUndefined();
    });

    it('rejects at once as overloaded when the deadline has already passed (the register was never asked)', async () => {
      const q = create();
      let asked = 0;
      q.process(async (job) => { asked++; return replyFor(job); }, () => 1);
      expect(await failureOf(q.dispatch({ ...jobFor('land:05', 1), deadline: Date.now() - 1 }))).toBe('overloaded');
      expect(asked).toBe(0);
    });

    it('a job still queued behind a busy register fails at its own deadline as overloaded, not as a register timeout', async () => {
      const q = create();
      const asked: string[] = [];
      q.process((job, signal) => { asked.push(job.vorgangsnummer); return untilAborted(signal); }, () => 1);
      const first = q.dispatch(jobFor('land:06', 1, 1_500));
      await sleep(100); // the first job holds the target's only slot
      const started = Date.now();
      expect(await failureOf(q.dispatch(jobFor('land:06', 2, 400)))).toBe('overloaded');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(1_200);
      expect(asked).toEqual(['V-1']);
      expect(await failureOf(first)).toBe('timeout');
    });

    it('passes a non-transient failure on without retrying', async () => {
      const q = create();
      let calls = 0;
      q.process(async () => {
        calls += 1;
        throw new TechnicalFailureError('tooLarge');
      }, () => 1);
      expect(await failureOf(q.dispatch(jobFor('land:03', 1)))).toBe('tooLarge');
      expect(calls).toBe(1);
    });

    it('sends a job once: a transient failure is passed on (a retry is the pipeline\'s new message)', async () => {
      const q = create();
      let calls = 0;
      q.process(async (job) => {
        calls += 1;
        if (calls < 3) throw new TechnicalFailureError('unreachable');
        return replyFor(job);
      }, () => 1);
      expect(await failureOf(q.dispatch(jobFor('land:04', 7)))).toBe('unreachable');
      await sleep(150);
      expect(calls).toBe(1);
    });

    it('opens the circuit after N transient failures, then lets one probe through', async () => {
      const q = create({ circuitBreaker: { failureThreshold: 3, coolDownMs: 400 } });
      let up = false;
      let calls = 0;
      let release: (() => void) | undefined;
      q.process(async (job) => {
        calls += 1;
        if (!up) throw new TechnicalFailureError('unreachable');
        if (job.vorgangsnummer === 'V-slow') await new Promise<void>((r) => { release = r; });
        return replyFor(job);
      }, () => 4);
      for (let n = 0; n < 3; n++) expect(await failureOf(q.dispatch(jobFor('land:07', n)))).toBe('unreachable');
      expect(calls).toBe(3);
      // Open: refused at once, the handler is not called, other targets are unaffected.
      const t0 = Date.now();
      expect(await failureOf(q.dispatch(jobFor('land:07', 4)))).toBe('circuitOpen');
      expect(Date.now() - t0).toBeLessThan(50);
      expect(calls).toBe(3);
      // Half-open after the cool-down: exactly one probe passes, the others are refused meanwhile.
      await sleep(450);
      up = true;
      const probe = q.dispatch({ ...jobFor('land:07', 5), vorgangsnummer: 'V-slow' });
      while (release === undefined) await sleep(5);
      expect(await failureOf(q.dispatch(jobFor('land:07', 6)))).toBe('circuitOpen');
      release();
      expect(bodyOf(await probe)).toBe('answer to V-slow');
      // Closed again.
      expect(bodyOf(await q.dispatch(jobFor('land:07', 8)))).toBe('answer to V-8');
    });

    it('a failed probe opens the circuit for another cool-down', async () => {
      const q = create({ circuitBreaker: { failureThreshold: 2, coolDownMs: 300 } });
      q.process(async () => { throw new TechnicalFailureError('unreachable'); }, () => 1);
      for (let n = 0; n < 2; n++) expect(await failureOf(q.dispatch(jobFor('mirror', n)))).toBe('unreachable');
      await sleep(350);
      expect(await failureOf(q.dispatch(jobFor('mirror', 3)))).toBe('unreachable');
      expect(await failureOf(q.dispatch(jobFor('mirror', 4)))).toBe('circuitOpen');
    });

    it('close() lets running jobs finish, then refuses new ones', async () => {
      const q = create();
      let started = 0;
      q.process(async (job) => {
        started += 1;
        await sleep(300);
        return replyFor(job);
      }, () => 3);
      const pending = [1, 2, 3].map((n) => q.dispatch(jobFor('land:12', n)));
      while (started < 3) await sleep(5);
      const closing = q.close();
      const replies = await Promise.all(pending);
      expect(replies.map(bodyOf)).toEqual(['answer to V-1', 'answer to V-2', 'answer to V-3']);
      await closing;
      expect(await failureOf(q.dispatch(jobFor('land:12', 4)))).toBe('internal');
      expect(await q.ready()).toBe(false);
    });
  });
}
