import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

/** Code elements the gateway reads are checked against their lists: X010 wrong list, X011 wrong code. */
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const FIRST_ELEMENT = /<xmeld:anforderungselement>\s*<code>[^<]*<\/code>/;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function rtsOf(message: string): Promise<string | undefined> {
  const r = await postSoap(h.endpoint, h.signed(message).xml);
  return answerFacts(r.body).rts;
}

describe('code lists of a 1330', () => {
  it('control: the query as it is is answered', async () => {
    const r = await postSoap(h.endpoint, h.signed(query).xml);
    expect(answerFacts(r.body).ergebnisstatus).toBe('01');
  });

  it('a code that is not in its list → X011', async () => {
    expect(FIRST_ELEMENT.test(query)).toBe(true);
    expect(await rtsOf(query.replace(FIRST_ELEMENT, '<xmeld:anforderungselement><code>999</code>'))).toBe('X011');
  });

  it('a listURI other than the list the element is typed with → X010', async () => {
    const wrongList = query.replace(FIRST_ELEMENT, (m) => m.replace('<xmeld:anforderungselement>',
      '<xmeld:anforderungselement listURI="urn:xoev-de:xmeld:codeliste:freie.suche.anforderungselement">'));
    expect(await rtsOf(wrongList)).toBe('X010');
    const wrongNachrichten = query.replace('listURI="urn:de:xmeld:schluesseltabelle:xmeld.nachrichten"', 'listURI="urn:example:other"');
    expect(await rtsOf(wrongNachrichten)).toBe('X010');
  });

  it('a structural fault stays X001, also when a code is wrong as well', async () => {
    const structural = query.replace('<xmeld:anforderungselement>', '<xmeld:unbekannt/><xmeld:anforderungselement>');
    expect(await rtsOf(structural)).toBe('X001');
    expect(await rtsOf(structural.replace(FIRST_ELEMENT, '<xmeld:anforderungselement><code>999</code>'))).toBe('X001');
  });
});
