/**
 * SqlDriver over node:sqlite: one connection, owned by this process for as long as it is open.
 *
 * - WAL with synchronous=FULL: COMMIT returns only after the WAL is fsynced, so an append is
 *   acknowledged only once it survives a power cut (NORMAL would fsync at checkpoints only and
 *   could lose the last commits — records of queries already answered).
 * - locking_mode=EXCLUSIVE: the first access takes the file lock and keeps it, so a second
 *   process (another gateway, a CLI command while the gateway runs) fails at once with
 *   ProtocolStoreLockedError instead of writing beside this one; WAL's index then lives in
 *   heap memory, no -shm file.
 * - Calls run one after the other (node:sqlite is synchronous, a transaction spans awaits).
 *   A transaction starts on the next turn of the event loop: appends that arrive meanwhile
 *   (other I/O callbacks of the same turn) queue behind it in the group commit and share the
 *   next fsync instead of each paying its own.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqlDriver, SqlQueryable } from './sql-driver.js';

/** Another process holds the store's file. */
export class ProtocolStoreLockedError extends Error {
  override readonly name = 'ProtocolStoreLockedError';
  constructor(readonly file: string) {
    super(`protocol store ${file} is in use by another process (a running gateway?): one process owns the embedded store`);
  }
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
/** Prepared statements kept; the store's SQL is a small fixed set (insert widths, export filters). */
const STATEMENT_CACHE = 256;

function isLocked(err: unknown): boolean {
  const code = (err as { errcode?: unknown }).errcode;
  return typeof code === 'number' && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED);
}

/** Values as the SQLite schema keeps them (sqlite-migrations.ts). */
function encode(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  throw new TypeError(`no SQLite encoding for a ${typeof value}`);
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, StatementSync>();
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: DatabaseSync,
    readonly file: string,
    /** A file: `journal_mode` is `wal`; in memory it stays `memory`. */
    readonly journalMode: string,
  ) {}

  /** Opens (creating if missing) `file`, or an in-memory database for `:memory:`. */
  static open(file: string): SqliteDriver {
    const db = new DatabaseSync(file);
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      const mode = String(db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode']);
      db.exec('PRAGMA synchronous = FULL');
      // Take the lock now, not at the first append: a second owner is told at start-up.
      db.exec('BEGIN IMMEDIATE; COMMIT');
      return new SqliteDriver(db, file, mode);
    } catch (err) {
      db.close();
      if (isLocked(err)) throw new ProtocolStoreLockedError(file);
      throw err;
    }
  }

  query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.inTurn(() => this.run<T>(sql, params));
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn({ query: async <R>(sql: string, params: unknown[] = []) => this.run<R>(sql, params) });
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Each read runs on its own, between writes: one connection cannot hold a read snapshot
   * without holding back every append for as long (as on PGlite).
   */
  readSnapshot<T>(fn: (q: SqlQueryable) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.turn;
    this.statements.clear();
    this.db.close();
  }

  private inTurn<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('protocol store is closed'));
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private run<T>(sql: string, params: unknown[]): T[] {
    try {
      return this.statement(sql).all(...params.map(encode)) as T[];
    } catch (err) {
      if (isLocked(err)) throw new ProtocolStoreLockedError(this.file);
      throw err;
    }
  }

  /** ProtocolSql writes PostgreSQL's `$n`; SQLite's numbered form is `?n`. */
  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      statement = this.db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
