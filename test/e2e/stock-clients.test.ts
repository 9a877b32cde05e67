import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareMessage } from '../../src/soap/write-envelope.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { withFreshUuid } from '../support/test-pki.js';

/**
 * Issue #18: a stock SOAP stack works from the WSDL with its default settings. node-soap's
 * WSSecurityCert adds an enveloped-signature transform before exc-c14n on every reference (a
 * no-op on the Body and the Timestamp, which do not contain the signature).
 */
let h: Harness;
let client: soap.Client;
let lastRequest = '';

beforeAll(async () => {
  h = await startHarness();
  client = await soap.createClientAsync(`${h.endpoint}?wsdl`);
  const mirror = h.pki.identities.mirror;
  client.setSecurity(new soap.WSSecurityCert(mirror.keyPem.replace(/^#.*\n/, ''), mirror.certPem, ''));
  client.on('request', (xml: string) => { lastRequest = xml; });
});
afterAll(async () => {
  await h?.close();
});

/** A fixture message as node-soap's raw-XML argument (its `_xml` passes the element through). */
function rawArgument(file: string): { _xml: string } {
  return { _xml: bareMessage(withFreshUuid(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8')).xml) };
}

describe('node-soap WSSecurityCert with its defaults', () => {
  it('personensuche: the 1330 is accepted and answered (hit)', async () => {
    const [result] = await client.personensucheAsync(rawArgument('1330-unique-hit.xml')) as [unknown];
    expect(lastRequest).toContain('enveloped-signature');
    expect(JSON.stringify(result)).toContain('"01"');
  });

  it('freieSuche: the 1332 is accepted and answered', async () => {
    const [result] = await client.freieSucheAsync(rawArgument('1332-free-search-kreis.xml')) as [unknown];
    expect(JSON.stringify(result)).toMatch(/ergebnisstatus|rueckweisung/);
  });
});
