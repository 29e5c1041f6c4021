import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime } from './format.js';
import type { BatchState, BatchSummaryFragment as BatchSummary } from '../generated/client/dashboard/graphql.js';
import { DEFAULT_VIEW, durationMs, matches, parseView, serializeView, sortRows } from './view.js';

const batch = (id: string, state: BatchState, startedAt: string | null, extra: Partial<BatchSummary> = {}): BatchSummary => ({
  id,
  nativeId: `native-${id}`,
  name: `Batch ${id}`,
  state,
  nativeStatus: state,
  backend: { id: 'b', kind: 'SLV', capabilities: { cancel: true } },
  progress: { percent: null, completedItems: null, totalItems: null, failedItems: null, message: null },
  createdAt: null,
  startedAt,
  finishedAt: null,
  observedTimes: [],
  error: null,
  ...extra,
});

describe('the dashboard view', () => {
  it('round-trips through the query string and leaves the default view out of it', () => {
    expect(serializeView(DEFAULT_VIEW)).toBe('');
    const view = { ...DEFAULT_VIEW, backend: 'demo-slv', state: 'RUNNING' as const, search: 'paris 07', sort: 'duration' as const, direction: 'asc' as const, page: 3, batch: 'QmF0' };
    expect(parseView(serializeView(view))).toEqual(view);
    expect(parseView('?state=NOPE&sort=nope&page=-2')).toEqual(DEFAULT_VIEW);
  });

  it('orders running batches first, then the newest first; a chosen column puts unknown values last', () => {
    const rows = [
      batch('old-done', 'SUCCEEDED', '2026-01-01T10:00:00Z'),
      batch('new-done', 'FAILED', '2026-01-02T10:00:00Z'),
      batch('old-running', 'RUNNING', '2026-01-01T09:00:00Z'),
      batch('queued', 'QUEUED', null),
      batch('new-running', 'RUNNING', '2026-01-02T09:00:00Z'),
    ].map((item, index) => ({ batch: item, firstSeen: index }));
    expect(sortRows([...rows], DEFAULT_VIEW, 0).map((row) => row.batch.id)).toEqual(['new-running', 'old-running', 'queued', 'new-done', 'old-done']);
    expect(sortRows([...rows], { sort: 'started', direction: 'asc' }, 0).map((row) => row.batch.id)).toEqual(['old-running', 'old-done', 'new-running', 'new-done', 'queued']);
  });

  it('matches a search against the name, the native id and the global id, in any case', () => {
    const item = batch('QmF0Y2g6', 'RUNNING', null, { name: 'Nightly Scoring', nativeId: 'bp-4711' });
    expect(matches({ ...DEFAULT_VIEW, search: 'nightly' }, item)).toBe(true);
    expect(matches({ ...DEFAULT_VIEW, search: 'BP-47' }, item)).toBe(true);
    expect(matches({ ...DEFAULT_VIEW, search: 'qmf0' }, item)).toBe(true);
    expect(matches({ ...DEFAULT_VIEW, search: 'daily' }, item)).toBe(false);
  });

  it('measures a running batch to now and a finished one to its end', () => {
    const now = Date.parse('2026-01-01T10:05:00Z');
    expect(durationMs(batch('a', 'RUNNING', '2026-01-01T10:00:00Z'), now)).toBe(300_000);
    expect(durationMs(batch('b', 'SUCCEEDED', '2026-01-01T10:00:00Z', { finishedAt: '2026-01-01T10:00:42Z' }), now)).toBe(42_000);
    expect(durationMs(batch('c', 'SUCCEEDED', null), now)).toBeNull();
    expect([45_000, 185_000, 7_440_000, 266_400_000].map(formatDuration)).toEqual(['45 s', '3 min 05 s', '2 h 04 min', '3 d 2 h']);
  });

  it('shows the date with the time for any day but today', () => {
    const now = new Date('2026-03-10T15:00:00');
    expect(formatTime('2026-03-10T09:08:07', now, 'en-GB')).toBe('09:08:07');
    expect(formatTime('2026-03-09T09:08:07', now, 'en-GB')).toBe('9 Mar 09:08:07');
    expect(formatTime('2025-12-31T09:08:07', now, 'en-GB')).toBe('31 Dec 2025 09:08:07');
  });
});
