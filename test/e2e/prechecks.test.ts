import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose1330, compose1332 } from '../../src/simulator/compose-query.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { validateAnswerMessage } from '../support/schema-check.js';
import { postSoap } from '../support/soap-post.js';

const ident = (typ: '1330' | '1332') => ({ nachrichtenUUID: randomUUID(), nachrichtentyp: typ, erstellungszeitpunkt: new Date().toISOString() });

/** A lawful police search for Erika Testfrau in München (Land 09). */
const personensuche = (o: { geburtsdatum?: string; geschlecht?: string; nachname?: string; ags?: string; leser?: string; codes?: string[] } = {}) => compose1330({
  identifikation: ident('1330'),
  leserKennung: o.leser ?? `ags:${o.ags ?? '09162000'}`,
  suchprofil: {
    nachname: o.nachname ?? 'Testfrau', vornamen: 'Erika', ags: o.ags ?? '09162000',
    ...('geburtsdatum' in o ? (o.geburtsdatum ? { geburtsdatum: o.geburtsdatum } : {}) : { geburtsdatum: '1980-04-12' }),
    ...(o.geschlecht ? { geschlecht: o.geschlecht } : {}),
  },
  ...(o.codes ? { anforderungselemente: o.codes } : {}),
});

/** A police free search for Testfrau in Bavaria (takes Land-wide searches). */
const freieSuche = (o: { codes?: string[] } = {}) => compose1332({
  identifikation: ident('1332'),
  leserKennung: 'ags:09000000',
  auswahldaten: { nachname: 'Testfrau', vornamen: 'Erika' },
  suchbereich: { art: 'bundesland', code: '09' },
  ...(o.codes ? { anforderungselemente: o.codes } : {}),
});

/** As an ordinary authority (Ordnungsamt, registered, entitled to the Einzugsdatum only). */
const ordinary = (xml: string) => xml
  .replace('<xmeld:sicherheitsbehoerde>true</xmeld:sicherheitsbehoerde>', '<xmeld:sicherheitsbehoerde>false</xmeld:sicherheitsbehoerde>')
  .replace(/(<autor>[\s\S]*?<kennung>)[^<]*(<\/kennung>)/, '$1dbs:030000020000$2');
const inAuswahl = (xml: string, fragment: string) => xml.replace('</xmeld:auswahldaten>', `${fragment}</xmeld:auswahldaten>`);
/** Right after the outer name of the Auswahldaten (the order of the schema: name, …, wohnung, geburtsdaten). */
const NAME_END = /(<\/xmeld:name>\s*<\/xmeld:name>)/;
const withWohnung = (xml: string, wohnung: string) => xml.replace(NAME_END, `$1<xmeld:wohnung>${wohnung}</xmeld:wohnung>`);
const withGeburtszeitraum = (xml: string, von: string, bis: string) => xml.replace(
  NAME_END,
  `$1<xmeld:geburtsdaten><xmeld:geburtstag><xmeld:geburtszeitraum><xmeld:geburtsdatum.von>${von}</xmeld:geburtsdatum.von><xmeld:geburtsdatum.bis>${bis}</xmeld:geburtsdatum.bis></xmeld:geburtszeitraum></xmeld:geburtstag></xmeld:geburtsdaten>`,
);
const withExtension = (xml: string, root: string) => xml.replace(`</xmeld:${root}>`, `<xmeld:landesspezifischeErweiterungen><v:x xmlns:v="urn:vendor">1</v:x></xmeld:landesspezifischeErweiterungen></xmeld:${root}>`);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function ask(xml: string): Promise<{ ergebnisstatus?: string; rueckweisung: string[]; forwarded: boolean }> {
  const res = await postSoap(h.endpoint, h.signed(xml).xml);
  expect(res.status).toBe(200);
  expect(validateAnswerMessage(res.body)).toEqual({ ok: true });
  const facts = answerFacts(res.body);
  const hops: string[] = [];
  for await (const r of h.gateway.protocol.export({ vorgangsnummer: facts.vorgangsnummer as string }, { kind: 'dpo', id: 'test' })) hops.push(r.hop);
  return { ergebnisstatus: facts.ergebnisstatus, rueckweisung: facts.rueckweisung, forwarded: hops.includes('dispatched') };
}

describe('pre-checks over HTTP: the gateway answers with the register\'s code and does not forward', () => {
  const table: [string, () => string, string[]][] = [
    ['1330 minimum selection data missing (18)', () => personensuche({ geburtsdatum: '' }), ['18']],
    ['1330 wildcard in the name (15)', () => personensuche({ nachname: 'Test*' }), ['15']],
    ['1330 leser does not match the AGS (14)', () => personensuche({ leser: 'ags:09000000' }), ['14']],
    ['1330 landesspezifischeErweiterungen cross-state (23)', () => withExtension(personensuche(), 'datenabruf.personensuche.suchanfrage.1330'), ['23']],
    ['1330 ID data for an ordinary authority (07)', () => ordinary(personensuche({ codes: ['1', '163'] })), ['07']],
    ['1330 § 3 Abs. 2 Nr. 4 facts (08)', () => ordinary(personensuche({ codes: ['1', '176'] })), ['08']],
    ['1330 weapons data (09)', () => ordinary(personensuche({ codes: ['1', '178'] })), ['09']],
    ['1330 Wohnungsgeber (10)', () => ordinary(personensuche({ codes: ['1', '184'] })), ['10']],
    ['1330 sicherheitsbehoerde=true from an authority registered as ordinary (03)',
      () => personensuche().replace(/(<autor>[\s\S]*?<kennung>)[^<]*(<\/kennung>)/, '$1dbs:030000020000$2'), ['03']],
    ['1332 security selection data from an ordinary authority (04, 05, 06)', () => ordinary(inAuswahl(freieSuche(),
      '<xmeld:waffenrechtlicheErlaubnis>true</xmeld:waffenrechtlicheErlaubnis><xmeld:waffenbesitzverbot>true</xmeld:waffenbesitzverbot><xmeld:sprengstoffrechtlicheErlaubnis>true</xmeld:sprengstoffrechtlicheErlaubnis>')), ['04', '05', '06']],
    ['1332 ID data and Einzugsdatum for an authority entitled to the Einzugsdatum only (07)', () => ordinary(freieSuche({ codes: ['1', '28', '30'] })), ['07']],
    ['1332 house-number range ending before it starts (19)', () => withWohnung(freieSuche(),
      '<xmeld:anschrift><xmeld:anschrift.inland><xmeld:hausnummerOderHausnummernbereich><xmeld:hausnummernbereich><xmeld:hausnummer.von>20</xmeld:hausnummer.von><xmeld:hausnummer.bis>4</xmeld:hausnummer.bis></xmeld:hausnummernbereich></xmeld:hausnummerOderHausnummernbereich><strasse>Simulationsweg</strasse></xmeld:anschrift.inland></xmeld:anschrift>'), ['19']],
    ['1332 birth period ending before it starts (20)', () => withGeburtszeitraum(freieSuche(), '1990-01-01', '1980-01-01'), ['20']],
    ['1332 current/former restriction without a street (21)', () => withWohnung(freieSuche(), '<xmeld:aktualitaetAnschrift><code>01</code></xmeld:aktualitaetAnschrift>'), ['21']],
    ['1332 landesspezifischeErweiterungen cross-state (23)', () => withExtension(freieSuche(), 'datenabruf.freieSuche.suchanfrage.1332'), ['23']],
  ];
  for (const [name, build, codes] of table) {
    it(name, async () => {
      const r = await ask(build());
      expect(r.rueckweisung).toEqual(codes);
      expect(r.forwarded).toBe(false);
    });
  }

  it('forwards what passes: lawful 1330 (01) and 1332 (04), and an entitled ordinary authority', async () => {
    expect(await ask(personensuche())).toEqual({ ergebnisstatus: '01', rueckweisung: [], forwarded: true });
    expect(await ask(freieSuche())).toMatchObject({ ergebnisstatus: '04', forwarded: true });
    expect(await ask(ordinary(personensuche({ codes: ['1', '74'] })))).toMatchObject({ ergebnisstatus: '01', forwarded: true });
    expect(await ask(withGeburtszeitraum(freieSuche(), '1980-01-01', '1990-01-01'))).toMatchObject({ forwarded: true });
  });

  it('passes the register\'s own rejections through, for 1330 and 1332', async () => {
    expect(await ask(personensuche({ nachname: 'Rueckweisung17' }))).toMatchObject({ rueckweisung: ['17'], forwarded: true });
    expect(await ask(freieSuche().replace('<name>Testfrau</name>', '<name>Rueckweisung02</name>'))).toMatchObject({ rueckweisung: ['02'], forwarded: true });
  });
});
