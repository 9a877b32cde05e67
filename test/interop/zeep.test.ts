import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { testPkiDir, withFreshUuid } from '../support/test-pki.js';

/** Debian's interpreter: its python3-zeep and python3-xmlsec are not on the other one. */
const PYTHON = '/usr/bin/python3';
const hasZeep = existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import zeep, xmlsec']);
    return true;
  } catch {
    return false;
  }
})();

let h: Harness;
const dir = mkdtempSync(path.join(os.tmpdir(), 'zeep-'));

async function zeep(file: string, operation: string, gatewayCert = 'gateway.cert.pem'): Promise<Record<string, unknown>> {
  const pki = testPkiDir();
  const message = path.join(dir, path.basename(file));
  writeFileSync(message, withFreshUuid(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8')).xml);
  const { stdout } = await promisify(execFile)(PYTHON, [
    path.join(projectRoot, 'test/interop/zeep_client.py'), `${h.endpoint}?wsdl`,
    path.join(pki, 'mirror.TEST-KEY.pem'), path.join(pki, 'mirror.cert.pem'), path.join(pki, gatewayCert), message, operation,
  ], { encoding: 'utf8' });
  return JSON.parse(stdout.trim()) as Record<string, unknown>;
}

describe.skipIf(!hasZeep && process.env['CI'] === undefined)('interop: a Python zeep client with WS-Security BinarySignature (libxmlsec1)', () => {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('calls personensuche from the WSDL, signed by libxmlsec1; zeep verifies the signed 1331', async () => {
    expect(await zeep('1330-unique-hit.xml', 'personensuche')).toEqual({
      status: 200, verified: true, ergebnisstatus: '01', rueckweisung: [], parsed: 'datenabruf.personensuche.antwort.1331',
    });
  });

  it('calls freieSuche from the WSDL and verifies the signed 1333', async () => {
    const r = await zeep('1332-free-search-land.xml', 'freieSuche');
    expect(r).toMatchObject({ status: 200, verified: true, ergebnisstatus: '04', parsed: 'datenabruf.freieSuche.antwort.1333' });
  });

  it('zeep refuses the answer when it expects another signer (the check can fail)', async () => {
    const r = await zeep('1330-unique-hit.xml', 'personensuche', 'land-05.cert.pem');
    expect(r['verified']).toBe(false);
  });
});
