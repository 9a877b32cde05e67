/** How the bench's gateway signs: as config/default.yaml says, or with the bench's own keys. */
import path from 'node:path';
import { loadConfig } from '../../src/config/gateway-config.js';
import { ROOT } from './common.js';
import { BENCH_PKI_DIR } from './security-wiring.js';

export interface Wiring {
  /** config/default.yaml carries a signing key and test PKI: the gateway signs as configured */
  configured: boolean;
  /** the test PKI the signed bench uses (config.security.testPki when wired, else the bench's own) */
  pkiDir: string;
}

export function detectWiring(): Wiring {
  const config = loadConfig(path.join(ROOT, 'config/default.yaml'), {});
  const sec = (config as unknown as { security?: { required?: boolean; testPki?: string; signingKey?: string } }).security;
  // the shipped configuration signs by itself: a signing key and a test PKI the bench can sign with too
  const configured = sec?.required !== false && sec?.signingKey !== undefined && sec.testPki !== undefined;
  const pkiDir = configured && sec?.testPki ? path.resolve(ROOT, sec.testPki) : BENCH_PKI_DIR;
  return { configured, pkiDir };
}
