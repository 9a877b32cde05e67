/**
 * SqlDriver over node:sqlite: one connection, owned by this process for as long as it is open.
 *
 * - WAL, and an append is acknowledged only once its commit survives a power cut: after COMMIT
 *   the WAL file is fdatasynced — on libuv's thread pool, not on the event loop (node:sqlite is
 *   synchronous: with synchronous=FULL each COMMIT blocked every query for the fsync, measured
 *   2–3 ms here). SQLite itself runs with synchronous=NORMAL, which in WAL mode syncs at
 *   checkpoints (so the database file is never left corrupt); the sync after each commit gives
 *   what FULL gives. Commits that arrive while a sync runs share the next one. Without a WAL
 *   (in memory) there is nothing to sync.
 * - locking_mode=EXCLUSIVE: the first access takes the file lock and keeps it, so a second
 *   process (another gateway, a CLI command while the gateway runs) fails at once with
 *   ProtocolStoreLockedError instead of writing beside this one; WAL's index then lives in
 *   heap memory, no -shm file.
 * - Calls run one after the other (node:sqlite is synchronous, a transaction spans awaits).
 *   A transaction starts on the next turn of the event loop: appends that arrive meanwhile
 *   (other I/O callbacks of the same turn) queue behind it in the group commit and share the
 *   next fsync instead of each paying its own.
 */
import { closeSync, fdatasync, fsync, openSync } from 'node:fs';
import path from 'node:path';
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

export interface SqliteDriverOptions {
  /** How a file descriptor is synced (default fs.fdatasync on the thread pool); for tests. */
  datasync?: (fd: number, done: (err: Error | null) => void) => void;
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, StatementSync>();
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly wal: WalSync | undefined;
  private changes: StatementSync | undefined;
  private totalChanges = 0;

  private constructor(
    private readonly db: DatabaseSync,
    readonly file: string,
    /** A file: `journal_mode` is `wal`; in memory it stays `memory`. */
    readonly journalMode: string,
    opts: SqliteDriverOptions,
  ) {
    this.wal = journalMode === 'wal' ? new WalSync(`${file}-wal`, opts.datasync ?? fdatasync) : undefined;
  }

  /** Opens (creating if missing) `file`, or an in-memory database for `:memory:`. */
  static open(file: string, opts: SqliteDriverOptions = {}): SqliteDriver {
    const db = new DatabaseSync(file);
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      const mode = String(db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode']);
      // With a WAL, commits are made durable by WalSync; otherwise SQLite syncs each itself.
      db.exec(mode === 'wal' ? 'PRAGMA synchronous = NORMAL' : 'PRAGMA synchronous = FULL');
      // Take the lock now, not at the first append: a second owner is told at start-up.
      db.exec('BEGIN IMMEDIATE; COMMIT');
      return new SqliteDriver(db, file, mode, opts);
    } catch (err) {
      db.close();
      if (isLocked(err)) throw new ProtocolStoreLockedError(file);
      throw err;
    }
  }

  /** WAL syncs made so far (each covers every commit before it). */
  get walSyncs(): number {
    return this.wal?.count ?? 0;
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    // A statement on its own commits itself (the store appends with one statement per batch).
    let wrote = false;
    const rows = await this.inTurn(() => {
      const r = this.run<T>(sql, params);
      wrote = this.changedSinceLast();
      return r;
    });
    if (wrote && this.wal !== undefined) await this.wal.durable();
    return rows;
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const result = await this.inTurn(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const r = await fn({ query: async <R>(sql: string, params: unknown[] = []) => this.run<R>(sql, params) });
        this.db.exec('COMMIT');
        this.changedSinceLast();
        return r;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
    // Outside the turn: the next transaction runs while this one's commit is synced.
    if (this.wal !== undefined) await this.wal.durable();
    return result;
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
    await this.wal?.close();
    this.statements.clear();
    this.db.close();
  }

  private inTurn<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('protocol store is closed'));
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Whether rows changed since the last call (SQLite's total_changes counts every write of the connection). */
  private changedSinceLast(): boolean {
    this.changes ??= this.db.prepare('SELECT total_changes() AS n');
    const n = Number(this.changes.get()?.['n'] ?? 0);
    const changed = n !== this.totalChanges;
    this.totalChanges = n;
    return changed;
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

/**
 * fdatasync of the WAL file after commits. A commit waits for a sync that started after it:
 * the one running if none is, else the next one, which every commit arriving meanwhile shares.
 * On Linux a sync flushes the file's pages whichever descriptor wrote them; in exclusive
 * locking mode SQLite keeps its WAL file (same inode) until the database is closed.
 */
class WalSync {
  count = 0;
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly walFile: string, private readonly datasync: NonNullable<SqliteDriverOptions['datasync']>) {}

  durable(): Promise<void> {
    if (this.running === undefined) return this.start();
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.start();
    }, () => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  async close(): Promise<void> {
    await this.next?.catch(() => undefined);
    await this.running?.catch(() => undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private start(): Promise<void> {
    const run = this.sync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async sync(): Promise<void> {
    if (this.fd === undefined) {
      this.fd = openSync(this.walFile, 'r');
      // The WAL's directory entry too, once (SQLite's FULL would have synced it on creation).
      const dir = openSync(path.dirname(this.walFile), 'r');
      try {
        await new Promise<void>((resolve, reject) => fsync(dir, (err) => (err ? reject(err) : resolve())));
      } finally {
        closeSync(dir);
      }
    }
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => this.datasync(fd, (err) => (err ? reject(err) : resolve())));
    this.count++;
  }
}
