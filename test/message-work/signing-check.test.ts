import { describe, expect, it } from 'vitest';
import { SigningCheck } from '../../src/message-work/signing-check.js';

const SIGNED = (xml: string): string =>
  xml.replace('<soap:Header/>', '<soap:Header><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>QUJDREVGR0hJSktMTU5PUFFSU1RVVldY</ds:SignatureValue></ds:Signature></soap:Header>');

describe('SigningCheck (/ready signing)', () => {
  it('is true when the key signs the probe, and keeps that verdict for everyMs', async () => {
    let t = 0;
    let calls = 0;
    const check = new SigningCheck({ sign: async (x) => { calls++; return SIGNED(x); }, required: true, everyMs: 1_000, withinMs: 100, now: () => t });
    expect(await check.ready()).toBe(true);
    t = 999;
    expect(await check.ready()).toBe(true);
    expect(calls).toBe(1);
    t = 1_000;
    expect(await check.ready()).toBe(true);
    expect(calls).toBe(2);
  });

  it('is false when signing throws, hangs past withinMs, or returns no signature', async () => {
    const throwing = new SigningCheck({ sign: () => Promise.reject(new Error('no key')), required: true, everyMs: 1_000, withinMs: 100 });
    const hanging = new SigningCheck({ sign: () => new Promise<string>(() => undefined), required: true, everyMs: 1_000, withinMs: 50 });
    const unsigned = new SigningCheck({ sign: async (x) => x, required: true, everyMs: 1_000, withinMs: 100 });
    const started = Date.now();
    expect(await throwing.ready()).toBe(false);
    expect(await hanging.ready()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await unsigned.ready()).toBe(false);
  });

  it('probes afresh on refresh (a reload), whatever verdict it kept', async () => {
    let works = true;
    const check = new SigningCheck({ sign: async (x) => { if (!works) throw new Error('key gone'); return SIGNED(x); }, required: true, everyMs: 60_000, withinMs: 100 });
    expect(await check.ready()).toBe(true);
    works = false;
    expect(await check.ready()).toBe(true); // kept
    expect(await check.refresh()).toBe(false);
    expect(await check.ready()).toBe(false);
  });

  it('has nothing to check when signatures are switched off', async () => {
    const check = new SigningCheck({ sign: async (x) => x, required: false, everyMs: 1_000, withinMs: 100 });
    expect(await check.ready()).toBe(true);
  });
});
