import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { XmlElement } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { NSMAP, resign } from '../security/tamper.js';

/** Issue #13: the SHA-1 allowance of a party's configuration, end to end over HTTP. */
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const open: Harness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
});

async function withMirrorSha1(allowSha1: boolean): Promise<Harness> {
  const h = await startHarness({ config: (c) => {
    const mirror = c.parties.find((p) => p.id === 'mirror');
    if (mirror) mirror.allowSha1 = allowSha1;
  } });
  open.push(h);
  return h;
}

/** The mirror's signed query, re-signed with rsa-sha1 and SHA-1 digests. */
function sha1Signed(h: Harness): string {
  const key = createPrivateKey(h.pki.identities.mirror.keyPem);
  return resign(h.signed(query).xml, key, (sig) => {
    (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    for (const d of sig.find('ds:SignedInfo/ds:Reference/ds:DigestMethod', NSMAP) as XmlElement[]) {
      d.setAttr('Algorithm', 'http://www.w3.org/2000/09/xmldsig#sha1');
    }
  });
}

describe('SHA-1 only where a party\'s entry grants it', () => {
  it('refused (T011) for a party without the allowance', async () => {
    const h = await withMirrorSha1(false);
    const facts = answerFacts((await postSoap(h.endpoint, sha1Signed(h))).body);
    expect(facts.rts).toBe('T011');
  });

  it('accepted for the party whose entry says allowSha1: true', async () => {
    const h = await withMirrorSha1(true);
    const res = await postSoap(h.endpoint, sha1Signed(h));
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
  });
});
