import type { Artifact, Batch, BatchState, StartInput } from '../../core/model.js';
import { isTerminal } from '../../core/model.js';
import type { BackendContext, BatchBackend, BatchPage, ListQuery } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import type { BackendConfigBase } from '../../core/module.js';
import { deriveSource } from '../../core/source-digest.js';
import { publicUrl } from '../../lib/http-client.js';
import { createAzureMlClient } from './client.js';
import { formatNativeId, mapBatch, mapState, parseNativeId, type AzureMlBatchRef, type ObservedTimes } from './map.js';
import { batchResultSchema, servicesSchema, startResponseSchema, stringListSchema } from './wire.js';

/** A config entry of kind `azureml`. */
export interface AzureMlConfig extends BackendConfigBase {
  kind: 'azureml';
  /** Operationalization base URL, e.g. `http://127.0.0.1:12800`. */
  url: string;
  username: string;
  /** Secret: never logged or returned. */
  password: string;
}

/** Knobs beyond the config file, for tests and tuning. */
export interface AzureMlConnectorOptions {
  /** Clock for token expiry. @default Date.now */
  now?: () => number;
  /** Renew the access token this long before it expires. @default 30000 */
  renewMarginMs?: number;
  /** Most upstream calls a `list` makes at once. @default 4 */
  listConcurrency?: number;
}

/** How many batches' observed times are remembered (oldest forgotten first). */
const MAX_OBSERVED = 10_000;

/**
 * The `BatchBackend` for Microsoft ML Server batch web-service executions. A native id is
 * `service/version/executionId`; ML Server keeps no timestamps, so `createdAt`/`startedAt`/
 * `finishedAt` are when this connector saw each phase begin (see `observe`).
 */
export function createAzureMlConnector(config: AzureMlConfig, context: BackendContext, options: AzureMlConnectorOptions = {}): BatchBackend {
  const backendId = config.id;
  const client = createAzureMlClient({
    backendId,
    url: config.url,
    username: config.username,
    password: config.password,
    context,
    now: options.now,
    renewMarginMs: options.renewMarginMs,
  });
  const listConcurrency = options.listConcurrency ?? 4;
  const observed = new Map<string, ObservedTimes>();

  /**
   * ML Server keeps no timestamps, so the connector notes when it sees each phase begin. A time is
   * only recorded for a change it witnessed (seen earlier in a previous phase); a batch first seen
   * already running or finished keeps `null` rather than a made-up "now". Times are approximate: the
   * change happened at some point since the previous read.
   */
  const observe = (nativeId: string, state: BatchState): ObservedTimes => {
    const now = new Date();
    const known = observed.get(nativeId);
    const times = known ?? { createdAt: state === 'QUEUED' ? now : null, startedAt: null, finishedAt: null };
    if (known && state !== 'QUEUED') times.startedAt ??= now;
    if (known && isTerminal(state)) times.finishedAt ??= now;
    // Re-inserting keeps the Map in least-recently-seen order, so the oldest entry goes first.
    observed.delete(nativeId);
    observed.set(nativeId, times);
    if (observed.size > MAX_OBSERVED) observed.delete(observed.keys().next().value!);
    return { ...times };
  };

  const refOf = (nativeId: string): AzureMlBatchRef => {
    const ref = parseNativeId(nativeId);
    if (!ref) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Expected a native id "service/version/executionId", got "${nativeId.slice(0, 80)}"`, {
        backend: backendId,
      });
    }
    return ref;
  };

  const batchPath = (ref: AzureMlBatchRef): string =>
    `api/${encodeURIComponent(ref.service)}/${encodeURIComponent(ref.version)}/batch/${encodeURIComponent(ref.executionId)}`;
  const itemPath = (ref: AzureMlBatchRef, index: number): string => {
    if (!Number.isInteger(index) || index < 0) {
      throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Expected an execution index >= 0, got ${index}`, { backend: backendId });
    }
    return `${batchPath(ref)}/${index}/files`;
  };

  async function fetchBatch(ref: AzureMlBatchRef, signal?: AbortSignal): Promise<Batch> {
    const result = await client.request('GET', batchPath(ref), batchResultSchema, {
      searchParams: { showPartialResults: true },
      signal,
    });
    const batch = mapBatch(backendId, ref, result, observe(formatNativeId(ref), mapState(result.state)));
    // Executions are mapped from the body alone: they change only when it does.
    deriveSource(batch.executions, result);
    return batch;
  }

  /** Every execution id upstream, in a stable order (service, version, id): ML Server gives no dates. */
  async function allRefs(): Promise<AzureMlBatchRef[]> {
    const services = await client.request('GET', 'services', servicesSchema, { notFound: 'input' });
    const unique = [...new Map(services.map((service) => [`${service.name}/${service.version}`, service])).values()];
    const perService = await mapBounded(unique, listConcurrency, async (service) => {
      const path = `api/${encodeURIComponent(service.name)}/${encodeURIComponent(service.version)}/batch`;
      try {
        const ids = await client.request('GET', path, stringListSchema, { notFound: 'batch' });
        return ids.map((executionId) => ({ service: service.name, version: service.version, executionId }));
      } catch (error) {
        // A service deleted between the two calls simply has no batches any more.
        if (isGatewayError(error) && error.code === ErrorCode.BATCH_NOT_FOUND) return [];
        throw error;
      }
    });
    return perService.flat().sort(compareRefs);
  }

  return {
    id: backendId,
    kind: 'azureml',
    url: publicUrl(config.url),
    capabilities: { list: true, cancel: true, forgetsCancelled: true },

    async get(nativeId, getOptions) {
      return fetchBatch(refOf(nativeId), getOptions?.signal);
    },

    async list(query: ListQuery): Promise<BatchPage> {
      const after = decodeCursor(query.cursor ?? null, backendId);
      const limit = Math.max(1, Math.min(100, Math.floor(query.limit)));
      const refs = (await allRefs()).filter((ref) => after === null || compareRefs(ref, after) > 0);
      const wanted = query.states ? new Set(query.states) : null;
      const items: Batch[] = [];
      let last: AzureMlBatchRef | null = null;
      let scanned = 0;
      // Fetch statuses a page at a time, so a state filter scans only as far as it must.
      while (items.length < limit && scanned < refs.length) {
        const chunk = refs.slice(scanned, scanned + limit);
        const batches = await mapBounded(chunk, listConcurrency, (ref) =>
          fetchBatch(ref).catch((error: unknown) => {
            // Deleted between listing and reading: not part of the answer.
            if (isGatewayError(error) && error.code === ErrorCode.BATCH_NOT_FOUND) return null;
            throw error;
          }),
        );
        for (const [i, batch] of batches.entries()) {
          scanned += 1;
          last = chunk[i]!;
          if (batch && (!wanted || wanted.has(batch.state))) items.push(batch);
          if (items.length === limit) break;
        }
      }
      return { items, nextCursor: scanned < refs.length && last ? encodeCursor(last) : null };
    },

    async start(input: StartInput): Promise<Batch> {
      if (input.kind !== 'azureml') {
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backendId}" takes azureMl input, got ${input.kind}`, { backend: backendId });
      }
      if (input.records.length === 0 || !input.records.every((record) => typeof record === 'object' && record !== null && !Array.isArray(record))) {
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'Expected records to be a non-empty list of objects (one per input row)', {
          backend: backendId,
          extensions: { field: 'records' },
        });
      }
      if (!Number.isInteger(input.parallelCount) || input.parallelCount < 1) {
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Expected parallelCount to be an integer >= 1, got ${input.parallelCount}`, {
          backend: backendId,
          extensions: { field: 'parallelCount' },
        });
      }
      const started = await client.request(
        'POST',
        `api/${encodeURIComponent(input.service)}/${encodeURIComponent(input.version)}/batch`,
        startResponseSchema,
        { searchParams: { parallelCount: input.parallelCount }, json: input.records, notFound: 'input' },
      );
      const ref = { service: input.service, version: input.version, executionId: started.batchExecutionId };
      try {
        return await fetchBatch(ref);
      } catch {
        // The batch exists upstream whatever this read says; failing now would invite a duplicate start.
        const result = { state: 'Pending', completedItemCount: 0, totalItemCount: input.records.length, batchExecutionResults: [] };
        return mapBatch(backendId, ref, result, observe(formatNativeId(ref), 'QUEUED'));
      }
    },

    async cancel(nativeId) {
      const ref = refOf(nativeId);
      const current = await fetchBatch(ref);
      // Cancelling upstream deletes the execution and its results: a finished batch is left alone.
      if (isTerminal(current.state)) return current;
      await client.request('DELETE', batchPath(ref), stringListSchema);
      observed.delete(nativeId);
      return { ...current, state: 'CANCELLED', finishedAt: new Date(), error: null };
    },

    async artifacts(nativeId, index): Promise<Artifact[]> {
      const names = await client.request('GET', itemPath(refOf(nativeId), index), stringListSchema);
      return names.map((name) => ({ name, externalUrl: null }));
    },

    async openArtifact(nativeId, index, name) {
      if (name === '' || name.includes('/')) {
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'Expected a plain file name', { backend: backendId });
      }
      return client.stream(`${itemPath(refOf(nativeId), index)}/${encodeURIComponent(name)}`, { notFound: 'batch' });
    },

    async probe() {
      await client.request('GET', 'services', servicesSchema, { notFound: 'input' });
    },

    async dispose() {
      client.dispose();
      observed.clear();
    },
  };
}

function compareRefs(a: AzureMlBatchRef, b: AzureMlBatchRef): number {
  return cmp(a.service, b.service) || cmp(a.version, b.version) || cmp(a.executionId, b.executionId);
}
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The cursor is the last ref of the previous page: robust to batches appearing or vanishing in between. */
function encodeCursor(ref: AzureMlBatchRef): string {
  return Buffer.from(JSON.stringify([ref.service, ref.version, ref.executionId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null, backend: string): AzureMlBatchRef | null {
  if (!cursor) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === 'string')) {
      const [service, version, executionId] = value as [string, string, string];
      return { service, version, executionId };
    }
  } catch {
    // Falls through to the input error below.
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
