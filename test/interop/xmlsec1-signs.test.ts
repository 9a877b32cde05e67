import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { testPkiDir, withFreshUuid } from '../support/test-pki.js';

const hasXmlsec1 = (() => {
  try {
    execFileSync('xmlsec1', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const X509 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3';
const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** A WS-Security template: token, timestamp and a signature for xmlsec1 to fill in. */
function template(message: string, certPem: string, now: Date): string {
  const token = certPem.replace(/-----[^-]+-----|\s/g, '');
  const reference = (id: string): string => `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${EXC}"/></ds:Transforms>`
    + '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>';
  return `<soap:Envelope xmlns:soap="${SOAP}" xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><soap:Header>`
    + '<wsse:Security soap:mustUnderstand="1">'
    + `<wsse:BinarySecurityToken wsu:Id="tok" ValueType="${X509}" EncodingType="${B64}">${token}</wsse:BinarySecurityToken>`
    + `<wsu:Timestamp wsu:Id="ts"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 300_000).toISOString()}</wsu:Expires></wsu:Timestamp>`
    + '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    + `<ds:CanonicalizationMethod Algorithm="${EXC}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>`
    + reference('body') + reference('ts')
    + '</ds:SignedInfo><ds:SignatureValue/>'
    + `<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#tok" ValueType="${X509}"/></wsse:SecurityTokenReference></ds:KeyInfo>`
    + '</ds:Signature></wsse:Security></soap:Header>'
    + `<soap:Body wsu:Id="body">${message.replace(/^<\?xml[^?]*\?>\s*/, '')}</soap:Body></soap:Envelope>`;
}

let h: Harness;
const dir = mkdtempSync(path.join(os.tmpdir(), 'xmlsec1-sign-'));

async function signedByXmlsec1(file: string): Promise<{ xml: string; uuid: string }> {
  const pki = testPkiDir();
  const { xml: message, uuid } = withFreshUuid(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8'));
  const tpl = path.join(dir, `${uuid}.xml`);
  writeFileSync(tpl, template(message, readFileSync(path.join(pki, 'mirror.cert.pem'), 'utf8'), new Date()));
  const { stdout } = await promisify(execFile)('xmlsec1', [
    '--sign', '--privkey-pem', path.join(pki, 'mirror.TEST-KEY.pem'),
    '--id-attr:Id', `${SOAP}:Body`, '--id-attr:Id', `${WSU}:Timestamp`, tpl,
  ], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { xml: stdout, uuid };
}

describe.skipIf(!hasXmlsec1 && process.env['CI'] === undefined)('interop: the gateway verifies what xmlsec1 signs', () => {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts a query signed by the xmlsec1 command line tool', async () => {
    const { xml, uuid } = await signedByXmlsec1('1330-unique-hit.xml');
    expect(xml).toMatch(/<ds:SignatureValue>[A-Za-z0-9+/=\s]{100,}<\/ds:SignatureValue>/);
    const res = await postSoap(h.endpoint, xml);
    const facts = answerFacts(res.body);
    expect(res.status).toBe(200);
    expect(facts.ursprungsUuid).toBe(uuid);
    expect(facts.ergebnisstatus).toBe('01');
    // …and xmlsec1 verifies the gateway's signed answer in turn.
    const answer = path.join(dir, `answer-${uuid}.xml`);
    writeFileSync(answer, res.body);
    const verified = await promisify(execFile)('xmlsec1', [
      '--verify', '--pubkey-cert-pem', path.join(testPkiDir(), 'gateway.cert.pem'),
      '--id-attr:Id', `${SOAP}:Body`, '--id-attr:Id', `${WSU}:Timestamp`, '--id-attr:Id', 'urn:xmeld-gateway:1:vorgang', answer,
    ], { encoding: 'utf8' });
    expect(verified.stderr).toContain('SignedInfo References (ok/all): 3/3');
  });

  it('refuses it once the signed content is changed (the check can fail)', async () => {
    const { xml } = await signedByXmlsec1('1330-unique-hit.xml');
    const res = await postSoap(h.endpoint, xml.replace('<name>Testfrau</name>', '<name>Testmann</name>'));
    expect(answerFacts(res.body).rts).toBe('T011');
  });
});
