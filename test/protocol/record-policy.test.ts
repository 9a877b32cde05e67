import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/protocol/canonical-json.js';
import { partitionPolicy, recordsForHop } from '../../src/protocol/partition-policy.js';
import { InvalidProtocolRecordError, MAX_RECORD_BYTES, parseNewRecord } from '../../src/protocol/record-schema.js';
import { chainHash } from '../../src/protocol/record-hash.js';
import { GENESIS_HASH, type NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import { queryRecords } from './fixtures.js';

const at = new Date('2026-01-15T10:00:00.000Z');

describe('partition policy (§ 40 Abs. 3 BMG)', () => {
  const policy = partitionPolicy(['dbs:060030020000']);
  const answered = queryRecords('VG-1', at)[3] as NewProtocolRecord;
  const full: NewProtocolRecord = { ...(queryRecords('VG-1', at)[0] as NewProtocolRecord), hop: 'answered', outcome: { ergebnisstatus: '01', personCount: 1, technicalFailure: undefined } };

  it('keeps the full record of an ordinary authority in the operator partition', () => {
    expect(recordsForHop(answered, policy)).toEqual([{ ...answered, partition: 'operator' }]);
  });

  it('gives a commissioning security authority the full record in its own partition, the operator the technical one', () => {
    const sec = { ...full, sicherheitsbehoerde: true, autorKennung: 'dbs:060030020000' };
    const [own, technical] = recordsForHop(sec, policy);
    expect(own).toEqual({ ...sec, partition: 'authority:dbs:060030020000' });
    expect(technical).toEqual({
      vorgangsnummer: 'VG-1',
      hop: 'answered',
      at,
      messageType: '1330',
      nachrichtenUUID: 'uuid-VG-1',
      autorKennung: 'dbs:060030020000',
      sicherheitsbehoerde: true,
      target: 'land:05',
      partition: 'operator',
    });
  });

  it('keeps only the technical record for a security authority that protocols itself', () => {
    const sec = { ...full, sicherheitsbehoerde: true, autorKennung: 'dbs:1', outcome: { rueckweisung: ['16'], technicalFailure: 'timeout' } };
    const records = recordsForHop(sec, policy);
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('suchprofil');
    expect(records[0]).not.toHaveProperty('aktenzeichen');
    expect(records[0]?.outcome).toEqual({ technicalFailure: 'timeout' });
  });
});

describe('record schema', () => {
  const good = queryRecords('VG-1', at)[0] as NewProtocolRecord;

  it('refuses fields for answer content and malformed values', () => {
    const bad = [
      { ...good, person: {} },
      { ...good, outcome: { personCount: 1, persons: [] } },
      { ...good, hop: 'gelesen' },
      { ...good, messageType: '1334' },
      { ...good, vorgangsnummer: '' },
      { ...good, at: new Date('x') },
      { ...good, aktenzeichen: 'a\u0000b' },
      { ...good, aktenzeichen: 'a\uD800b' },
      { ...good, outcome: { personCount: -1 } },
      { ...good, hop: 'exported' },
    ];
    for (const r of bad) expect(() => parseNewRecord(r)).toThrow(InvalidProtocolRecordError);
  });

  it('refuses a record larger than MAX_RECORD_BYTES, however its values got there', () => {
    const near = MAX_RECORD_BYTES - Buffer.byteLength(JSON.stringify(good)) - 200;
    expect(() => parseNewRecord({ ...good, aktenzeichen: 'A'.repeat(near) })).not.toThrow();
    expect(() => parseNewRecord({ ...good, aktenzeichen: 'A'.repeat(MAX_RECORD_BYTES) })).toThrow(/more than 65536/);
    expect(() => parseNewRecord({ ...good, suchprofil: { name: 'N'.repeat(MAX_RECORD_BYTES) } })).toThrow(InvalidProtocolRecordError);
  });

  it('does not echo values in its error (they may be query data)', () => {
    try {
      parseNewRecord({ ...good, kennung: 42 });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toContain('kennung');
      expect(String(err)).not.toContain('Mustermann');
    }
  });

  it('normalises so that hashing is stable', () => {
    const parsed = parseNewRecord({ ...good, outcome: {}, nachrichtenUUID: undefined, suchprofil: { b: 1, a: [1, 'x'] } });
    expect(parsed).not.toHaveProperty('outcome');
    expect(parsed).not.toHaveProperty('nachrichtenUUID');
    expect(parsed.partition).toBe('operator');
    const reordered = parseNewRecord({ ...good, nachrichtenUUID: undefined, suchprofil: { a: [1, 'x'], b: 1 } });
    expect(chainHash(parsed, GENESIS_HASH)).toBe(chainHash(reordered, GENESIS_HASH));
    expect(chainHash(parsed, GENESIS_HASH)).not.toBe(chainHash(parsed, 'f'.repeat(64)));
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: undefined }], a: 'ü' })).toBe('{"a":"ü","b":[1,{"d":2}]}');
  });
});
