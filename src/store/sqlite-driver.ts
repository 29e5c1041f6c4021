import { createRequire } from 'node:module';

/**
 * The little of SQLite the store needs, over whichever engine this Node has: the built-in
 * `node:sqlite` where it exists (Node 22.5+), else better-sqlite3 (Node 20). better-sqlite3 below 13
 * aborts the process on Node 24.19+ when a statement is garbage-collected, and 13 does not load on
 * Node 20, so no single version of it serves both.
 */
interface SqliteStatement<Params extends unknown[], Row> {
  run(...params: Params): { changes: number | bigint };
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
}

export interface SqliteDatabase {
  readonly engine: 'node:sqlite' | 'better-sqlite3';
  exec(sql: string): void;
  prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): SqliteStatement<Params, Row>;
  /** Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK if it throws). */
  immediate<T>(body: () => T): T;
  close(): void;
}

interface BuiltinSqlite {
  DatabaseSync: new (path: string) => {
    exec(sql: string): void;
    prepare(sql: string): { run(...params: unknown[]): { changes: number | bigint }; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
    close(): void;
    isOpen?: boolean;
  };
}

const require = createRequire(import.meta.url);

export function openSqlite(file: string): SqliteDatabase {
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') as BuiltinSqlite | undefined;
  if (builtin) {
    const db = new builtin.DatabaseSync(file);
    let open = true;
    return {
      engine: 'node:sqlite',
      exec: (sql) => db.exec(sql),
      prepare: <Params extends unknown[], Row>(sql: string) => db.prepare(sql) as unknown as SqliteStatement<Params, Row>,
      immediate(body) {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = body();
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      },
      close() {
        if (open) db.close();
        open = false;
      },
    };
  }
  let Database: typeof import('better-sqlite3');
  try {
    Database = require('better-sqlite3') as typeof import('better-sqlite3');
  } catch (error) {
    // An optional dependency: installs on Node 22.5+ may leave it out (`npm ci --omit=optional`).
    throw new Error(`The embedded store needs node:sqlite (Node 22.5 or later) or the optional dependency better-sqlite3 on Node ${process.versions.node}: run npm install without --omit=optional, or configure redis`, { cause: error });
  }
  const db = new Database(file);
  return {
    engine: 'better-sqlite3',
    exec: (sql) => void db.exec(sql),
    prepare: <Params extends unknown[], Row>(sql: string) => db.prepare(sql) as unknown as SqliteStatement<Params, Row>,
    immediate: (body) => db.transaction(body).immediate(),
    close() {
      if (db.open) db.close();
    },
  };
}
