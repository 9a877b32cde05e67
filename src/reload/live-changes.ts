/**
 * What a reload changes, in words for the protocol and the log: parties and authorities added,
 * removed, suspended, their settings or trust material changed, the signing certificate
 * replaced. Certificates are named by fingerprint; key material is never described. Pure.
 */
import { X509Certificate, createHash } from 'node:crypto';
import type { PartyConfig } from '../config/gateway-config.js';
import { certificateInfo } from '../security/cert-info.js';
import type { LiveMaterial } from './live-material.js';

const FILE_KEYS = ['trustAnchors', 'intermediates', 'crls', 'signerCertificates', 'clientCertificate'] as const;

export function liveChanges(before: LiveMaterial, after: LiveMaterial): string[] {
  const changes: string[] = [];
  diffById(before.authorities, after.authorities, (a) => a.kennung, 'authority', changes, (a, b) => {
    if (a.suspended !== b.suspended) return [b.suspended ? 'suspended' : 'no longer suspended'];
    return JSON.stringify(a) === JSON.stringify(b) ? [] : ['registration changed'];
  });
  diffById(before.parties, after.parties, (p) => p.id, 'party', changes, (a, b) => partyChanges(a, b, before, after));
  if (JSON.stringify(before.xmeldReleases) !== JSON.stringify(after.xmeldReleases)) {
    changes.push(`XMeld release windows: ${JSON.stringify(after.xmeldReleases)}`);
  }
  const signer = (m: LiveMaterial, which: 'signing' | 'nextSigning'): string | undefined => {
    const files = m[which];
    return files === undefined ? undefined : `${fingerprint(m.files[files.certificate])}/${digest(m.files[files.key])}`;
  };
  if (signer(before, 'signing') !== signer(after, 'signing')) {
    changes.push(`signing key and certificate replaced: certificate ${certName(after, 'signing')}`);
  }
  if (signer(before, 'nextSigning') !== signer(after, 'nextSigning')) {
    changes.push(after.nextSigning ? `next signing certificate configured: ${certName(after, 'nextSigning')}` : 'next signing certificate removed');
  }
  return changes;
}

function diffById<T>(
  before: T[], after: T[], id: (t: T) => string, what: string, out: string[], compare: (a: T, b: T) => string[],
): void {
  const old = new Map(before.map((t) => [id(t), t]));
  const now = new Map(after.map((t) => [id(t), t]));
  for (const [k, b] of now) {
    const a = old.get(k);
    if (a === undefined) out.push(`${what} ${k} added`);
    else for (const c of compare(a, b)) out.push(`${what} ${k} ${c}`);
  }
  for (const k of old.keys()) if (!now.has(k)) out.push(`${what} ${k} removed`);
}

function partyChanges(a: PartyConfig, b: PartyConfig, before: LiveMaterial, after: LiveMaterial): string[] {
  const out: string[] = [];
  if (a.suspended !== b.suspended) out.push(b.suspended ? 'suspended' : 'no longer suspended');
  const changedFiles = FILE_KEYS.filter((k) => contentOf(a[k], before) !== contentOf(b[k], after));
  if (changedFiles.length > 0) out.push(`trust material changed (${changedFiles.join(', ')})`);
  const settings = (p: PartyConfig): string => JSON.stringify({ ...p, suspended: undefined, ...Object.fromEntries(FILE_KEYS.map((k) => [k, undefined])) });
  if (settings(a) !== settings(b)) out.push('settings changed');
  return out;
}

function contentOf(files: string | string[] | undefined, m: LiveMaterial): string {
  const list = files === undefined ? [] : Array.isArray(files) ? files : [files];
  return list.map((f) => digest(m.files[f])).join(',');
}

function digest(text: string | undefined): string {
  return text === undefined ? '-' : createHash('sha256').update(text).digest('hex');
}

function fingerprint(pem: string | undefined): string {
  if (pem === undefined) return '-';
  try {
    return certificateInfo(new X509Certificate(pem)).fingerprintSha256;
  } catch {
    return digest(pem);
  }
}

/** Subject, expiry and SHA-256 fingerprint of a configured signing certificate. */
function certName(m: LiveMaterial, which: 'signing' | 'nextSigning'): string {
  const files = m[which];
  const pem = files === undefined ? undefined : m.files[files.certificate];
  if (pem === undefined) return '-';
  const c = certificateInfo(new X509Certificate(pem));
  return `${c.subject}, valid to ${c.notAfter.toISOString()}, SHA-256 ${c.fingerprintSha256}`;
}
