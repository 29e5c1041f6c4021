import { describe, expect, it } from 'vitest';
import type { Batch } from '../core/model.js';
import type { BatchService } from '../service/batch-service.js';
import type { LiveEvent } from './events.js';
import { createHub } from './hub.js';

/** A batch that completes one item per poll and succeeds after `total`; counts polls (fresh reads). */
function steppingService(total: number) {
  let completed = 0;
  let polls = 0;
  const batch = (): Batch => ({
    backendId: 'b',
    nativeId: 'n',
    name: null,
    state: completed >= total ? 'SUCCEEDED' : 'RUNNING',
    nativeStatus: 'x',
    progress: { percent: null, completedItems: completed, totalItems: total, failedItems: null, message: null },
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    executions: [],
    error: null,
  });
  const service = {
    backends: new Map(),
    onBatchChanged: () => () => undefined,
    async getBatch(_ref: unknown, options: { fresh?: boolean } = {}) {
      if (!options.fresh) return batch();
      polls += 1;
      completed += 1;
      return batch();
    },
  } as unknown as BatchService;
  return { service, polls: () => polls };
}

async function collect(stream: AsyncIterableIterator<LiveEvent>): Promise<number[]> {
  const seen: number[] = [];
  for await (const event of stream) seen.push(event.batch.progress.completedItems!);
  return seen;
}

describe('createHub', () => {
  it('hands every one of 1,000 subscribers of one batch each change in order and the terminal event once', async () => {
    const { service, polls } = steppingService(3);
    const hub = createHub({ service, intervalMs: 20, maxIntervalMs: 100, listIntervalMs: 1000 });
    try {
      const streams = await Promise.all(Array.from({ length: 1000 }, () => hub.watchBatch({ backendId: 'b', nativeId: 'n' })));
      expect(hub.stats()).toMatchObject({ batchPollers: 1, listPollers: 0, subscribers: 1000 });
      const seen = await Promise.all(streams.map(collect));
      // A slow subscriber may skip an intermediate state, never reorder or repeat one.
      for (const one of seen) {
        expect(one.at(-1)).toBe(3);
        expect(one.filter((completed) => completed === 3)).toHaveLength(1);
        expect([...one].sort()).toEqual(one);
      }
      expect(seen.filter((one) => one.join() === '0,1,2,3').length).toBeGreaterThan(0);
      expect(hub.stats()).toMatchObject({ batchPollers: 0, listPollers: 0, subscribers: 0 });
      // One poller for everyone: one upstream poll per step, none after the end.
      expect(polls()).toBe(3);
    } finally {
      await hub.dispose();
    }
  });
});
