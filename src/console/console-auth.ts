/**
 * Who may use the console: a TLS client certificate mapped to a configured user (by the pinned
 * certificate or its subject), or — development only — the one-time token printed at start.
 * Sessions live in memory (an instance's console is its own); a sign-in starts one, idle ones end.
 */
import { X509Certificate, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminUserConfig } from '../config/gateway-config.js';
import { certificateInfo } from '../security/cert-info.js';
import { SubjectMatcher } from '../security/distinguished-name.js';

export type Role = AdminUserConfig['role'];

export interface ConsoleUser {
  name: string;
  role: Role;
  /** security-authority: the kennung of its partition. */
  authority?: string;
}

export interface Session {
  id: string;
  user: ConsoleUser;
  /** Sent with every form, checked on every POST (the cookie alone does not authorise a change). */
  csrf: string;
  lastSeen: number;
}

/** How a user is named in the protocol: `operator:m.muster`, `dpo:dsb`, `authority:dbs:…`. */
export function actorOf(user: ConsoleUser): string {
  return user.role === 'security-authority' ? `authority:${user.authority ?? user.name}` : `${user.role}:${user.name}`;
}

export class CertificateUsers {
  private readonly byFingerprint = new Map<string, ConsoleUser>();
  private readonly bySubject: { matcher: SubjectMatcher; user: ConsoleUser }[] = [];

  constructor(users: AdminUserConfig[], readPem: (file: string) => string) {
    for (const u of users) {
      const user: ConsoleUser = { name: u.name, role: u.role, ...(u.authority ? { authority: u.authority } : {}) };
      if (u.certificate !== undefined) this.byFingerprint.set(certificateInfo(new X509Certificate(readPem(u.certificate))).fingerprintSha256, user);
      if (u.subject !== undefined) this.bySubject.push({ matcher: new SubjectMatcher([u.subject]), user });
    }
  }

  /** The user a verified client certificate (DER) belongs to, if any. */
  userOf(der: Buffer): ConsoleUser | undefined {
    const info = certificateInfo(new X509Certificate(der));
    return this.byFingerprint.get(info.fingerprintSha256) ?? this.bySubject.find((s) => s.matcher.has(info.subject))?.user;
  }
}

/** The development sign-in: one token, good for one sign-in. */
export class OneTimeToken {
  readonly value = randomBytes(18).toString('base64url');
  private spent = false;

  /** True once, for the right token; afterwards it is spent. */
  redeem(candidate: string): boolean {
    const given = Buffer.from(candidate);
    const expected = Buffer.from(this.value);
    if (this.spent || given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    this.spent = true;
    return true;
  }
}

const IDLE_MS = 30 * 60_000;

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  start(user: ConsoleUser): Session {
    const session: Session = { id: randomBytes(24).toString('base64url'), user, csrf: randomBytes(18).toString('base64url'), lastSeen: this.clock() };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (this.clock() - s.lastSeen > IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = this.clock();
    return s;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}

/** What each role may do (docs/console.md, docs/protocol.md). */
export const MAY = {
  status: (r: Role) => r !== 'security-authority',
  readProtocol: (_r: Role) => true,
  parties: (r: Role) => r !== 'security-authority',
  suspend: (r: Role) => r === 'operator',
} as const;
