/**
 * A throw-away test PKI for tests and the simulated registers: root CA → intermediate CA →
 * signer leaves, a CRL of the intermediate, deliberately bad certificates, and TLS certs.
 * EVERY KEY HERE IS A TEST KEY. Key files are named *.TEST-KEY.pem and start with a comment
 * saying so. Generated with @peculiar/x509 over WebCrypto; cached in a directory when given.
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { x509 } from './x509-setup.js';

export type KeyType = 'rsa' | 'ec';

export interface TestIdentity {
  name: string;
  keyType: KeyType;
  /** PKCS#8 PEM, preceded by a TEST KEY comment line. */
  keyPem: string;
  certPem: string;
  subject: string;
}

export const SIGNER_NAMES = [
  'gateway',
  'mirror',
  'land-01', 'land-02', 'land-03', 'land-04', 'land-05', 'land-06', 'land-07', 'land-08',
  'land-09', 'land-10', 'land-11', 'land-12', 'land-13', 'land-14', 'land-15', 'land-16',
  'authority-police',
  'authority-plain',
] as const;

export const BAD_NAMES = ['expired', 'not-yet-valid', 'wrong-key-usage', 'revoked', 'untrusted', 'self-signed'] as const;
/** Valid, but below the 2026 rules: accepted only where a party's entry grants the allowance. */
export const LEGACY_NAMES = ['legacy-rsa2048'] as const;
export const TLS_NAMES = ['tls-server', 'tls-client'] as const;

export type IdentityName = (typeof SIGNER_NAMES)[number] | (typeof BAD_NAMES)[number] | (typeof LEGACY_NAMES)[number] | (typeof TLS_NAMES)[number];

export interface TestPki {
  /** Directory the PEM files were written to, if any. */
  dir?: string;
  createdAt: string;
  rootCa: TestIdentity;
  intermediateCa: TestIdentity;
  /** Root of a separate hierarchy that is never configured as an anchor. */
  untrustedRootCa: TestIdentity;
  /** CRL of the intermediate CA (PEM); lists `revoked`. */
  crlPem: string;
  identities: Record<IdentityName, TestIdentity>;
}

export interface TestPkiOptions {
  /**
   * Key type of land-01 … land-16 (default 'ec': cheaper). The gateway signs with ECDSA P-256;
   * all others are RSA-3072 (BSI TR-02102-1 since 2024), but `legacy-rsa2048`.
   */
  landKeyType?: KeyType;
  /** Reference time (default: now). */
  now?: Date;
}

const TEST_KEY_BANNER = '# TEST KEY - xmeld-gateway test PKI - never use outside tests';
const MANIFEST = 'test-pki.json';
const FORMAT = 3;
const DAY = 86_400_000;
const RSA_BITS = 3072;
const rsa = (modulusLength: number): webcrypto.RsaHashedKeyGenParams => ({ name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

function signingAlgorithm(keyType: KeyType): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm : { name: 'ECDSA', hash: 'SHA-256' };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f | 0x10; // positive, no leading zero byte
  return b.toString('hex');
}

function dn(name: string): string {
  return `CN=${name}, OU=TEST, O=XMeld Gateway Test PKI, C=DE`;
}

async function keyPair(keyType: KeyType, rsaBits = RSA_BITS): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyType === 'rsa' ? rsa(rsaBits) : EC, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

async function keyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return `${TEST_KEY_BANNER}\n${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

interface Issuer { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair; keyType: KeyType }

interface LeafSpec {
  name: string;
  keyType: KeyType;
  /** RSA modulus (default 3072). */
  rsaBits?: number;
  usages?: x509.KeyUsageFlags;
  eku?: string[];
  san?: boolean;
  notBefore: Date;
  notAfter: Date;
}

async function makeCa(name: string, parent: Issuer | undefined, now: Date, pathLen: number): Promise<Issuer & { id: TestIdentity }> {
  const keys = await keyPair('rsa');
  const exts = [
    new x509.BasicConstraintsExtension(true, pathLen, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const common = { serialNumber: serial(), notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 3650 * DAY), signingAlgorithm: signingAlgorithm('rsa') };
  const cert = parent === undefined
    ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: dn(name), keys, extensions: exts })
    : await x509.X509CertificateGenerator.create({
      ...common,
      subject: dn(name),
      issuer: parent.cert.subject,
      publicKey: keys.publicKey,
      signingKey: parent.keys.privateKey,
      extensions: [...exts, await x509.AuthorityKeyIdentifierExtension.create(parent.keys.publicKey)],
    });
  return { cert, keys, keyType: 'rsa', id: { name, keyType: 'rsa', keyPem: await keyPem(keys), certPem: cert.toString('pem'), subject: cert.subject } };
}

async function makeLeaf(spec: LeafSpec, issuer: Issuer | 'self'): Promise<{ id: TestIdentity; cert: x509.X509Certificate }> {
  const keys = await keyPair(spec.keyType, spec.rsaBits);
  const exts: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(spec.usages ?? x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (spec.eku) exts.push(new x509.ExtendedKeyUsageExtension(spec.eku, false));
  if (spec.san) {
    exts.push(new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }], false));
  }
  const common = { serialNumber: serial(), notBefore: spec.notBefore, notAfter: spec.notAfter };
  let cert: x509.X509Certificate;
  if (issuer === 'self') {
    cert = await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: dn(spec.name), keys, signingAlgorithm: signingAlgorithm(spec.keyType), extensions: exts });
  } else {
    exts.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      ...common,
      subject: dn(spec.name),
      issuer: issuer.cert.subject,
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: signingAlgorithm(issuer.keyType),
      extensions: exts,
    });
  }
  return { cert, id: { name: spec.name, keyType: spec.keyType, keyPem: await keyPem(keys), certPem: cert.toString('pem'), subject: cert.subject } };
}

async function generate(opts: TestPkiOptions): Promise<TestPki> {
  const now = opts.now ?? new Date();
  const landKeyType = opts.landKeyType ?? 'ec';
  const from = new Date(now.getTime() - DAY);
  const until = new Date(now.getTime() + 730 * DAY);
  const [root, untrustedRoot] = await Promise.all([makeCa('XMeld Test Root CA', undefined, now, 1), makeCa('Untrusted Test Root CA', undefined, now, 1)]);
  const inter = await makeCa('XMeld Test Signing CA', root, now, 0);

  const specs: Array<[LeafSpec, Issuer | 'self']> = [];
  for (const name of SIGNER_NAMES) {
    const keyType: KeyType = name === 'gateway' ? 'ec' : name.startsWith('land-') ? landKeyType : 'rsa';
    specs.push([{ name, keyType, notBefore: from, notAfter: until }, inter]);
  }
  specs.push(
    [{ name: 'expired', keyType: 'rsa', notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - DAY) }, inter],
    [{ name: 'not-yet-valid', keyType: 'rsa', notBefore: new Date(now.getTime() + 30 * DAY), notAfter: new Date(now.getTime() + 400 * DAY) }, inter],
    [{ name: 'wrong-key-usage', keyType: 'rsa', usages: x509.KeyUsageFlags.keyEncipherment, notBefore: from, notAfter: until }, inter],
    [{ name: 'revoked', keyType: 'rsa', notBefore: from, notAfter: until }, inter],
    [{ name: 'untrusted', keyType: 'rsa', notBefore: from, notAfter: until }, untrustedRoot],
    [{ name: 'self-signed', keyType: 'rsa', notBefore: from, notAfter: until }, 'self'],
    [{ name: 'legacy-rsa2048', keyType: 'rsa', rsaBits: 2048, notBefore: from, notAfter: until }, inter],
    [{ name: 'tls-server', keyType: 'rsa', usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, eku: [x509.ExtendedKeyUsage.serverAuth], san: true, notBefore: from, notAfter: until }, inter],
    [{ name: 'tls-client', keyType: 'rsa', usages: x509.KeyUsageFlags.digitalSignature, eku: [x509.ExtendedKeyUsage.clientAuth], san: true, notBefore: from, notAfter: until }, inter],
  );
  const leaves = await Promise.all(specs.map(([spec, issuer]) => makeLeaf(spec, issuer)));
  const identities = Object.fromEntries(leaves.map((l) => [l.id.name, l.id])) as Record<IdentityName, TestIdentity>;
  const revoked = leaves.find((l) => l.id.name === 'revoked');
  if (revoked === undefined) throw new Error('unreachable');

  const crl = await x509.X509CrlGenerator.create({
    issuer: inter.cert.subject,
    thisUpdate: new Date(now.getTime() - 3_600_000),
    nextUpdate: new Date(now.getTime() + 30 * DAY),
    entries: [{ serialNumber: revoked.cert.serialNumber, revocationDate: new Date(now.getTime() - 3_600_000), reason: x509.X509CrlReason.keyCompromise }],
    signingKey: inter.keys.privateKey,
    signingAlgorithm: signingAlgorithm('rsa'),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(inter.keys.publicKey)],
  });
  return {
    createdAt: now.toISOString(),
    rootCa: root.id,
    intermediateCa: inter.id,
    untrustedRootCa: untrustedRoot.id,
    crlPem: `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`,
    identities,
  };
}

function allIdentities(pki: TestPki): TestIdentity[] {
  return [pki.rootCa, pki.intermediateCa, pki.untrustedRootCa, ...Object.values(pki.identities)];
}

async function writePki(dir: string, pki: TestPki, landKeyType: KeyType): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const id of allIdentities(pki)) {
    const base = id.name.replace(/[^A-Za-z0-9.-]+/g, '-');
    await writeFile(path.join(dir, `${base}.cert.pem`), id.certPem);
    await writeFile(path.join(dir, `${base}.TEST-KEY.pem`), id.keyPem, { mode: 0o600 });
  }
  await writeFile(path.join(dir, 'intermediate.crl.pem'), pki.crlPem);
  // The manifest is authoritative and written last, atomically (parallel test workers).
  const tmp = path.join(dir, `${MANIFEST}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, JSON.stringify({ format: FORMAT, landKeyType, pki: { ...pki, dir: undefined } }, null, 1));
  await rename(tmp, path.join(dir, MANIFEST));
}

async function readCached(dir: string, landKeyType: KeyType, now: Date): Promise<TestPki | undefined> {
  try {
    const m = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as { format: number; landKeyType: KeyType; pki: TestPki };
    // Regenerate when the layout changed or the "valid" leaves could be near their end.
    const ageDays = (now.getTime() - Date.parse(m.pki.createdAt)) / DAY;
    if (m.format !== FORMAT || m.landKeyType !== landKeyType || !(ageDays >= 0 && ageDays < 20)) return undefined;
    return { ...m.pki, dir };
  } catch {
    return undefined;
  }
}

/**
 * Returns the test PKI, generating it (a few seconds) or reusing the copy cached in outDir.
 * Validity periods are relative to opts.now: leaves from now−1 d to now+2 y, `expired` ended
 * yesterday, `not-yet-valid` starts in 30 days.
 */
export async function generateTestPki(outDir?: string, opts: TestPkiOptions = {}): Promise<TestPki> {
  const landKeyType = opts.landKeyType ?? 'ec';
  const now = opts.now ?? new Date();
  if (outDir !== undefined && opts.now === undefined) {
    const cached = await readCached(outDir, landKeyType, now);
    if (cached) return cached;
  }
  const pki = await generate({ ...opts, landKeyType, now });
  if (outDir !== undefined) {
    await writePki(outDir, pki, landKeyType);
    return { ...pki, dir: outDir };
  }
  return pki;
}

/** A SignerIdentity-shaped view of a test identity (private key parsed once). */
export function testSigner(id: TestIdentity): { privateKey: ReturnType<typeof createPrivateKey>; certificate: string } {
  return { privateKey: createPrivateKey(id.keyPem), certificate: id.certPem };
}
