import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite-driver.js';

describe('the SQLite driver', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const open = () => {
    const folder = mkdtempSync(join(tmpdir(), 'batchgate-sqlite-'));
    folders.push(folder);
    return openSqlite(join(folder, 'test.db'));
  };

  it('uses the built-in node:sqlite where Node has it, better-sqlite3 otherwise', () => {
    const db = open();
    const hasBuiltin = Boolean((process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite'));
    expect(db.engine).toBe(hasBuiltin ? 'node:sqlite' : 'better-sqlite3');
    db.close();
  });

  it('commits a transaction that returns and rolls back one that throws', () => {
    const db = open();
    db.exec('CREATE TABLE t (a INTEGER)');
    const insert = db.prepare<[number]>('INSERT INTO t (a) VALUES (?)');
    const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t');
    expect(db.immediate(() => Number(insert.run(1).changes))).toBe(1);
    expect(() =>
      db.immediate(() => {
        insert.run(2);
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(count.get()?.n).toBe(1);
    db.close();
  });
});
