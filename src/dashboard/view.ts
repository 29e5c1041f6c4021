import { isTerminal } from '../core/model.js';
import type { BatchState, BatchSummaryFragment as BatchSummary } from '../generated/client/dashboard/graphql.js';

export const BATCH_STATES: readonly BatchState[] = ['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * What the table shows (filters, search, order, page) and which batch is open: pure functions, kept
 * in the URL's query string so a reload or a shared link opens the same view.
 */

const SORT_KEYS = ['backend', 'name', 'state', 'progress', 'started', 'finished', 'duration'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

export interface ViewState {
  backend: string;
  state: BatchState | '';
  /** Part of a name, native id or global id, any case. */
  search: string;
  /** null: the default order, running first, then newest first. */
  sort: SortKey | null;
  direction: SortDirection;
  /** 1-based. */
  page: number;
  /** The batch whose details are open. */
  batch: string | null;
}

export const DEFAULT_VIEW: ViewState = { backend: '', state: '', search: '', sort: null, direction: 'desc', page: 1, batch: null };

export function parseView(search: string): ViewState {
  const params = new URLSearchParams(search);
  const state = params.get('state') ?? '';
  const sort = params.get('sort') ?? '';
  const page = Number(params.get('page'));
  return {
    backend: params.get('backend') ?? '',
    state: (BATCH_STATES as readonly string[]).includes(state) ? (state as BatchState) : '',
    search: params.get('q') ?? '',
    sort: (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : null,
    direction: params.get('dir') === 'asc' ? 'asc' : 'desc',
    page: Number.isInteger(page) && page > 1 ? page : 1,
    batch: params.get('batch') || null,
  };
}

/** The query string of a view (`?…`, or '' for the default view); only what differs from the default. */
export function serializeView(view: ViewState): string {
  const params = new URLSearchParams();
  if (view.backend) params.set('backend', view.backend);
  if (view.state) params.set('state', view.state);
  if (view.search) params.set('q', view.search);
  if (view.sort) {
    params.set('sort', view.sort);
    params.set('dir', view.direction);
  }
  if (view.page > 1) params.set('page', String(view.page));
  if (view.batch) params.set('batch', view.batch);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function matches(view: ViewState, batch: BatchSummary): boolean {
  if (view.backend && batch.backend.id !== view.backend) return false;
  if (view.state && batch.state !== view.state) return false;
  if (!view.search) return true;
  const needle = view.search.trim().toLowerCase();
  return [batch.name ?? '', batch.nativeId, batch.id].some((text) => text.toLowerCase().includes(needle));
}

const ms = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);

/** Milliseconds from start to end, or to `now` while it runs; null without a start. */
export function durationMs(batch: BatchSummary, now: number): number | null {
  const start = ms(batch.startedAt) ?? (isTerminal(batch.state) ? null : ms(batch.createdAt));
  if (start === null) return null;
  const end = ms(batch.finishedAt) ?? (isTerminal(batch.state) ? null : now);
  return end === null ? null : Math.max(0, end - start);
}

/** Running (then cancelling, then queued) before finished ones. */
const ACTIVITY: Record<BatchState, number> = { RUNNING: 0, CANCELLING: 1, QUEUED: 2, SUCCEEDED: 3, FAILED: 3, CANCELLED: 3 };

/** When a batch came to be, for "newest first": its start, else its creation, else when this page first saw it. */
const newness = (batch: BatchSummary, firstSeen: number): number => ms(batch.startedAt) ?? ms(batch.createdAt) ?? firstSeen;

export interface SortableRow {
  batch: BatchSummary;
  /** When this page first saw the batch (ms), for batches without any time. */
  firstSeen: number;
}

/** Nulls (unknown values) always last, whatever the direction. */
function compareValues(a: number | string | null, b: number | string | null, direction: SortDirection): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const order = typeof a === 'string' ? a.localeCompare(b as string) : a - (b as number);
  return direction === 'asc' ? order : -order;
}

function sortValue(key: SortKey, row: SortableRow, now: number): number | string | null {
  const { batch } = row;
  switch (key) {
    case 'backend':
      return batch.backend.id;
    case 'name':
      return (batch.name ?? batch.nativeId).toLowerCase();
    case 'state':
      return ACTIVITY[batch.state] * 10 + BATCH_STATES.indexOf(batch.state);
    case 'progress':
      return batch.progress.percent;
    case 'started':
      return ms(batch.startedAt);
    case 'finished':
      return ms(batch.finishedAt);
    case 'duration':
      return durationMs(batch, now);
  }
}

/** Sorts in place: by the chosen column (ties newest first), or running first, then newest first. */
export function sortRows<T extends SortableRow>(rows: T[], view: Pick<ViewState, 'sort' | 'direction'>, now: number): T[] {
  const newestFirst = (a: T, b: T) => newness(b.batch, b.firstSeen) - newness(a.batch, a.firstSeen) || a.batch.id.localeCompare(b.batch.id);
  const sort = view.sort;
  if (sort === null) return rows.sort((a, b) => ACTIVITY[a.batch.state] - ACTIVITY[b.batch.state] || newestFirst(a, b));
  return rows.sort((a, b) => compareValues(sortValue(sort, a, now), sortValue(sort, b, now), view.direction) || newestFirst(a, b));
}

/** The direction a first click on a column sorts by: numbers and times biggest first, text A to Z. */
export const firstDirection = (key: SortKey): SortDirection => (key === 'backend' || key === 'name' ? 'asc' : 'desc');
