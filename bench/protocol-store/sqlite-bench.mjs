// SQLite comparison for the embedded-store decision. better-sqlite3 is NOT a project dependency:
// run from a scratch dir:  mkdir /tmp/sqlite-bench && cd /tmp/sqlite-bench && npm i better-sqlite3 &&
//   cp <repo>/bench/protocol-store/sqlite-bench.mjs . && node sqlite-bench.mjs memory|full|normal 2000
// Work per append as in the PGlite store (canonical JSON + SHA-256 chain, head row, one
// transaction per append) minus the store's JS validation/mapping (~45 µs per record, measured).
import Database from 'better-sqlite3';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = process.argv[2] ?? 'memory'; // memory | full | normal
const n = Number(process.argv[3] ?? 2000);
const mb = (b) => Math.round(b / 1024 / 1024);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const dir = mode === 'memory' ? null : mkdtempSync(join(tmpdir(), 'sqlite-bench-'));
const db = new Database(dir ? join(dir, 'protocol.db') : ':memory:');
if (dir) { db.pragma('journal_mode = WAL'); db.pragma(`synchronous = ${mode === 'full' ? 'FULL' : 'NORMAL'}`); }
db.exec(`CREATE TABLE protocol_head (partition TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE protocol_record (partition TEXT NOT NULL, seq INTEGER NOT NULL, vorgangsnummer TEXT NOT NULL, hop TEXT NOT NULL, at TEXT NOT NULL,
 message_type TEXT, nachrichten_uuid TEXT, autor_kennung TEXT, abrufberechtigte_stelle TEXT, aktenzeichen TEXT, anlass_des_abrufs TEXT, kennung TEXT,
 sicherheitsbehoerde INTEGER, suchprofil TEXT, anforderungselemente TEXT, target TEXT, ergebnisstatus TEXT, rueckweisung TEXT, rts TEXT,
 technical_failure TEXT, person_count INTEGER, export_info TEXT, purge_info TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (partition, seq));
CREATE INDEX protocol_record_at ON protocol_record (partition, at, seq);
CREATE INDEX protocol_record_vorgang ON protocol_record (partition, vorgangsnummer);`);
const startupMs = performance.now() - t0;
const rssOpen = process.memoryUsage().rss;

const canon = (v) => v === null || typeof v !== 'object' ? JSON.stringify(v)
  : Array.isArray(v) ? `[${v.map(canon).join(',')}]`
  : `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
const rec = (i) => ({ vorgangsnummer: `VG-${i}`, hop: 'received', at: new Date(1_780_000_000_000 + i).toISOString(), messageType: '1330',
  nachrichtenUUID: `uuid-${i}`, autorKennung: 'ags:09162000', abrufberechtigteStelle: 'Landeshauptstadt München, Kreisverwaltungsreferat',
  aktenzeichen: 'AZ-2026/17', anlassDesAbrufs: 'Ermittlung der Anschrift im Verwaltungsverfahren', kennung: 'sachbearbeiter:4711',
  sicherheitsbehoerde: false, suchprofil: { auswahldaten: { familienname: 'Mustermann', vornamen: ['Erika'], geburtsdatum: '1964-08-12' } },
  anforderungselemente: ['0101', '0102', '1201'], target: 'land:05', partition: 'operator' });

const getHead = db.prepare('SELECT seq, hash FROM protocol_head WHERE partition = ?');
const newHead = db.prepare("INSERT OR IGNORE INTO protocol_head VALUES (?, 0, '" + '0'.repeat(64) + "')");
const setHead = db.prepare('UPDATE protocol_head SET seq = ?, hash = ? WHERE partition = ?');
const ins = db.prepare(`INSERT INTO protocol_record (partition, seq, vorgangsnummer, hop, at, message_type, nachrichten_uuid, autor_kennung,
 abrufberechtigte_stelle, aktenzeichen, anlass_des_abrufs, kennung, sicherheitsbehoerde, suchprofil, anforderungselemente, target, prev_hash, hash)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
const append = db.transaction((records) => {
  newHead.run('operator');
  let { seq, hash } = getHead.get('operator');
  for (const r of records) {
    seq++;
    const next = createHash('sha256').update(canon({ ...r, prevHash: hash })).digest('hex');
    ins.run(r.partition, seq, r.vorgangsnummer, r.hop, r.at, r.messageType, r.nachrichtenUUID, r.autorKennung, r.abrufberechtigteStelle,
      r.aktenzeichen, r.anlassDesAbrufs, r.kennung, r.sicherheitsbehoerde ? 1 : 0, canon(r.suchprofil), JSON.stringify(r.anforderungselemente), r.target, hash, next);
    hash = next;
  }
  setHead.run(seq, hash, 'operator');
});

let t = performance.now();
for (let i = 0; i < n; i++) append.immediate([rec(i)]);
const single = n / ((performance.now() - t) / 1000);
t = performance.now();
const batches = Math.floor((n * 5) / 50);
for (let b = 0; b < batches; b++) append.immediate(Array.from({ length: 50 }, (_, j) => rec(n + b * 50 + j)));
const batch = (batches * 50) / ((performance.now() - t) / 1000);
const rssEnd = process.memoryUsage().rss;
db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ kind: `sqlite-${mode}`, startupMs: Math.round(startupMs), rssMbBefore: mb(rss0), rssMbOpen: mb(rssOpen), rssMbEnd: mb(rssEnd),
  singlePerSec: Math.round(single), batch50RecordsPerSec: Math.round(batch) })}\n`);
