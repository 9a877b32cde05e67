/**
 * /ready's `signing`: whether the live signing key signs, the way the pipeline signs (on the
 * worker pool where it runs). A small probe envelope is signed at most once per `everyMs` and
 * the verdict kept meanwhile; a reload asks afresh at once. Each probe is bounded by `withinMs`,
 * so a key that hangs (an HSM, a full pool) reads as "cannot sign", never as silence.
 */
import { settleWithin } from '../settle-within.js';

export interface SigningCheckOptions {
  sign: (envelopeXml: string) => Promise<string>;
  /** Whether signatures are required: without them (development) there is nothing to sign with. */
  required: boolean;
  everyMs: number;
  withinMs: number;
  now?: () => number;
}

/** A SOAP 1.1 envelope with an empty Body: nothing of a query, nothing to protocol. */
const PROBE = '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body/></soap:Envelope>';

export class SigningCheck {
  private verdict: { ok: boolean; at: number } | undefined;
  private probing: Promise<boolean> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: SigningCheckOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * A kept "signs" while fresh, else a new probe. A failed probe is not kept: at start-up the pool
   * may be too busy to answer within `withinMs`, and "not ready" must end when it is not.
   */
  ready(): Promise<boolean> {
    const v = this.verdict;
    if (v !== undefined && v.ok && this.now() - v.at < this.opts.everyMs) return Promise.resolve(true);
    return this.probe();
  }

  /** Forgets the verdict and probes now (after a reload switched the key). */
  refresh(): Promise<boolean> {
    this.verdict = undefined;
    // A probe under way may have used the old key: the new verdict comes from one after it.
    const before = this.probing ?? Promise.resolve(true);
    return before.then(() => this.probe());
  }

  private probe(): Promise<boolean> {
    this.probing ??= this.signProbe().then((ok) => {
      this.verdict = { ok, at: this.now() };
      return ok;
    }).finally(() => { this.probing = undefined; });
    return this.probing;
  }

  private async signProbe(): Promise<boolean> {
    if (!this.opts.required) return true;
    // A key that throws or hangs signs nothing: '' fails the test below.
    const signed = await settleWithin(this.opts.sign(PROBE), this.opts.withinMs, '');
    // A signature with its value, over the probe: what every answer and forwarded query needs.
    return /<(\w+:)?SignatureValue>[A-Za-z0-9+/=\s]{16,}<\/(\w+:)?SignatureValue>/.test(signed);
  }
}
