import { z } from 'zod';
import type { BackendContext, BatchPage, ListQuery } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError, type UpstreamDetail } from '../../core/errors.js';
import { isTerminal, type Batch } from '../../core/model.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { AzureMlClient } from './client.js';
import { formatNativeId, type AzureMlBatchRef } from './map.js';
import { servicesSchema, stringListSchema } from './wire.js';

/**
 * Listing ML Server batch executions. The server has no list across services: the gateway asks
 * `GET services`, then each service's `GET api/{name}/{version}/batch`, then each execution's status.
 *
 * - A service whose batch list answers 400 (realtime-only services), 403 (not readable by this
 *   user) or 5xx is skipped: counted as a warning (logged once per service and status until it
 *   changes), never failing the backend's whole list.
 * - Statuses are read without partial results (`showPartialResults=false`), and a finished
 *   execution (it can no longer change; the id list tells when it is deleted) is read once and
 *   then answered from memory: listing does not download every execution's results each time.
 */

export interface ListerOptions {
  backendId: string;
  client: AzureMlClient;
  context: BackendContext;
  /** Most upstream calls at once. */
  concurrency: number;
  /** Reads one execution for a list: without partial results. */
  fetchForList: (ref: AzureMlBatchRef) => Promise<Batch>;
  /** Finished executions kept in memory, counted in execution items. @default 200000 */
  maxCachedItems?: number;
}

export function createLister(options: ListerOptions): { list(query: ListQuery): Promise<BatchPage>; clear(): void } {
  const { backendId, client, concurrency } = options;
  const maxCachedItems = options.maxCachedItems ?? 200_000;
  /** Finished executions, least recently listed first; sizes in executions (at least 1 each). */
  const finished = new Map<string, { batch: Batch; size: number }>();
  let cachedItems = 0;
  /** The last reason a service was skipped for, so each is logged once until it changes. */
  const skipped = new Map<string, string>();

  const remember = (batch: Batch) => {
    const size = Math.max(1, batch.executions.length);
    if (size > maxCachedItems) return;
    finished.set(batch.nativeId, { batch, size });
    cachedItems += size;
    for (const [key, entry] of finished) {
      if (cachedItems <= maxCachedItems) break;
      finished.delete(key);
      cachedItems -= entry.size;
    }
  };
  const recall = (nativeId: string): Batch | null => {
    const entry = finished.get(nativeId);
    if (!entry) return null;
    finished.delete(nativeId);
    finished.set(nativeId, entry);
    return entry.batch;
  };

  async function allRefs(): Promise<AzureMlBatchRef[]> {
    const services = await client.request('GET', 'services', servicesSchema, { notFound: 'input' });
    const unique = [...new Map(services.map((service) => [`${service.name}/${service.version}`, service])).values()];
    const perService = await mapBounded(unique, concurrency, async (service) => {
      const key = `${service.name}/${service.version}`;
      const path = `api/${encodeURIComponent(service.name)}/${encodeURIComponent(service.version)}/batch`;
      try {
        const ids = await client.request('GET', path, stringListSchema, { notFound: 'batch' });
        skipped.delete(key);
        return ids.map((executionId) => ({ service: service.name, version: service.version, executionId }));
      } catch (error) {
        // A service deleted between the two calls simply has no batches any more.
        if (isGatewayError(error) && error.code === ErrorCode.BATCH_NOT_FOUND) return [];
        const reason = skipReason(error);
        if (!reason) throw error;
        const repeat = skipped.get(key) === reason;
        skipped.set(key, reason);
        options.context.onWarning?.({
          backend: backendId,
          reason,
          message: `ML Server backend "${backendId}": the batch list of service ${key} is skipped (${(error as GatewayError).message})`,
          log: !repeat,
        });
        return [];
      }
    });
    const refs = perService.flat().sort(compareRefs);
    // Forget finished executions that are gone upstream.
    const live = new Set(refs.map(formatNativeId));
    for (const [key, entry] of finished) {
      if (live.has(key)) continue;
      finished.delete(key);
      cachedItems -= entry.size;
    }
    return refs;
  }

  const read = (ref: AzureMlBatchRef): Promise<Batch | null> => {
    const known = recall(formatNativeId(ref));
    if (known) return Promise.resolve(known);
    return options.fetchForList(ref).then(
      (batch) => {
        if (isTerminal(batch.state)) remember(batch);
        return batch;
      },
      (error: unknown) => {
        // Deleted between listing and reading: not part of the answer.
        if (isGatewayError(error) && error.code === ErrorCode.BATCH_NOT_FOUND) return null;
        throw error;
      },
    );
  };

  return {
    async list(query) {
      const after = decodeRefCursor(query.cursor ?? null, backendId);
      const limit = Math.max(1, Math.min(100, Math.floor(query.limit)));
      const refs = (await allRefs()).filter((ref) => after === null || compareRefs(ref, after) > 0);
      const wanted = query.states ? new Set(query.states) : null;
      const items: Batch[] = [];
      let last: AzureMlBatchRef | null = null;
      let scanned = 0;
      // Statuses a page at a time, so a state filter scans only as far as it must.
      while (items.length < limit && scanned < refs.length) {
        const chunk = refs.slice(scanned, scanned + limit);
        const batches = await mapBounded(chunk, concurrency, read);
        for (const [i, batch] of batches.entries()) {
          scanned += 1;
          last = chunk[i]!;
          if (batch && (!wanted || wanted.has(batch.state))) items.push(batch);
          if (items.length === limit) break;
        }
      }
      return { items, nextCursor: scanned < refs.length && last ? encodeRefCursor(last) : null };
    },
    clear() {
      finished.clear();
      cachedItems = 0;
      skipped.clear();
    },
  };
}

/** Why a service's batch list is skipped (a metrics label), or `null` when the error must stand. */
function skipReason(error: unknown): string | null {
  if (!isGatewayError(error)) return null;
  const status = ((error.extensions['upstream'] ?? {}) as UpstreamDetail).status;
  if (status === 400) return 'list_bad_request';
  if (status === 403) return 'list_forbidden';
  if (typeof status === 'number' && status >= 500) return 'list_unavailable';
  return null;
}

function compareRefs(a: AzureMlBatchRef, b: AzureMlBatchRef): number {
  return cmp(a.service, b.service) || cmp(a.version, b.version) || cmp(a.executionId, b.executionId);
}
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The cursor is the last ref of the previous page: robust to batches appearing or vanishing in between. */
const refCursorShape = z.tuple([z.string(), z.string(), z.string()]);

function encodeRefCursor(ref: AzureMlBatchRef): string {
  return encodeCursor([ref.service, ref.version, ref.executionId]);
}

function decodeRefCursor(cursor: string | null, backend: string): AzureMlBatchRef | null {
  if (!cursor) return null;
  const decoded = decodeCursor(cursor, refCursorShape);
  if (decoded) {
    const [service, version, executionId] = decoded;
    return { service, version, executionId };
  }
  throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'Not a cursor this backend issued', { backend, extensions: { field: 'after' } });
}

/** `Promise.all` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
