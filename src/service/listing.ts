import { z } from 'zod';
import type { BatchBackend, BatchPage, ListQuery } from '../core/backend.js';
import { ErrorCode, GatewayError, toGatewayError } from '../core/errors.js';
import type { Batch, BatchState } from '../core/model.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import type { Store } from '../store/store.js';

/** Where a cross-backend listing stands: which backend, and where inside it. */
export interface ListCursor {
  backend: number;
  phase: 'backend' | 'store';
  token: string | null;
  offset: number;
}

/** One backend's page; `stale` when some of its items are the gateway's records because refreshing them failed. */
export interface BackendPage {
  items: Batch[];
  /** For each item, where a listing continues right after it. */
  cursors: ListCursor[];
  next: ListCursor | null;
  stale?: GatewayError | null;
}

export type ReadPage = (backendId: string, cursor: ListCursor, limit: number, states: readonly BatchState[] | null) => Promise<BackendPage>;

export interface ListRequest {
  backendId?: string | null;
  states?: readonly BatchState[] | null;
  first: number;
  after?: string | null;
}

/** A page across backends. */
export interface MergedPage {
  items: Batch[];
  /** For each item, the cursor to pass as `after` to continue right after it (Relay `Edge.cursor`). */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** One per backend that failed; the other backends' batches are still in `items`. */
  errors: GatewayError[];
}

type Outcome = { page: BackendPage } | { error: GatewayError };

/**
 * One page across backends, in backend order. Every backend the page may reach is asked at once
 * (each for a whole page), so a slow backend costs its own time, not the sum of all. Only the
 * backends the page actually reaches contribute items and errors; one whose prefetched page holds
 * more than the space left is asked again for exactly that many, so the cursor stays exact.
 */
export async function listAcross(
  ids: readonly string[],
  request: { first: number; after?: string | null; states: readonly BatchState[] | null },
  readPage: ReadPage,
): Promise<MergedPage> {
  const first = request.first;
  let cursor = decodeListCursor(request.after, ids);
  const items: Batch[] = [];
  const cursors: string[] = [];
  const errors: GatewayError[] = [];
  const read = (at: ListCursor, limit: number): Promise<Outcome> =>
    readPage(ids[at.backend]!, at, limit, request.states).then(
      (page) => ({ page }),
      (error: unknown) => ({ error: toGatewayError(error, ids[at.backend]) }),
    );
  const prefetched = new Map<number, Promise<Outcome>>();
  if (cursor && first > 0) {
    for (let backend = cursor.backend; backend < ids.length; backend += 1) {
      prefetched.set(backend, read(backend === cursor.backend ? cursor : startOf(backend), first));
    }
  }
  while (cursor && items.length < first) {
    const at: ListCursor = cursor;
    const room = first - items.length;
    const early = prefetched.get(at.backend);
    prefetched.delete(at.backend);
    let outcome = early ? await early : await read(at, room);
    if (early && 'page' in outcome && outcome.page.items.length > room) outcome = await read(at, room);
    if ('error' in outcome) {
      errors.push(outcome.error);
      cursor = nextBackend(at, ids);
      continue;
    }
    items.push(...outcome.page.items);
    cursors.push(...outcome.page.cursors.map(encodeListCursor));
    if (outcome.page.stale && !errors.some((error) => error.backend === ids[at.backend])) errors.push(outcome.page.stale);
    cursor = outcome.page.next ?? nextBackend(at, ids);
  }
  // The last item's cursor and the page's end resume at the same place; the item's is what Relay clients expect.
  const endCursor = cursor ? (cursors.at(-1) ?? encodeListCursor(cursor)) : null;
  return { items, cursors, endCursor, hasNextPage: cursor !== null, errors };
}

/**
 * A page of a backend that lists. In this phase a cursor's `offset` counts the items of the
 * backend's page at `token` already handed out, so a cursor can point after any item, not only at
 * a page boundary. A backend that forgets cancelled batches continues with the gateway's records.
 */
export async function backendPage(
  list: (query: ListQuery) => Promise<BatchPage>,
  backend: BatchBackend,
  cursor: ListCursor,
  limit: number,
  states: readonly BatchState[] | null,
): Promise<BackendPage> {
  const skip = cursor.offset;
  const page = await list({ limit: limit + skip, cursor: cursor.token, ...(states ? { states } : {}) });
  const items = page.items.slice(skip, skip + limit);
  const cursors = items.map((_, index) => ({ ...cursor, offset: skip + index + 1 }));
  if (page.nextCursor) return { items, cursors, next: { ...cursor, token: page.nextCursor, offset: Math.max(0, skip - page.items.length) } };
  if (skip + items.length < page.items.length) return { items, cursors, next: { ...cursor, offset: skip + items.length } };
  if (!backend.capabilities.forgetsCancelled) return { items, cursors, next: null };
  return { items, cursors, next: { backend: cursor.backend, phase: 'store', token: null, offset: 0 } };
}

/**
 * A page of the gateway's records of one backend: every batch it started there (a backend that
 * cannot list), or those it cancelled (one that forgets them), each refreshed from the backend where
 * it still answers. A record that cannot be refreshed is served as last seen, and the page says so.
 */
export async function recordsPage(
  deps: { store: Store; getBatch: (nativeId: string) => Promise<Batch> },
  backend: BatchBackend,
  cursor: ListCursor,
  limit: number,
  states: readonly BatchState[] | null,
): Promise<BackendPage> {
  const cancelledOnly = backend.capabilities.list;
  const page = await deps.store.list(backend.id, { offset: cursor.offset, limit, cancelledOnly });
  let stale: GatewayError | null = null;
  const batches = await Promise.all(
    page.records.map(async (record) => {
      if (cancelledOnly && record.snapshot) return record.snapshot;
      try {
        const batch = await deps.getBatch(record.nativeId);
        // Only a changed batch is written back: listing is frequent, and most records have not changed.
        if (!record.snapshot || JSON.stringify(record.snapshot) !== JSON.stringify(batch)) void deps.store.updateSnapshot(batch).catch(() => undefined);
        return batch;
      } catch (error) {
        if (!record.snapshot) throw error;
        stale ??= toGatewayError(error, backend.id);
        return record.snapshot;
      }
    }),
  );
  const kept = batches.map((batch, index) => ({ batch, index })).filter(({ batch }) => !states || states.includes(batch.state));
  return {
    items: kept.map(({ batch }) => batch),
    cursors: kept.map(({ index }) => ({ backend: cursor.backend, phase: 'store' as const, token: null, offset: cursor.offset + index + 1 })),
    stale,
    next: page.next === null ? null : { backend: cursor.backend, phase: 'store', token: null, offset: page.next },
  };
}

const startOf = (backend: number): ListCursor => ({ backend, phase: 'backend', token: null, offset: 0 });

function nextBackend(cursor: ListCursor, ids: readonly string[]): ListCursor | null {
  return cursor.backend + 1 < ids.length ? startOf(cursor.backend + 1) : null;
}

/** On the wire: `[backend index, 1 when reading the record store else 0, upstream cursor, offset]`. */
const listCursorShape = z.tuple([z.number().int().min(0), z.number(), z.string().nullable(), z.number().int().min(0)]);

function encodeListCursor(cursor: ListCursor): string {
  return encodeCursor([cursor.backend, cursor.phase === 'store' ? 1 : 0, cursor.token, cursor.offset]);
}

function decodeListCursor(after: string | null | undefined, ids: readonly string[]): ListCursor | null {
  if (ids.length === 0) return null;
  if (!after) return startOf(0);
  const decoded = decodeCursor(after, listCursorShape);
  if (decoded && decoded[0] < ids.length) {
    const [backend, phase, token, offset] = decoded;
    return { backend, phase: phase === 1 ? 'store' : 'backend', token, offset };
  }
  throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'The "after" cursor is not one this gateway issued for this listing', {
    extensions: { field: 'after' },
  });
}
