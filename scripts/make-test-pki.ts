/**
 * Writes the test PKI (TEST KEYS ONLY) to a directory:
 *   npx tsx scripts/make-test-pki.ts <outDir> [--land-key rsa|ec]
 */
import path from 'node:path';
import { generateTestPki, type KeyType } from '../src/security/test-pki.js';

const args = process.argv.slice(2);
const outDir = args.find((a) => !a.startsWith('--'));
const landArg = args.indexOf('--land-key');
const landKeyType: KeyType = landArg >= 0 && args[landArg + 1] === 'rsa' ? 'rsa' : 'ec';
if (outDir === undefined) {
  process.stderr.write('usage: make-test-pki.ts <outDir> [--land-key rsa|ec]\n');
  process.exit(2);
}
const started = Date.now();
const pki = await generateTestPki(path.resolve(outDir), { landKeyType });
process.stdout.write(`test PKI in ${pki.dir ?? outDir} (${Object.keys(pki.identities).length} identities, ${Date.now() - started} ms)\n`);
