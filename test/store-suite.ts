import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyProgress, type Batch, type BatchState } from '../src/core/model.js';
import type { Store } from '../src/store/store.js';

/**
 * One behaviour suite for every `Store`: both the embedded SQLite store and the Redis store must
 * pass it unchanged. `open` returns a store over the same durable place each time it is called
 * within one test (the same file, the same Redis and prefix), so "survives a restart" is a new
 * instance reading what an old one wrote.
 */
export interface StoreHarness {
  name: string;
  /** Prepares a fresh, empty place for one test. */
  setup(): Promise<void>;
  /** A new store instance over the place `setup` prepared. */
  open(): Promise<Store>;
  /** Removes the place (temp dir, Redis keys). */
  teardown(): Promise<void>;
}

export const sampleBatch = (nativeId: string, state: BatchState = 'RUNNING', backendId = 'lights'): Batch => ({
  backendId,
  nativeId,
  name: `batch ${nativeId}`,
  state,
  nativeStatus: state === 'RUNNING' ? 'RUNNING' : 'DONE',
  progress: { ...emptyProgress(), percent: 40, completedItems: 2, totalItems: 5 },
  createdAt: new Date('2024-05-01T10:00:00.000Z'),
  startedAt: new Date('2024-05-01T10:00:01.000Z'),
  finishedAt: null,
  executions: [{ index: 0, state, response: null, steps: [] }],
  error: null,
});

export function storeSuite(harness: StoreHarness): void {
  describe(`${harness.name} store`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await harness.open();
      opened.push(store);
      return store;
    };

    beforeEach(async () => {
      await harness.setup();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.dispose();
      await harness.teardown();
    });

    it('returns a started batch with its snapshot, dates revived', async () => {
      const store = await open();
      await store.recordStarted(sampleBatch('a'));
      const record = await store.get('lights', 'a');
      expect(record).toMatchObject({ backendId: 'lights', nativeId: 'a', cancelledAt: null });
      expect(typeof record?.startedAt).toBe('string');
      expect(record?.snapshot).toEqual(sampleBatch('a'));
      expect(record?.snapshot?.createdAt).toBeInstanceOf(Date);
    });

    it('answers null for a batch it never recorded', async () => {
      const store = await open();
      expect(await store.get('lights', 'nope')).toBeNull();
    });

    it('lists records newest first, page by page', async () => {
      const store = await open();
      for (const id of ['1', '2', '3', '4', '5']) await store.recordStarted(sampleBatch(id));
      await store.recordStarted(sampleBatch('other', 'RUNNING', 'elsewhere'));
      const first = await store.list('lights', { offset: 0, limit: 2 });
      expect(first.records.map((record) => record.nativeId)).toEqual(['5', '4']);
      expect(first.next).toBe(2);
      const second = await store.list('lights', { offset: 2, limit: 2 });
      expect(second.records.map((record) => record.nativeId)).toEqual(['3', '2']);
      const last = await store.list('lights', { offset: 4, limit: 2 });
      expect(last.records.map((record) => record.nativeId)).toEqual(['1']);
      expect(last.next).toBeNull();
      expect((await store.list('elsewhere', { offset: 0, limit: 10 })).records.map((record) => record.nativeId)).toEqual(['other']);
    });

    it('keeps a record in its place and its first start time when it is recorded again', async () => {
      const store = await open();
      await store.recordStarted(sampleBatch('1'));
      await store.recordStarted(sampleBatch('2'));
      const before = await store.get('lights', '1');
      await store.recordStarted(sampleBatch('1', 'SUCCEEDED'));
      const after = await store.get('lights', '1');
      expect(after?.startedAt).toBe(before?.startedAt);
      expect(after?.snapshot?.state).toBe('SUCCEEDED');
      expect((await store.list('lights', { offset: 0, limit: 10 })).records.map((record) => record.nativeId)).toEqual(['2', '1']);
    });

    it('lists only cancelled records when asked, newest first', async () => {
      const store = await open();
      await store.recordStarted(sampleBatch('1'));
      await store.recordStarted(sampleBatch('2'));
      await store.recordCancelled(sampleBatch('3', 'CANCELLED'));
      await store.recordCancelled(sampleBatch('1', 'CANCELLED'));
      const page = await store.list('lights', { offset: 0, limit: 10, cancelledOnly: true });
      expect(page.records.map((record) => record.nativeId)).toEqual(['3', '1']);
      expect(page.records[1]).toMatchObject({ nativeId: '1', startedAt: expect.any(String), cancelledAt: expect.any(String) });
      expect(page.records[0]?.startedAt).toBeNull();
    });

    it('updates the snapshot of a recorded batch and ignores one it never recorded', async () => {
      const store = await open();
      await store.recordStarted(sampleBatch('1'));
      await store.updateSnapshot(sampleBatch('1', 'SUCCEEDED'));
      await store.updateSnapshot(sampleBatch('stranger', 'SUCCEEDED'));
      expect((await store.get('lights', '1'))?.snapshot?.state).toBe('SUCCEEDED');
      expect(await store.get('lights', 'stranger')).toBeNull();
      expect((await store.list('lights', { offset: 0, limit: 10 })).records).toHaveLength(1);
    });

    it('gives an idempotency key to exactly one of many simultaneous claims', async () => {
      const stores = [await open(), await open()];
      const claims = await Promise.all(Array.from({ length: 20 }, (_, at) => stores[at % 2]!.claimIdempotency('key-1', 'print', 60_000)));
      expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.status === 'pending')).toHaveLength(19);
    });

    it('answers done with the batch once the claim completes, and mismatch for other input', async () => {
      const store = await open();
      expect(await store.claimIdempotency('key-2', 'print', 60_000)).toEqual({ status: 'claimed' });
      await store.completeIdempotency('key-2', 'lights', '42');
      expect(await store.claimIdempotency('key-2', 'print', 60_000)).toEqual({ status: 'done', backendId: 'lights', nativeId: '42' });
      expect(await store.claimIdempotency('key-2', 'other print', 60_000)).toEqual({ status: 'mismatch' });
    });

    it('lets a stale unfinished claim be taken over exactly once', async () => {
      const store = await open();
      expect(await store.claimIdempotency('key-3', 'print', 60_000)).toEqual({ status: 'claimed' });
      // The claim must age past the 100 ms staleness bound: elapsed time is the condition itself.
      await sleep(150);
      // The three arrive together: the first finds the claim stale and takes it, the others find it fresh.
      const retakes = await Promise.all([1, 2, 3].map(() => store.claimIdempotency('key-3', 'print', 100)));
      expect(retakes.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
      expect(await store.claimIdempotency('key-3', 'print', 60_000)).toEqual({ status: 'pending' });
    });

    it('frees a released claim so the start may be retried, but never a completed one', async () => {
      const store = await open();
      await store.claimIdempotency('key-4', 'print', 60_000);
      await store.releaseIdempotency('key-4');
      expect(await store.claimIdempotency('key-4', 'print', 60_000)).toEqual({ status: 'claimed' });
      await store.completeIdempotency('key-4', 'lights', '7');
      await store.releaseIdempotency('key-4');
      expect(await store.claimIdempotency('key-4', 'print', 60_000)).toEqual({ status: 'done', backendId: 'lights', nativeId: '7' });
    });

    it('keeps a key whose start outcome is unknown claimed, never taken over, until completed or released', async () => {
      const store = await open();
      expect(await store.claimIdempotency('key-6', 'print', 60_000)).toEqual({ status: 'claimed' });
      await store.markIdempotencyUnknown('key-6');
      // Older than the 100 ms staleness bound below, so only the unknown mark can keep it.
      await sleep(150);
      expect(await store.claimIdempotency('key-6', 'print', 100)).toEqual({ status: 'unknown' });
      expect(await store.claimIdempotency('key-6', 'other print', 100)).toEqual({ status: 'mismatch' });
      await store.completeIdempotency('key-6', 'lights', '9');
      expect(await store.claimIdempotency('key-6', 'print', 100)).toEqual({ status: 'done', backendId: 'lights', nativeId: '9' });
      await store.markIdempotencyUnknown('key-6');
      expect(await store.claimIdempotency('key-6', 'print', 100)).toEqual({ status: 'done', backendId: 'lights', nativeId: '9' });
      await store.claimIdempotency('key-7', 'print', 60_000);
      await store.markIdempotencyUnknown('key-7');
      await store.releaseIdempotency('key-7');
      expect(await store.claimIdempotency('key-7', 'print', 60_000)).toEqual({ status: 'claimed' });
    });

    it('keeps records and keys across a restart', async () => {
      const before = await open();
      await before.recordStarted(sampleBatch('1'));
      await before.recordCancelled(sampleBatch('2', 'CANCELLED'));
      await before.claimIdempotency('key-5', 'print', 60_000);
      await before.completeIdempotency('key-5', 'lights', '1');
      await before.dispose();
      opened.splice(opened.indexOf(before), 1);

      const after = await open();
      expect((await after.get('lights', '1'))?.snapshot).toEqual(sampleBatch('1'));
      expect((await after.list('lights', { offset: 0, limit: 10 })).records.map((record) => record.nativeId)).toEqual(['2', '1']);
      expect((await after.list('lights', { offset: 0, limit: 10, cancelledOnly: true })).records.map((record) => record.nativeId)).toEqual(['2']);
      expect(await after.claimIdempotency('key-5', 'print', 60_000)).toEqual({ status: 'done', backendId: 'lights', nativeId: '1' });
      // New records still go in front of the old ones.
      await after.recordStarted(sampleBatch('3'));
      expect((await after.list('lights', { offset: 0, limit: 1 })).records.map((record) => record.nativeId)).toEqual(['3']);
    });
  });
}
