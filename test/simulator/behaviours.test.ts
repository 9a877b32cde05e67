/**
 * Register behaviours beyond the fixture catalogue: unreachable Länder, routing errors, hostile
 * input, the security hooks, the identifikationsmerkmal round trip and shutting down mid-delay.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectedMessageError } from '../../src/errors.js';
import { compose1330, DEFAULT_AUTHOR } from '../../src/simulator/compose-query.js';
import { startSimulatedRegisters, type SimulatedRegisters } from '../../src/simulator/server.js';
import { NS, postSoap, readFixture, soapEnvelope, summarize, text, vorgangHeader, withDoc } from './helpers.js';

const started: SimulatedRegisters[] = [];
async function start(opts: Parameters<typeof startSimulatedRegisters>[0] = {}): Promise<SimulatedRegisters> {
  const sim = await startSimulatedRegisters(opts);
  started.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const bare = (xml: string): string => xml.replace(/^<\?xml[^>]*\?>\s*/, '');

describe('Land behaviour down', () => {
  it('resets the connection without an HTTP answer, and comes back up on demand', async () => {
    const sim = await start({ behaviour: { '09': { down: true } } });
    const envelope = soapEnvelope('1.1', await readFixture('1330-unique-hit.xml'));
    await expect(postSoap(sim.urlFor('09'), '1.1', envelope)).rejects.toThrow();

    // the other Länder are unaffected
    const other = await postSoap(sim.urlFor('03'), '1.1', soapEnvelope('1.1', await readFixture('1330-not-found.xml')));
    expect(other.status).toBe(200);

    sim.setBehaviour('09', {});
    const res = await postSoap(sim.urlFor('09'), '1.1', envelope);
    expect(summarize(res.text).ergebnisstatus).toBe('01');
  });
});

describe('block dialect override', () => {
  it('lets a Land answer blocked persons in another dialect', async () => {
    const sim = await start({ behaviour: { '03': { blockDialect: 'vendor-marker' } } });
    const res = await postSoap(sim.urlFor('03'), '1.1', soapEnvelope('1.1', await readFixture('1330-blocked-standard.xml')));
    const a = summarize(res.text);
    expect(a.ergebnisstatus).toBe('03');
    expect(a.vendorMarker).toBe(true);
  });
});

describe('identifikationsmerkmal round trip', () => {
  it('resolves a token from a Trefferliste to that person, only at the issuing register', async () => {
    const sim = await start();
    const list = await postSoap(sim.urlFor('05'), '1.1', soapEnvelope('1.1', await readFixture('1330-trefferliste.xml')));
    const [token, geburtsdatum] = withDoc(list.text, (doc) => {
      const second = doc.find('//x:auskunft/x:person', NS)[1]!;
      return [
        text(second, 'x:identifikationsmerkmal')!,
        text(second, 'x:personendaten/x:geburtsangaben/x:geburt/x:geburtsdatum/teilbekanntesDatum/jahrMonatTag')!,
      ];
    });
    const followUp = bare(
      compose1330({
        identifikation: { nachrichtenUUID: crypto.randomUUID(), nachrichtentyp: '1330', erstellungszeitpunkt: '2026-01-15T10:00:00.000+01:00' },
        leserKennung: 'ags:05315000',
        suchprofil: { identifikationsmerkmal: token },
      }),
    );
    const hit = await postSoap(sim.urlFor('05'), '1.1', soapEnvelope('1.1', followUp));
    const a = summarize(hit.text);
    expect(a.ergebnisstatus).toBe('01');
    expect(a.persons).toBe(1);
    expect(hit.text).toContain(geburtsdatum);

    // the same token at another Land's register is unknown there
    const elsewhere = bare(
      compose1330({
        identifikation: { nachrichtenUUID: crypto.randomUUID(), nachrichtentyp: '1330', erstellungszeitpunkt: '2026-01-15T10:00:00.000+01:00' },
        leserKennung: 'ags:06412000',
        suchprofil: { identifikationsmerkmal: token },
      }),
    );
    const rejected = await postSoap(sim.urlFor('06'), '1.1', soapEnvelope('1.1', elsewhere));
    expect(summarize(rejected.text).rueckweisung).toEqual(['01']);
  });
});

describe('requests a register refuses', () => {
  it('answers a query for another Land with a 0910 T080 (wrong recipient)', async () => {
    const sim = await start();
    const res = await postSoap(sim.urlFor('05'), '1.1', soapEnvelope('1.1', await readFixture('1330-unique-hit.xml')));
    expect(res.status).toBe(500);
    withDoc(res.text, (doc) => {
      expect(text(doc, '//detail/x:administration.returntosender.0910/x:rts.container/x:begruendung/x:grund/code')).toBe('T080');
    });
  });

  it('refuses a DOCTYPE without expanding entities', async () => {
    const sim = await start();
    const evil =
      '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "EXPANDED-ENTITY">]>' +
      `<env:Envelope xmlns:env="${NS.s11}"><env:Body><p>&x;</p></env:Body></env:Envelope>`;
    const res = await postSoap(sim.urlFor('03'), '1.1', evil);
    expect(res.status).toBe(500);
    expect(res.text).toContain('X000');
    expect(res.text).not.toContain('EXPANDED-ENTITY');
  });

  it('answers malformed XML with a Client fault (X000)', async () => {
    const sim = await start();
    const res = await postSoap(sim.urlFor('03'), '1.2', '<env:Envelope xmlns:env="x"><unclosed>');
    expect(res.status).toBe(400);
    withDoc(res.text, (doc) => expect(text(doc, '//s12:Fault/s12:Reason/s12:Text')).toMatch(/^X000/));
  });

  it('answers another XMeld version with V000', async () => {
    const sim = await start();
    const old = (await readFixture('1330-unique-hit.xml')).replace('version="25.11a"', 'version="3.4"');
    const res = await postSoap(sim.urlFor('09'), '1.1', soapEnvelope('1.1', old));
    expect(res.status).toBe(500);
    withDoc(res.text, (doc) => {
      expect(text(doc, '//detail/x:administration.returntosender.0910/x:rts.container/x:begruendung/x:grund/code')).toBe('V000');
    });
  });

  it('refuses an unknown Land path and an unsupported content type', async () => {
    const sim = await start();
    const envelope = soapEnvelope('1.1', await readFixture('1330-not-found.xml'));
    expect((await postSoap(`${sim.baseUrl}/land/17`, '1.1', envelope)).status).toBe(404);
    const res = await fetch(sim.urlFor('03'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(415);
  });
});

describe('security hooks', () => {
  it('signs every answer through signResponse', async () => {
    const seen: string[] = [];
    const sim = await start({
      security: {
        async signResponse(xml) {
          seen.push(xml);
          return xml.replace('<soap:Header>', '<soap:Header><signed xmlns="urn:test"/>');
        },
      },
    });
    const res = await postSoap(sim.urlFor('03'), '1.1', soapEnvelope('1.1', await readFixture('1330-not-found.xml'), vorgangHeader('VG-s')));
    expect(seen).toHaveLength(1);
    expect(res.text).toContain('<signed xmlns="urn:test"/>');
  });

  it('turns a failed verifyRequest into a fault with the rejection code', async () => {
    const sim = await start({
      security: {
        async verifyRequest() {
          throw new RejectedMessageError('T010');
        },
      },
    });
    const res = await postSoap(sim.urlFor('03'), '1.1', soapEnvelope('1.1', await readFixture('1330-not-found.xml')));
    expect(res.status).toBe(500);
    withDoc(res.text, (doc) => {
      expect(text(doc, '//detail/x:administration.returntosender.0910/x:rts.container/x:begruendung/x:grund/code')).toBe('T010');
      expect(text(doc, '//detail//x:ursprungsnachricht/nachrichtenUUID')).toMatch(/^[0-9a-f-]{36}$/);
    });
    expect(res.text).not.toContain('Niemand'); // no personal data from the request in the fault
  });
});

describe('shutdown', () => {
  it('close() does not wait for a pending slow answer', async () => {
    const sim = await startSimulatedRegisters({ slowDelayMs: 60_000 });
    const envelope = soapEnvelope('1.1', await readFixture('1330-slow.xml'));
    const pending = postSoap(sim.urlFor('11'), '1.1', envelope).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await sim.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await pending).toBe('failed');
  });
});

describe('logging', () => {
  it('logs outcomes but no personal data', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const sim = await start({ logger });
    await postSoap(sim.urlFor('09'), '1.1', soapEnvelope('1.1', await readFixture('1330-unique-hit.xml')));
    const log = lines.join('');
    expect(log).toContain('simulated register answered');
    expect(log).not.toMatch(/Testfrau|Erika|1980-04-12/);
  });
});

describe('GET /', () => {
  it('lists the 16 registers and the mirror', async () => {
    const sim = await start();
    const body = (await (await fetch(`${sim.baseUrl}/`)).json()) as { registers: { land: string; url: string }[]; mirror: { land: string } };
    expect(body.registers).toHaveLength(16);
    expect(body.registers[8]).toMatchObject({ land: '09', url: sim.urlFor('09') });
    expect(body.mirror.land).toBe('03');
    expect(DEFAULT_AUTHOR.kennung).toBe('dbs:030000010000');
  });
});
