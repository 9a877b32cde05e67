import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-check.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { readLiveMaterial, type LiveMaterial } from './live-material.js';
import { LiveTrust } from './live-trust.js';
import { buildTrustGeneration } from './trust-generation.js';
import { InMemoryReplayGuard, type ReplayGuard } from '../security/replay-guard.js';
import { generateTestPki } from '../security/test-pki.js';

/** `${PKI}` in a configured path stands for the test PKI directory. */
export function pemReader(config: GatewayConfig): (file: string) => string {
  const pki = config.security.testPki === undefined ? undefined : path.resolve(config.security.testPki);
  return (file) => {
    if (file.includes('${PKI}') && pki === undefined) throw new Error(`${file}: \${PKI} needs security.testPki`);
    return readFileSync(path.resolve(file.replaceAll('${PKI}', pki ?? '')), 'utf8');
  };
}

type PemKind = 'certificate' | 'private key' | 'CRL';
const PEM_LABELS: Record<PemKind, RegExp> = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/,
  CRL: /-----BEGIN (?:X509 )?CRL-----/,
};

/** A reader that reads each file once; a failed read is tried again (and fails again). */
function readOnce(read: (file: string) => string): (file: string) => string {
  const seen = new Map<string, string>();
  return (file) => {
    let text = seen.get(file);
    if (text === undefined) {
      text = read(file);
      seen.set(file, text);
    }
    return text;
  };
}

/**
 * Every PEM file the configuration names, read and checked for what it must hold, before any
 * is used: the errors name the key, the file and what was expected (ConfigError lists them all).
 */
export function checkPemFiles(config: GatewayConfig, read: (file: string) => string = pemReader(config)): void {
  const problems: string[] = [];
  const check = (key: string, file: string | undefined, kind: PemKind): void => {
    if (file === undefined) return;
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      problems.push(`${key}: file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    // A CRL may also be given as base64 DER (trust.ts reads both).
    const ok = PEM_LABELS[kind].test(text) || (kind === 'CRL' && /^[A-Za-z0-9+/=\s]+$/.test(text));
    if (!ok) problems.push(`${key}: file ${file} is not a PEM ${kind}`);
  };
  const { security, http, register } = config;
  if (security.required) {
    check('security.signingKey', security.signingKey, 'private key');
    check('security.signingCertificate', security.signingCertificate, 'certificate');
  }
  config.parties.forEach((p, i) => {
    const at = `parties[${i}]`;
    p.trustAnchors.forEach((f, j) => check(`${at}.trustAnchors[${j}]`, f, 'certificate'));
    p.intermediates.forEach((f, j) => check(`${at}.intermediates[${j}]`, f, 'certificate'));
    p.crls.forEach((f, j) => check(`${at}.crls[${j}]`, f, 'CRL'));
    p.signerCertificates.forEach((f, j) => check(`${at}.signerCertificates[${j}]`, f, 'certificate'));
    check(`${at}.clientCertificate`, p.clientCertificate, 'certificate');
  });
  if (http.tls) {
    check('http.tls.key', http.tls.key, 'private key');
    check('http.tls.certificate', http.tls.certificate, 'certificate');
    http.tls.clientCa.forEach((f, j) => check(`http.tls.clientCa[${j}]`, f, 'certificate'));
  }
  if (register.tls) {
    check('register.tls.key', register.tls.key, 'private key');
    check('register.tls.certificate', register.tls.certificate, 'certificate');
    register.tls.ca.forEach((f, j) => check(`register.tls.ca[${j}]`, f, 'certificate'));
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Builds the security step from the configuration: the gateway's signer, the parties and
 * their trust, the replay guard. With `security.testPki` a throwaway TEST PKI is generated
 * (or reused) first, so the demo and CI run signed on every hop like production does. A pool
 * worker passes the material the main thread read, so it reads no files of its own.
 */
export async function createHopSecurity(
  config: GatewayConfig,
  opts: { log: Logger; replayGuard?: ReplayGuard; clock?: () => Date; material?: LiveMaterial },
): Promise<{ security: LiveTrust; material: LiveMaterial }> {
  if (config.security.testPki !== undefined && opts.material === undefined) {
    await generateTestPki(path.resolve(config.security.testPki));
    opts.log.warn({ dir: config.security.testPki }, 'using the TEST PKI: for demos and tests only, never in production');
  }
  if (!config.security.required) opts.log.warn('signatures are switched off (security.required: false): development only');
  // The main thread checks every file by its key first, then builds the material from the same
  // reads (each file read once); workers get what it read.
  let material = opts.material;
  if (material === undefined) {
    const read = readOnce(pemReader(config));
    checkPemFiles(config, read);
    material = readLiveMaterial(config, read);
  }
  const generation = buildTrustGeneration(config, material, {
    replayGuard: opts.replayGuard ?? new InMemoryReplayGuard(),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { security: new LiveTrust(generation), material };
}
