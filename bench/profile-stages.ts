/**
 * `node --import tsx --cpu-prof --cpu-prof-dir=DIR bench/profile-stages.ts [verify|sign|parse|normalize] [N]`
 * A tight loop over one stage, for profiling it alone; prints ms per iteration.
 * Summarise the profile with: node --import tsx bench/profile-summary.ts DIR
 */
import { rmSync } from 'node:fs';
import { loadBenchPki } from './lib/security-wiring.js';
import { prepareMaterial } from './lib/stages.js';
import { detectWiring } from './lib/wiring.js';
import { signEnvelope } from '../src/security/wss-sign.js';
import { verifyEnvelope } from '../src/security/wss-verify.js';
import { testSigner } from '../src/security/test-pki.js';
import { parseHardened } from '../src/xml/parse-hardened.js';

const what = process.argv[2] ?? 'verify';
const n = Number(process.argv[3] ?? 3000);
const pki = await loadBenchPki(detectWiring().pkiDir);
const m = await prepareMaterial(pki);
const gw = testSigner(pki.identities.gateway);
const step: Record<string, () => unknown> = {
  verify: () => verifyEnvelope(m.req1330Signed),
  sign: () => signEnvelope(m.forwardUnsigned, gw),
  parse: () => parseHardened(m.req1330Signed).dispose(),
};
const fn = step[what];
if (!fn) throw new Error(`unknown stage ${what}`);
const t0 = performance.now();
for (let i = 0; i < n; i++) fn();
console.log(`${what}: ${((performance.now() - t0) / n).toFixed(3)} ms per iteration`);
rmSync(m.dir, { recursive: true, force: true });
