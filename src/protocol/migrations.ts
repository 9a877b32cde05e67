/**
 * Schema migrations, applied in order and recorded in protocol_migration. Many gateway
 * instances may start at once against one PostgreSQL: an advisory transaction lock per schema
 * makes one of them migrate while the others wait, then find nothing left to do. SQLite has a
 * history of its own (sqlite-migrations.ts), run by the same loop.
 */
import { HOPS } from './protocol-record.js';
import type { ProtocolSql } from './sql.js';
import type { SqlDriver } from './sql-driver.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

export interface Migration {
  version: number;
  name: string;
  statements: (sql: ProtocolSql) => string[];
}

/** The hop constraint again, for a migration that adds a hop. */
function hopCheck(s: ProtocolSql): string[] {
  return [
    `ALTER TABLE ${s.records} DROP CONSTRAINT IF EXISTS protocol_record_hop_check`,
    `ALTER TABLE ${s.records} ADD CONSTRAINT protocol_record_hop_check CHECK (hop IN (${HOPS.map((h) => `'${h}'`).join(',')}))`,
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'protocol records and chain heads',
    statements: (s) => [
      // The head row of a partition is the lock that serialises its chain, and the anchor that
      // lets verify notice records deleted from the end.
      `CREATE TABLE ${s.heads} (
        partition text PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL
      )`,
      `CREATE TABLE ${s.records} (
        partition text NOT NULL,
        seq bigint NOT NULL,
        vorgangsnummer text NOT NULL,
        hop text NOT NULL CHECK (hop IN (${HOPS.map((h) => `'${h}'`).join(',')})),
        at timestamptz NOT NULL,
        message_type text,
        nachrichten_uuid text,
        autor_kennung text,
        abrufberechtigte_stelle text,
        aktenzeichen text,
        anlass_des_abrufs text,
        kennung text,
        sicherheitsbehoerde boolean,
        suchprofil text,
        anforderungselemente text[],
        target text,
        ergebnisstatus text,
        rueckweisung text[],
        rts text,
        technical_failure text,
        person_count integer,
        export_info text,
        purge_info text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (partition, seq)
      )`,
      `CREATE INDEX protocol_record_at ON ${s.records} (partition, at, seq)`,
      `CREATE INDEX protocol_record_vorgang ON ${s.records} (partition, vorgangsnummer)`,
      `CREATE INDEX protocol_record_purged ON ${s.records} (partition, seq) WHERE hop = 'purged'`,
    ],
  },
  {
    version: 2,
    name: 'XMeld release, translation and endpoint of a hop',
    // Added as NULL columns: existing records keep their values and so their hashes.
    statements: (s) => [
      `ALTER TABLE ${s.records} ADD COLUMN xmeld_release text`,
      `ALTER TABLE ${s.records} ADD COLUMN translated_from text`,
      `ALTER TABLE ${s.records} ADD COLUMN endpoint text`,
      `ALTER TABLE ${s.records} ADD COLUMN endpoint_source text CHECK (endpoint_source IN ('dvdv','config'))`,
    ],
  },
  {
    version: 3,
    name: 'hop aborted',
    statements: (s) => hopCheck(s),
  },
  {
    version: 4,
    name: 'operator events (reload, suspension, console sign-in)',
    statements: (s) => [
      `ALTER TABLE ${s.records} ADD COLUMN operator_event text`,
      ...hopCheck(s),
    ],
  },
  {
    version: 5,
    name: 'hop delivery-failed',
    statements: (s) => hopCheck(s),
  },
];

export async function migrate(driver: SqlDriver, sql: ProtocolSql): Promise<number[]> {
  const migrations = sql.dialect === 'sqlite' ? SQLITE_MIGRATIONS : MIGRATIONS;
  return driver.transaction(async (tx) => {
    for (const [statement, params] of sql.migrationPrelude) await tx.query(statement, params);
    await tx.query(sql.createMigrations);
    const done = new Set(
      (await tx.query<{ version: number }>(`SELECT version FROM ${sql.migrations}`)).map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const statement of m.statements(sql)) await tx.query(statement);
      await tx.query(`INSERT INTO ${sql.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
