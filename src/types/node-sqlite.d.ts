/**
 * STOPGAP until @types/node is raised to ^24.19 (which declares node:sqlite itself; delete this
 * file then, or the two declarations collide): the part of node:sqlite the protocol store uses,
 * as Node 24 documents it.
 */
declare module 'node:sqlite' {
  type SQLInputValue = null | number | bigint | string | NodeJS.ArrayBufferView;
  type SQLOutputValue = null | number | bigint | string | Uint8Array;

  interface DatabaseSyncOptions {
    open?: boolean;
    readOnly?: boolean;
    /** Busy timeout in ms (default 0: a locked database fails at once). */
    timeout?: number;
  }

  interface StatementResultingChanges {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  }

  class StatementSync {
    all(...anonymousParameters: SQLInputValue[]): Record<string, SQLOutputValue>[];
    get(...anonymousParameters: SQLInputValue[]): Record<string, SQLOutputValue> | undefined;
    run(...anonymousParameters: SQLInputValue[]): StatementResultingChanges;
  }

  class DatabaseSync {
    constructor(path: string, options?: DatabaseSyncOptions);
    readonly isOpen: boolean;
    readonly isTransaction: boolean;
    close(): void;
    exec(sql: string): void;
    prepare(sql: string): StatementSync;
  }
}
