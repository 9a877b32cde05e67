/**
 * The part of the configuration a reload changes — parties, authorities (suspension), their
 * trust material, the gateway's signing key and the next one — with every file it names read
 * once, on the main thread. Worker threads get this object and read no files, so every thread
 * switches to exactly what the main thread checked.
 */
import type { AuthorityConfig, GatewayConfig, PartyConfig } from '../config/gateway-config.js';

export interface SigningFiles {
  key: string;
  certificate: string;
}

export interface LiveMaterial {
  parties: PartyConfig[];
  authorities: AuthorityConfig[];
  /** The XMeld releases' change-over windows (issue #19), switched with the parties. */
  xmeldReleases: GatewayConfig['xmeld']['releases'];
  signing?: SigningFiles;
  /** Key rollover: configured ahead, checked like the current one, not used for signing. */
  nextSigning?: SigningFiles;
  /** Content of every file named above, by the name as configured. */
  files: Record<string, string>;
}

/** Typed so the reload can say which file (never what it holds). */
export class LiveMaterialError extends Error {
  override readonly name = 'LiveMaterialError';
}

function signingFiles(key: string | undefined, certificate: string | undefined, what: string): SigningFiles | undefined {
  if (key === undefined && certificate === undefined) return undefined;
  if (key === undefined || certificate === undefined) throw new LiveMaterialError(`${what}: key and certificate are needed together`);
  return { key, certificate };
}

/** Reads the live part of `config`; throws LiveMaterialError naming each unreadable file. */
export function readLiveMaterial(config: GatewayConfig, readPem: (file: string) => string): LiveMaterial {
  const signing = signingFiles(config.security.signingKey, config.security.signingCertificate, 'security.signingKey/signingCertificate');
  const nextSigning = signingFiles(config.security.nextSigningKey, config.security.nextSigningCertificate, 'security.nextSigningKey/nextSigningCertificate');
  const names = new Set<string>();
  for (const p of config.parties) {
    for (const f of [...p.trustAnchors, ...p.intermediates, ...p.crls, ...p.signerCertificates]) names.add(f);
    if (p.clientCertificate !== undefined) names.add(p.clientCertificate);
  }
  for (const s of [signing, nextSigning]) if (s) names.add(s.key).add(s.certificate);
  const files: Record<string, string> = {};
  const unreadable: string[] = [];
  for (const name of names) {
    try {
      files[name] = readPem(name);
    } catch {
      unreadable.push(name);
    }
  }
  if (unreadable.length > 0) throw new LiveMaterialError(`not readable: ${unreadable.join(', ')}`);
  return {
    parties: config.parties,
    authorities: config.authorities,
    xmeldReleases: config.xmeld.releases,
    ...(signing ? { signing } : {}),
    ...(nextSigning ? { nextSigning } : {}),
    files,
  };
}

/** Looks a configured file up in the material (what PartyRegistry and the signer read through). */
export function materialReader(material: LiveMaterial): (file: string) => string {
  return (file) => {
    const text = material.files[file];
    if (text === undefined) throw new LiveMaterialError(`${file}: not part of the live material`);
    return text;
  };
}
