import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { cryptoReport } from '../../src/security/crypto-report.js';
import { pemReader } from '../../src/reload/hop-security-setup.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { projectRoot } from '../support/paths.js';
import { loadTestPki, testPkiDir } from '../support/test-pki.js';

/** Issue #13: the crypto report on the test configuration, its gauges and /ready's signing check. */
const run = promisify(execFile);

function testConfig(change: (c: GatewayConfig) => void = () => undefined): GatewayConfig {
  const c = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
  c.security.testPki = testPkiDir();
  change(c);
  return c;
}

beforeAll(async () => {
  await loadTestPki();
}, 60_000);

describe('crypto report', () => {
  it('on the test configuration: the gateway ECDSA P-256 and every party within the 2026 policy', async () => {
    const c = testConfig();
    const r = await cryptoReport(c, pemReader(c));
    expect(r.canSign).toBe(true);
    const gateway = r.certificates.find((e) => e.role === 'gateway');
    expect(gateway).toMatchObject({ key: 'ECDSA prime256v1', verdict: 'ok', signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' });
    expect(gateway?.daysToExpiry).toBeGreaterThan(300);
    const signers = r.certificates.filter((e) => e.role === 'signer');
    expect(signers.length).toBe(c.parties.length);
    for (const s of signers) expect(s, s.party).toMatchObject({ verdict: 'ok', chain: 'ok' });
    expect(signers.find((s) => s.party === 'mirror')?.key).toBe('RSA-3072');
    expect(r.crls.length).toBeGreaterThan(0);
    for (const crl of r.crls) expect(crl.hoursToNextUpdate).toBeGreaterThan(0);
  });

  it('a party on RSA-2048: legacy with its allowance, refused without; an expired signer refused', async () => {
    const legacy = (allow: boolean) => testConfig((c) => {
      const m = c.parties.find((p) => p.id === 'mirror');
      if (m === undefined) throw new Error('no mirror party');
      m.signerCertificates = ['${PKI}/legacy-rsa2048.cert.pem'];
      if (allow) m.legacy = { rsaBits: 2048 };
    });
    const withAllowance = await cryptoReport(legacy(true), pemReader(legacy(true)));
    expect(withAllowance.certificates.find((e) => e.role === 'signer' && e.party === 'mirror')).toMatchObject({ key: 'RSA-2048', verdict: 'legacy' });
    const without = await cryptoReport(legacy(false), pemReader(legacy(false)));
    expect(without.certificates.find((e) => e.role === 'signer' && e.party === 'mirror')?.verdict).toBe('refused');
    const expired = testConfig((c) => {
      const m = c.parties.find((p) => p.id === 'mirror');
      if (m) m.signerCertificates = ['${PKI}/expired.cert.pem'];
    });
    const e = (await cryptoReport(expired, pemReader(expired))).certificates.find((x) => x.role === 'signer' && x.party === 'mirror');
    expect(e?.verdict).toBe('refused');
    expect(e?.daysToExpiry).toBeLessThan(0);
  });

  it('xmeld-gateway crypto report --json prints it (exit 0 on the test configuration)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['XMELD_GATEWAY_CONFIG', 'DATABASE_URL', 'REDIS_URL', 'NODE_OPTIONS']) delete env[k];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'crypto', 'report', '--json'], { cwd: projectRoot, env });
    const report = JSON.parse(stdout) as { canSign: boolean; certificates: Array<{ role: string }> };
    expect(report.canSign).toBe(true);
    expect(report.certificates.some((c) => c.role === 'gateway')).toBe(true);
    expect(stdout).not.toMatch(/PRIVATE KEY/);
  });
});

describe('/metrics and /ready', () => {
  const open: Harness[] = [];
  afterAll(async () => {
    await Promise.all(open.map((h) => h.close()));
  });

  async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 50; i++) {
      const v = await get();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    return get();
  }

  it('gauges of days to expiry and CRL age; /ready ready with signing true', async () => {
    const h = await startHarness();
    open.push(h);
    const metrics = await until(async () => (await request(`${h.gateway.url}/metrics`)).body.text(), (t) => t.includes('role="gateway"'));
    expect(metrics).toMatch(/xmeld_gateway_certificate_expiry_days\{role="gateway",party="",subject="CN=gateway[^"]*"\} \d+/);
    expect(metrics).toMatch(/xmeld_gateway_crl_age_hours\{party="mirror",[^}]*\} \d+/);
    const ready = await request(`${h.gateway.url}/ready`);
    expect(ready.statusCode).toBe(200);
    expect(((await ready.body.json()) as { checks: { signing: boolean } }).checks.signing).toBe(true);
  });

  it('/ready fails when the gateway cannot sign (its certificate expired)', async () => {
    const h = await startHarness({ config: (c) => {
      c.security.signingKey = '${PKI}/expired.TEST-KEY.pem';
      c.security.signingCertificate = '${PKI}/expired.cert.pem';
    } });
    open.push(h);
    const ready = await until(async () => {
      const r = await request(`${h.gateway.url}/ready`);
      return { status: r.statusCode, body: (await r.body.json()) as { checks: { signing: boolean } } };
    }, (r) => r.status === 503);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.signing).toBe(false);
  });
});
