/**
 * The SQLite store's schema history, run by migrations.ts's loop. It starts at the schema
 * PostgreSQL reached with its fifth migration, so its versions count on their own. STRICT
 * tables: a value of the wrong type is refused, not stored as whatever it happened to be.
 * Timestamps are integer milliseconds since the epoch (UTC), arrays JSON text, booleans 0/1
 * (sqlite-driver.ts encodes them, record-row.ts reads them back). SQLite's schema is always
 * `main` (sqlite-sql.ts), so indexes and triggers, which live beside their table, go unqualified.
 */
import type { Migration } from './migrations.js';
import { HOPS } from './protocol-record.js';

/**
 * The hop constraint as triggers, not a CHECK: SQLite cannot alter a CHECK without rebuilding
 * the table, while a trigger is dropped and created again when a migration adds a hop.
 */
export function hopGuard(): string[] {
  const allowed = HOPS.map((h) => `'${h}'`).join(',');
  return ['insert', 'update'].flatMap((event) => [
    `DROP TRIGGER IF EXISTS protocol_record_hop_${event}`,
    `CREATE TRIGGER protocol_record_hop_${event} BEFORE ${event.toUpperCase()} ${event === 'update' ? 'OF hop ' : ''}ON protocol_record
      WHEN NEW.hop NOT IN (${allowed}) BEGIN SELECT RAISE(ABORT, 'protocol_record_hop_check'); END`,
  ]);
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'protocol records and chain heads (as PostgreSQL migrations 1–5)',
    statements: (s) => [
      `CREATE TABLE ${s.heads} (
        partition TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT`,
      `CREATE TABLE ${s.records} (
        partition TEXT NOT NULL,
        seq INTEGER NOT NULL,
        vorgangsnummer TEXT NOT NULL,
        hop TEXT NOT NULL,
        at INTEGER NOT NULL,
        message_type TEXT,
        nachrichten_uuid TEXT,
        autor_kennung TEXT,
        abrufberechtigte_stelle TEXT,
        aktenzeichen TEXT,
        anlass_des_abrufs TEXT,
        kennung TEXT,
        sicherheitsbehoerde INTEGER CHECK (sicherheitsbehoerde IN (0, 1)),
        suchprofil TEXT,
        anforderungselemente TEXT,
        target TEXT,
        ergebnisstatus TEXT,
        rueckweisung TEXT,
        rts TEXT,
        technical_failure TEXT,
        person_count INTEGER,
        export_info TEXT,
        purge_info TEXT,
        xmeld_release TEXT,
        translated_from TEXT,
        endpoint TEXT,
        endpoint_source TEXT CHECK (endpoint_source IN ('dvdv','config')),
        operator_event TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (partition, seq)
      ) STRICT`,
      ...hopGuard(),
      `CREATE INDEX protocol_record_at ON protocol_record (partition, at, seq)`,
      `CREATE INDEX protocol_record_vorgang ON protocol_record (partition, vorgangsnummer)`,
      `CREATE INDEX protocol_record_purged ON protocol_record (partition, seq) WHERE hop = 'purged'`,
      // receivedMessageIds at start-up reads across partitions by time.
      `CREATE INDEX protocol_record_received ON protocol_record (at) WHERE hop = 'received'`,
    ],
  },
];
