import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from '../core/model.js';
import { openSqlite } from './sqlite-driver.js';
import { reviveBatch, type BatchRecord, type IdempotencyClaim, type RecordPage, type Store } from './store.js';

interface RecordRow {
  backend_id: string;
  native_id: string;
  started_at: string | null;
  cancelled_at: string | null;
  snapshot: string | null;
}

/**
 * The embedded default: one SQLite file under `store.path`, in WAL mode so readers never wait for
 * the writer. better-sqlite3 is synchronous; each statement is microseconds, so the event loop is
 * not held for long.
 */
export function createSqliteStore(folder: string, { cacheMiB = 2 }: { cacheMiB?: number } = {}): Store {
  mkdirSync(folder, { recursive: true });
  const db = openSqlite(join(folder, 'batchgate.db'));
  // A negative cache_size is in KiB. Set on both engines so Node 20 and Node 24 hold the same.
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -${cacheMiB * 1024};`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS batches (
      backend_id   TEXT NOT NULL,
      native_id    TEXT NOT NULL,
      started_at   TEXT,
      cancelled_at TEXT,
      snapshot     TEXT,
      seq          INTEGER NOT NULL,
      PRIMARY KEY (backend_id, native_id)
    );
    CREATE INDEX IF NOT EXISTS batches_by_backend ON batches (backend_id, seq DESC);
    CREATE TABLE IF NOT EXISTS idempotency (
      key         TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      backend_id  TEXT,
      native_id   TEXT,
      claimed_at  INTEGER NOT NULL
    );
  `);
  // Files made before the outcome column get it added in place.
  const idempotencyColumns = db.prepare<[], { name: string }>('PRAGMA table_info(idempotency)').all();
  if (!idempotencyColumns.some((column) => column.name === 'outcome')) db.exec('ALTER TABLE idempotency ADD COLUMN outcome TEXT');

  const nextSeq = db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM batches');
  let seq = nextSeq.get()?.seq ?? 0;

  const upsertStarted = db.prepare(
    `INSERT INTO batches (backend_id, native_id, started_at, snapshot, seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (backend_id, native_id) DO UPDATE SET snapshot = excluded.snapshot,
       started_at = COALESCE(batches.started_at, excluded.started_at)`,
  );
  const upsertCancelled = db.prepare(
    `INSERT INTO batches (backend_id, native_id, cancelled_at, snapshot, seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (backend_id, native_id) DO UPDATE SET snapshot = excluded.snapshot,
       cancelled_at = COALESCE(batches.cancelled_at, excluded.cancelled_at)`,
  );
  const ping = db.prepare('SELECT 1');
  const updateSnapshot = db.prepare('UPDATE batches SET snapshot = ? WHERE backend_id = ? AND native_id = ?');
  const getRecord = db.prepare<[string, string], RecordRow>('SELECT * FROM batches WHERE backend_id = ? AND native_id = ?');
  const listRecords = db.prepare<[string, number, number], RecordRow>(
    'SELECT * FROM batches WHERE backend_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
  );
  const listCancelled = db.prepare<[string, number, number], RecordRow>(
    'SELECT * FROM batches WHERE backend_id = ? AND cancelled_at IS NOT NULL ORDER BY seq DESC LIMIT ? OFFSET ?',
  );
  const getKey = db.prepare<[string], { fingerprint: string; backend_id: string | null; native_id: string | null; claimed_at: number; outcome: string | null }>(
    'SELECT * FROM idempotency WHERE key = ?',
  );
  const insertKey = db.prepare('INSERT INTO idempotency (key, fingerprint, claimed_at) VALUES (?, ?, ?)');
  const retakeKey = db.prepare('UPDATE idempotency SET claimed_at = ? WHERE key = ? AND native_id IS NULL AND claimed_at = ?');
  const completeKey = db.prepare('UPDATE idempotency SET backend_id = ?, native_id = ?, outcome = NULL WHERE key = ?');
  const markUnknown = db.prepare("UPDATE idempotency SET outcome = 'unknown' WHERE key = ? AND native_id IS NULL");
  const deleteKey = db.prepare('DELETE FROM idempotency WHERE key = ? AND native_id IS NULL');

  const toRecord = (row: RecordRow): BatchRecord => ({
    backendId: row.backend_id,
    nativeId: row.native_id,
    startedAt: row.started_at,
    cancelledAt: row.cancelled_at,
    snapshot: row.snapshot ? reviveBatch(row.snapshot) : null,
  });

  // A transaction makes check-then-insert atomic against other connections to the same file.
  const claim = (key: string, fingerprint: string, staleAfterMs: number): IdempotencyClaim =>
    db.immediate(() => {
      const now = Date.now();
      const row = getKey.get(key);
      if (!row) {
        insertKey.run(key, fingerprint, now);
        return { status: 'claimed' };
      }
      if (row.fingerprint !== fingerprint) return { status: 'mismatch' };
      if (row.native_id && row.backend_id) return { status: 'done', backendId: row.backend_id, nativeId: row.native_id };
      if (row.outcome === 'unknown') return { status: 'unknown' };
      if (now - row.claimed_at > staleAfterMs && Number(retakeKey.run(now, key, row.claimed_at).changes) === 1) return { status: 'claimed' };
      return { status: 'pending' };
    });

  return {
    async recordStarted(batch: Batch) {
      upsertStarted.run(batch.backendId, batch.nativeId, new Date().toISOString(), JSON.stringify(batch), ++seq);
    },
    async recordCancelled(batch: Batch) {
      upsertCancelled.run(batch.backendId, batch.nativeId, new Date().toISOString(), JSON.stringify(batch), ++seq);
    },
    async updateSnapshot(batch: Batch) {
      updateSnapshot.run(JSON.stringify(batch), batch.backendId, batch.nativeId);
    },
    async get(backendId, nativeId) {
      const row = getRecord.get(backendId, nativeId);
      return row ? toRecord(row) : null;
    },
    async list(backendId, { offset, limit, cancelledOnly }): Promise<RecordPage> {
      const rows = (cancelledOnly ? listCancelled : listRecords).all(backendId, limit + 1, offset);
      return { records: rows.slice(0, limit).map(toRecord), next: rows.length > limit ? offset + limit : null };
    },
    async claimIdempotency(key, fingerprint, staleAfterMs) {
      return claim(key, fingerprint, staleAfterMs);
    },
    async completeIdempotency(key, backendId, nativeId) {
      completeKey.run(backendId, nativeId, key);
    },
    async releaseIdempotency(key) {
      deleteKey.run(key);
    },
    async markIdempotencyUnknown(key) {
      markUnknown.run(key);
    },
    async ping() {
      ping.get();
    },
    async dispose() {
      db.close();
    },
  };
}
