/** What the composition root wires today (the lead is changing it): read from the source and config. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/gateway-config.js';
import { ROOT } from './common.js';
import { BENCH_PKI_DIR } from './security-wiring.js';

export interface Wiring {
  /** startGateway builds WS-Security from config.security */
  securityWired: boolean;
  /** config/default.yaml carries a signing key and test PKI: the gateway signs as configured */
  configured: boolean;
  /** startGateway builds a BullMQ queue when REDIS_URL is set */
  queueWired: boolean;
  /** the test PKI the signed bench uses (config.security.testPki when wired, else the bench's own) */
  pkiDir: string;
  gatewaySource: string;
}

export function detectWiring(): Wiring {
  const src = readFileSync(path.join(ROOT, 'src/gateway.ts'), 'utf8');
  const securityWired = /config\.security|WssHopSecurity|createHopSecurity/.test(src);
  const queueWired = /BullmqDispatchQueue|BullMqDispatchQueue/.test(src);
  const config = loadConfig(path.join(ROOT, 'config/default.yaml'), {});
  const sec = (config as unknown as { security?: { required?: boolean; testPki?: string; signingKey?: string } }).security;
  // the shipped configuration signs by itself: a signing key and a test PKI the bench can sign with too
  const configured = securityWired && sec?.required !== false && sec?.signingKey !== undefined && sec.testPki !== undefined;
  const pkiDir = configured && sec?.testPki ? path.resolve(ROOT, sec.testPki) : BENCH_PKI_DIR;
  return { securityWired, configured, queueWired, pkiDir, gatewaySource: src };
}
