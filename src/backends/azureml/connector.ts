import { LRUCache } from 'lru-cache';
import type { Artifact, Batch, BatchState } from '../../core/model.js';
import { isTerminal } from '../../core/model.js';
import type { BackendContext, BatchBackend } from '../../core/backend.js';
import { ErrorCode, GatewayError } from '../../core/errors.js';
import { deriveSource } from '../../core/source-digest.js';
import { publicUrl } from '../../lib/http-client.js';
import { createAzureMlClient } from './client.js';
import type { AzureMlConfig } from './config.js';
import { createLister } from './listing.js';
import { formatNativeId, knownState, mapBatch, mapState, parseNativeId, type AzureMlBatchRef, type ObservedTimes } from './map.js';
import { batchResultSchema, servicesSchema, startResponseSchema, stringListSchema, type AzureMlStartInput, type BatchResult } from './wire.js';

/** Knobs beyond the config file, for tests and tuning. */
export interface AzureMlConnectorOptions {
  /** Clock for token expiry. @default Date.now */
  now?: () => number;
  /** Renew the access token this long before it expires. @default 30000 */
  renewMarginMs?: number;
  /** Most upstream calls a `list` makes at once. @default 4 */
  listConcurrency?: number;
}

/** How many of a service's newest executions a lost start is looked for among. */
const RECONCILE_WINDOW = 20;

/** How many batches' observed times are remembered (oldest forgotten first). */
const MAX_OBSERVED = 10_000;

/**
 * The `BatchBackend` for Microsoft ML Server batch web-service executions. A native id is
 * `service/version/executionId`; ML Server keeps no timestamps, so `createdAt`/`startedAt`/
 * `finishedAt` are when this connector saw each phase begin (see `observe`).
 */
export function createAzureMlConnector(config: AzureMlConfig, context: BackendContext, options: AzureMlConnectorOptions = {}): BatchBackend<AzureMlStartInput> {
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
  const indexBase = config.artifactIndexBase ?? 1;
  const unknownStateAfterMs = config.unknownStateAfterMs ?? 600_000;
  const now = options.now ?? Date.now;
  // The least recently seen batches are forgotten first, so memory stays flat.
  const observed = new LRUCache<string, ObservedTimes>({ max: MAX_OBSERVED });
  /** Unknown state words already logged, and since when each batch shows its unknown word. */
  const unknownWords = new Set<string>();
  const unknownSince = new LRUCache<string, { word: string; since: number }>({ max: MAX_OBSERVED });

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
    observed.set(nativeId, times);
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
    return `${batchPath(ref)}/${index + indexBase}/files`;
  };

  async function fetchBatch(ref: AzureMlBatchRef, signal?: AbortSignal, partial = true): Promise<Batch> {
    const result = await client.request('GET', batchPath(ref), batchResultSchema, {
      searchParams: { showPartialResults: partial },
      signal,
    });
    const nativeId = formatNativeId(ref);
    const batch = mapBatch(backendId, ref, result, observe(nativeId, mapState(result.state)));
    // Executions are mapped from the body alone: they change only when it does.
    deriveSource(batch.executions, result);
    return boundUnknownState(nativeId, result, batch);
  }

  /**
   * Without partial results a running batch's body is its counts alone, however many records have
   * finished; a finished batch always carries its results.
   */
  async function fetchSummary(ref: AzureMlBatchRef, signal?: AbortSignal): Promise<Batch> {
    const readAt = Date.now();
    const batch = await fetchBatch(ref, signal, false);
    return isTerminal(batch.state) ? batch : { ...batch, executionsOmitted: { readAt } };
  }

  /**
   * A state word this gateway does not know keeps `nativeStatus`, is logged once per word, and
   * counts as RUNNING — for `unknownStateAfterMs` at most: a batch still showing it then is
   * reported FAILED with an error saying why, so nobody polls it for ever.
   */
  function boundUnknownState(nativeId: string, result: BatchResult, batch: Batch): Batch {
    if (knownState(result.state) !== null) {
      unknownSince.delete(nativeId);
      return batch;
    }
    const word = result.state;
    context.onWarning?.({
      backend: backendId,
      reason: 'unknown_state',
      message: `ML Server backend "${backendId}" answered the state word "${word.slice(0, 40)}", which the gateway does not know; counted as RUNNING`,
      log: !unknownWords.has(word),
    });
    if (unknownWords.size < 100) unknownWords.add(word);
    const seen = unknownSince.get(nativeId);
    const since = seen?.word === word ? seen.since : now();
    unknownSince.set(nativeId, { word, since });
    if (now() - since < unknownStateAfterMs) return batch;
    return {
      ...batch,
      state: 'FAILED',
      finishedAt: batch.finishedAt ?? new Date(now()),
      error: { code: 'UNKNOWN_STATE', message: `ML Server reports the state "${word.slice(0, 40)}", unknown to the gateway, for ${Math.round((now() - since) / 1000)} s` },
    };
  }

  const lister = createLister({ backendId, client, context, concurrency: listConcurrency, fetchForList: (ref) => fetchSummary(ref) });

  return {
    id: backendId,
    kind: 'azureml',
    url: publicUrl(config.url),
    capabilities: { list: true, cancel: true, forgetsCancelled: true },

    async get(nativeId, getOptions) {
      return getOptions?.summary ? fetchSummary(refOf(nativeId), getOptions.signal) : fetchBatch(refOf(nativeId), getOptions?.signal);
    },

    list: (query) => lister.list(query),

    async start(input: AzureMlStartInput): Promise<Batch> {
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

    /**
     * ML Server cannot tag an execution, so the lost start is looked for among the service's
     * executions the gateway does not know yet (the newest `RECONCILE_WINDOW`), by its record
     * count: exactly one match is the lost start; none or several, and the gateway cannot tell.
     */
    async reconcileStart(input, lost) {
      if (input.kind !== 'azureml') return null;
      const listed = await client.request('GET', `api/${encodeURIComponent(input.service)}/${encodeURIComponent(input.version)}/batch`, stringListSchema, {
        notFound: 'input',
      });
      const refs: AzureMlBatchRef[] = [];
      for (const executionId of listed.slice(-RECONCILE_WINDOW)) {
        const ref = { service: input.service, version: input.version, executionId };
        if (!(await lost.isRecorded(formatNativeId(ref)))) refs.push(ref);
      }
      const batches = await Promise.all(refs.map((ref) => fetchBatch(ref, undefined, false).catch(() => null)));
      const matches = batches.filter((batch) => batch?.progress.totalItems === input.records.length);
      return matches.length === 1 ? matches[0]! : null;
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

    async openArtifact(nativeId, index, name, openOptions) {
      if (name === '' || name.includes('/')) {
        throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'Expected a plain file name', { backend: backendId });
      }
      return client.stream(`${itemPath(refOf(nativeId), index)}/${encodeURIComponent(name)}`, { notFound: 'batch', signal: openOptions?.signal });
    },

    async probe() {
      await client.request('GET', 'services', servicesSchema, { notFound: 'input' });
    },

    async dispose() {
      client.dispose();
      observed.clear();
      unknownSince.clear();
      lister.clear();
    },
  };
}
