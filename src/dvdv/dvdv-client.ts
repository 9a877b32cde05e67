import { request } from 'undici';
import { clientAssertion } from './client-assertion.js';
import { DvdvError } from './dvdv-errors.js';
import type { DvdvCertificate, DvdvProblem, DvdvRequest, DvdvService, VerificationResult } from './dvdv-types.js';

/**
 * DVDV2 REST v2 client. Several servers (Landesserver replicas) with sticky failover: the last
 * server that answered is asked first; a server that cannot be reached, times out or answers
 * 5xx hands over to the next. Every call is bounded by the caller's deadline.
 */

export type EntryPath = 'intern/directory' | 'extern/standaloneauth/directory';

export interface StandaloneAuth {
  /** The organisation's registered client key and certificate (PEM). */
  keyPem: string;
  certPem: string;
  preferPss?: boolean;
}

export interface DvdvClientOptions {
  /** Base URLs up to and including `/dvdv2-backend`. */
  servers: string[];
  entryPath: EntryPath;
  auth?: StandaloneAuth;
  /** Upper bound per attempt even when the deadline is further away (ms). */
  attemptTimeoutMs?: number;
  /** Rounds over all servers before giving up. */
  rounds?: number;
}

export const BATCH_LIMIT = 200;

interface Answer<T> {
  status: number;
  body: T | undefined;
}

export class DvdvClient {
  private current = 0;
  private token: { value: string; server: number; until: number } | undefined;

  constructor(private readonly opts: DvdvClientOptions) {
    if (opts.servers.length === 0) throw new Error('DVDV: no server configured');
    if (opts.entryPath === 'extern/standaloneauth/directory' && !opts.auth) {
      throw new Error('DVDV: extern/standaloneauth/directory needs a client key and certificate');
    }
  }

  /** The server currently preferred (for /ready and tests). */
  get activeServer(): string {
    return this.opts.servers[this.current]!;
  }

  /** The service description, or undefined when the DVDV knows none (204, or 404 problem 5005). */
  async findServiceDescription(organizationKey: string, serviceSpecificationUri: string, deadline: number): Promise<DvdvService | undefined> {
    const a = await this.get<DvdvService>('findservicedescription', { organizationKey, serviceSpecificationUri }, deadline);
    return a.status === 200 ? a.body : undefined;
  }

  async findCertificateByFingerprint(fingerPrint: string, deadline: number): Promise<DvdvCertificate | undefined> {
    const a = await this.get<DvdvCertificate>('findCertificateByFingerprint', { fingerPrint }, deadline);
    return a.status === 200 ? a.body : undefined;
  }

  async verifyCategory(fingerPrint: string, category: string, deadline: number): Promise<boolean> {
    const a = await this.get<VerificationResult>('verifycategory', { fingerPrint, category }, deadline);
    return a.status === 200 && a.body?.verifyCategory === true;
  }

  async batchFindServiceDescription(items: DvdvRequest[], deadline: number): Promise<(DvdvService | null)[]> {
    return this.batch<DvdvService | null>('findservicedescription', items, deadline);
  }

  async batchVerifyCategory(items: DvdvRequest[], deadline: number): Promise<VerificationResult[]> {
    return this.batch<VerificationResult>('verifycategory', items, deadline);
  }

  private async batch<T>(fn: string, items: DvdvRequest[], deadline: number): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < items.length; i += BATCH_LIMIT) {
      const a = await this.call<T[]>('POST', `batch/${fn}`, JSON.stringify(items.slice(i, i + BATCH_LIMIT)), deadline);
      if (a.status !== 200 || !Array.isArray(a.body)) throw new DvdvError('badAnswer', `batch/${fn} answered ${a.status}`);
      out.push(...a.body);
    }
    return out;
  }

  private get<T>(fn: string, req: DvdvRequest, deadline: number): Promise<Answer<T>> {
    return this.call<T>('GET', `${fn}?request_json=${encodeURIComponent(JSON.stringify(req))}`, undefined, deadline);
  }

  private async call<T>(method: 'GET' | 'POST', pathAndQuery: string, body: string | undefined, deadline: number): Promise<Answer<T>> {
    const n = this.opts.servers.length;
    const rounds = this.opts.rounds ?? 1;
    let last: DvdvError | undefined;
    let idx = this.current;
    for (let attempt = 0; attempt < n * rounds; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw last ?? new DvdvError('timeout', 'deadline passed before the directory answered');
      // The next server after the one this call found failing (not after `current`, which a
      // concurrent call may already have moved); sticky: stay with the server that takes over.
      if (attempt > 0) {
        idx = (idx + 1) % n;
        this.current = idx;
      }
      try {
        return await this.once<T>(idx, method, pathAndQuery, body, Math.min(remaining, this.opts.attemptTimeoutMs ?? 5000));
      } catch (e) {
        if (!(e instanceof DvdvError) || e.failure === 'badAnswer' || e.failure === 'unauthorized') throw e;
        last = e;
      }
    }
    throw last ?? new DvdvError('unreachable', 'no DVDV server answered');
  }

  private async once<T>(idx: number, method: 'GET' | 'POST', pathAndQuery: string, body: string | undefined, timeoutMs: number): Promise<Answer<T>> {
    const base = this.opts.servers[idx]!.replace(/\/+$/, '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (this.opts.auth) headers['authorization'] = `EmbeddedBearer ${await this.tokenFor(idx, timeoutMs)}`;
    let res;
    try {
      res = await request(`${base}/${this.opts.entryPath}/v2/${pathAndQuery}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new DvdvError(timedOut ? 'timeout' : 'unreachable', timedOut ? 'DVDV server timed out' : 'DVDV server not reachable', { cause: e });
    }
    const text = await res.body.text();
    if (res.statusCode === 204) return { status: 204, body: undefined };
    if (res.statusCode === 401 || res.statusCode === 403) {
      this.token = undefined;
      throw new DvdvError('unauthorized', `DVDV refused the credentials (${res.statusCode})`);
    }
    if (res.statusCode >= 500) throw new DvdvError('unreachable', `DVDV server answered ${res.statusCode}`);
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (e) {
      throw new DvdvError('badAnswer', 'DVDV answer is not JSON', { cause: e });
    }
    // 404 with a problem body is how the DVDV says "no such entry" (e.g. 5005); treat as 204.
    if (res.statusCode === 404) return { status: 204, body: undefined };
    if (res.statusCode !== 200) {
      const p = parsed as DvdvProblem | undefined;
      throw new DvdvError('badAnswer', `DVDV answered ${res.statusCode}${p?.title ? ` (${p.title})` : ''}`);
    }
    // A 200 with an empty body is "none" as well (seen in practice besides 204).
    if (parsed === undefined) return { status: 204, body: undefined };
    return { status: 200, body: parsed as T };
  }

  private async tokenFor(idx: number, timeoutMs: number): Promise<string> {
    const now = Date.now();
    if (this.token && this.token.server === idx && this.token.until > now) return this.token.value;
    const auth = this.opts.auth!;
    const url = `${this.opts.servers[idx]!.replace(/\/+$/, '')}/extern/standaloneauth/token`;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion({ keyPem: auth.keyPem, certPem: auth.certPem, audience: url, ...(auth.preferPss ? { preferPss: true } : {}) }),
    });
    let res;
    try {
      res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new DvdvError('unreachable', 'DVDV token endpoint not reachable', { cause: e });
    }
    const text = await res.body.text();
    if (res.statusCode === 401) throw new DvdvError('unauthorized', 'DVDV has no client certificate for this fingerprint');
    if (res.statusCode >= 500) throw new DvdvError('unreachable', `DVDV token endpoint answered ${res.statusCode}`);
    let tok: { accessToken?: string; access_token?: string; expiresIn?: number; expires_in?: number };
    try {
      tok = JSON.parse(text) as typeof tok;
    } catch (e) {
      throw new DvdvError('badAnswer', 'DVDV token answer is not JSON', { cause: e });
    }
    // The YAML names camelCase fields; OIDC servers write snake_case — accept both.
    const value = tok.accessToken ?? tok.access_token;
    if (!value) throw new DvdvError('badAnswer', 'DVDV token answer has no access token');
    const expiresIn = tok.expiresIn ?? tok.expires_in ?? 300;
    this.token = { value, server: idx, until: now + Math.max(0, expiresIn - 30) * 1000 };
    return value;
  }
}
