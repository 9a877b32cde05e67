import type { GatewayConfig } from '../config/gateway-config.js';
import type { TestPki } from '../security/test-pki.js';
import { startSimulatedDvdv, type DvdvFault, type SimulatedDvdv } from '../simulator/dvdv.js';
import { LAND_CODES } from '../simulator/lands.js';
import type { SimulatedRegisters } from '../simulator/server.js';

/** The DVDV category the simulated DVDV lists the test PKI's callers in. */
export const DEMO_CALLER_CATEGORY = 'xmeld-abruf';

export const DVDV_FAULTS: readonly DvdvFault[] = ['none', 'slow', 'down', 'wrong-certificate'];

/**
 * A simulated DVDV for `simulate --dvdv` and `demo --dvdv`: every Land's register at its
 * simulated endpoint with the test PKI certificate it signs with; `wrong-certificate` publishes
 * the untrusted test identity instead; the test PKI's authority systems and the mirror backend
 * are in the caller category.
 */
export function startDemoDvdv(
  registers: SimulatedRegisters, pki: TestPki, opts: { host: string; port: number; fault?: DvdvFault; slowDelayMs?: number },
): Promise<SimulatedDvdv> {
  return startSimulatedDvdv({
    host: opts.host,
    port: opts.port,
    entries: Object.fromEntries(LAND_CODES.map((land) => [land, { endpoint: registers.urlFor(land), certPem: pki.identities[`land-${land}`].certPem }])),
    wrongCertPem: pki.identities.untrusted.certPem,
    categories: { [DEMO_CALLER_CATEGORY]: [pki.identities.mirror.certPem, pki.identities['authority-police'].certPem, pki.identities['authority-plain'].certPem] },
    ...(opts.slowDelayMs !== undefined ? { slowDelayMs: opts.slowDelayMs } : {}),
  }).then((dvdv) => {
    if (opts.fault) dvdv.setFault(opts.fault);
    return dvdv;
  });
}

/**
 * The demo's configuration with the DVDV: no static Länder routes (all from the directory),
 * the registers' signers from the DVDV chaining to the test root. The mirror stays static.
 */
export function withDemoDvdv(config: GatewayConfig, dvdvUrl: string): GatewayConfig {
  const pki = (file: string): string => `\${PKI}/${file}`;
  return {
    ...config,
    routes: { ...config.routes, laender: {} },
    dvdv: {
      entryPath: 'intern/directory',
      positiveTtlMs: 600_000,
      negativeTtlMs: 300_000,
      maxStaleMs: 3_600_000,
      attemptTimeoutMs: 2_000,
      lookupTimeoutMs: 5_000,
      warmUp: true,
      overrides: [],
      landKeys: {},
      trustAnchors: [pki('XMeld-Test-Root-CA.cert.pem')],
      intermediates: [pki('XMeld-Test-Signing-CA.cert.pem')],
      crls: [pki('intermediate.crl.pem')],
      callerCategory: DEMO_CALLER_CATEGORY,
      ...config.dvdv, // a configured dvdv: block keeps its settings, only the server is the simulated one
      servers: [dvdvUrl],
    },
  };
}
