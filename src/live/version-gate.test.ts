import { describe, expect, it } from 'vitest';
import type { Batch, BatchState } from '../core/model.js';
import type { LiveEvent } from './events.js';
import { createVersionGate, observedNow } from './version-gate.js';

const event = (state: BatchState, completedItems: number, version: number, extra: Partial<Batch> = {}, error: LiveEvent['error'] = null): LiveEvent => ({
  batch: {
    backendId: 'ml',
    nativeId: 'svc/1/a',
    name: null,
    state,
    nativeStatus: state,
    progress: { percent: null, completedItems, totalItems: 40, failedItems: 0, message: null },
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    executions: [],
    error: null,
    ...extra,
  },
  terminal: state === 'SUCCEEDED',
  error,
  version,
});

describe('the version gate', () => {
  it('admits progress in order, and drops what is behind, repeated or older at equal progress', () => {
    const gate = createVersionGate();
    const admitted = [
      event('QUEUED', 0, 1),
      event('RUNNING', 13, 5),
      event('RUNNING', 18, 4), // ahead: taken whatever its version
      event('RUNNING', 13, 9), // behind: a late relay
      event('RUNNING', 17, 10), // behind
      event('RUNNING', 18, 11), // the same again
      event('RUNNING', 18, 12, { name: 'renamed' }), // equal progress, newer, something new
      event('RUNNING', 18, 8, { name: 'older name' }), // equal progress, older observation
      event('RUNNING', 18, 13, { name: 'renamed' }, { code: 'BACKEND_UNAVAILABLE', message: 'down', backend: 'ml' }),
      event('SUCCEEDED', 40, 14),
      event('RUNNING', 39, 15),
    ].map((candidate) => gate.admit('ml/a', candidate));
    expect(admitted).toEqual([true, true, true, false, false, false, true, false, true, true, false]);
  });

  it('keeps batches apart and forgets the least recently moved beyond its capacity', () => {
    const gate = createVersionGate(2);
    expect(gate.admit('a', event('RUNNING', 5, 1))).toBe(true);
    expect(gate.admit('b', event('RUNNING', 1, 1))).toBe(true);
    expect(gate.admit('c', event('RUNNING', 1, 1))).toBe(true);
    // 'a' was forgotten: an older event is taken again, as for a batch never seen.
    expect(gate.admit('a', event('RUNNING', 2, 1))).toBe(true);
    expect(gate.admit('c', event('RUNNING', 0, 2))).toBe(false);
  });

  it('hands out strictly increasing versions', () => {
    const versions = Array.from({ length: 1000 }, () => observedNow());
    expect(versions.every((version, at) => at === 0 || version > versions[at - 1]!)).toBe(true);
  });
});
