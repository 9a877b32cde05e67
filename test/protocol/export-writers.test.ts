import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv, CSV_COLUMNS } from '../../src/protocol/export-csv.js';
import { toNdjson } from '../../src/protocol/export-json.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';

const record: ProtocolRecord = {
  partition: 'operator',
  seq: 7,
  vorgangsnummer: 'VG-1',
  hop: 'answered',
  at: new Date('2026-02-03T04:05:06.789Z'),
  messageType: '1331',
  abrufberechtigteStelle: 'Amt "Nord", Abt. 2\r\nZeile',
  aktenzeichen: '=HYPERLINK("http://x")',
  anlassDesAbrufs: '-1+1',
  kennung: '@user',
  suchprofil: { familienname: 'Müller, "Hans"' },
  anforderungselemente: ['0101', '0102'],
  outcome: { ergebnisstatus: '02', rueckweisung: ['13'], personCount: 2 },
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

/** Minimal RFC 4180 parser, to check the writer's output reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

async function* many(n: number): AsyncGenerator<ProtocolRecord> {
  for (let i = 0; i < n; i++) yield { ...record, seq: i };
}

describe('CSV export', () => {
  it('escapes per RFC 4180 and defuses formulas', async () => {
    let out = '';
    for await (const chunk of toCsv(many(1))) out += chunk;
    const [header, row] = parseCsv(out);
    expect(header).toEqual([...CSV_COLUMNS]);
    const cell = (name: string) => row?.[CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
    expect(cell('abrufberechtigteStelle')).toBe('Amt "Nord", Abt. 2\r\nZeile');
    expect(cell('aktenzeichen')).toBe(`'=HYPERLINK("http://x")`);
    expect(cell('anlassDesAbrufs')).toBe(`'-1+1`);
    expect(cell('kennung')).toBe(`'@user`);
    expect(JSON.parse(cell('suchprofil') ?? '')).toEqual({ familienname: 'Müller, "Hans"' });
    expect(cell('at')).toBe('2026-02-03T04:05:06.789Z');
    expect(cell('rueckweisung')).toBe('13');
    expect(cell('personCount')).toBe('2');
    expect(csvCell('+49 89')).toBe(`'+49 89`);
    expect(csvCell('plain')).toBe('plain');
  });

  it('streams: lines are produced as records arrive', async () => {
    let pulled = 0;
    async function* counted() {
      for await (const r of many(100_000)) { pulled++; yield r; }
    }
    const gen = toCsv(counted());
    await gen.next(); // header
    await gen.next(); // first record
    expect(pulled).toBe(1);
    let bytes = 0;
    await pipeline(Readable.from(gen), new Writable({ write(c: Buffer, _e, cb) { bytes += c.length; cb(); } }));
    expect(pulled).toBe(100_000);
    expect(bytes).toBeGreaterThan(100_000 * 300);
  });
});

describe('NDJSON export', () => {
  it('writes one self-contained JSON object per line', async () => {
    let out = '';
    for await (const chunk of toNdjson(many(3))) out += chunk;
    const lines = out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(parsed).toMatchObject({ vorgangsnummer: 'VG-1', at: '2026-02-03T04:05:06.789Z', seq: 0, abrufberechtigteStelle: record.abrufberechtigteStelle });
  });
});
