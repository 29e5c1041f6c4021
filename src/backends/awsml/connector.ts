import { createHash, randomUUID } from 'node:crypto';
import type { BackendContext, BatchBackend, BatchPage, ListQuery, LostStart, StartOptions } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import type { Artifact, Batch } from '../../core/model.js';
import { decodeUpstreamPageCursor, encodeUpstreamPageCursor } from '../../lib/cursor.js';
import { publicUrl } from '../../lib/http-client.js';
import { createAwsMlClient, type AwsMlClient } from './client.js';
import { resolveAwsMlSettings, type AwsMlConfig } from './config.js';
import type { AwsMlStartInput } from './wire.js';
import { mapArtifacts, mapBatchPrediction, parseStatus, statusForState, type AwsMlStatus, type BatchPredictionRecord } from './map.js';

/** The connector plus Amazon ML's one extra: renaming a prediction (the gateway's `renameBatch`). */
export interface AwsMlBackend extends BatchBackend<AwsMlStartInput> {
  /** Sets the prediction's name (`UpdateBatchPrediction`) and answers the batch as it stands. */
  rename(nativeId: string, name: string): Promise<Batch>;
}

export interface AwsMlConnectorOptions {
  /** Extra attempts per call after throttling, a 5xx or a transport fault (SDK standard mode). @default 2 */
  retries?: number;
  /** Most upstream pages one `list` call reads while filtering states client-side. @default 20 */
  maxPagesPerList?: number;
}

/** The `BatchBackend` for one `awsml` config entry (plus `rename`). */
export function createAwsMlConnector(config: AwsMlConfig, context: BackendContext, options: AwsMlConnectorOptions = {}): AwsMlBackend {
  const backend = config.id;
  const settings = resolveAwsMlSettings(config);
  if (!settings.region || !settings.endpoint) {
    // The config schema checks this first; reaching here means the environment changed since.
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" has no region`, { backend });
  }
  const client: AwsMlClient = createAwsMlClient({
    backendId: backend,
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: settings.credentials,
    timeoutMs: context.timeoutMs,
    onUpstreamCall: context.onUpstreamCall,
    maxAttempts: options.retries === undefined ? undefined : options.retries + 1,
  });
  const maxPages = options.maxPagesPerList ?? 20;
  const fromGet = (record: BatchPredictionRecord) => mapBatchPrediction(record, { backendId: backend, source: 'get' });
  const fromDescribe = (record: BatchPredictionRecord) => mapBatchPrediction(record, { backendId: backend, source: 'describe' });

  const get = async (nativeId: string, signal?: AbortSignal) => fromGet(await client.getBatchPrediction(nativeId, signal));

  /**
   * A create refused because the id exists (`IdempotentParameterMismatchException`, or an
   * `InvalidInputException` saying so) is our own earlier start when the existing prediction has
   * the same model, data source and output: answer it. Anything else stays refused.
   */
  async function earlierStart(id: string, input: AwsMlStartInput, error: unknown): Promise<Batch | null> {
    const upstream = isGatewayError(error) ? (error.extensions['upstream'] as { code?: unknown; message?: unknown } | undefined) : undefined;
    const code = typeof upstream?.code === 'string' ? upstream.code : '';
    const message = typeof upstream?.message === 'string' ? upstream.message : '';
    const exists = code === 'IdempotentParameterMismatchException' || (code === 'InvalidInputException' && /already exists|already in use/i.test(message));
    if (!exists) return null;
    let record: BatchPredictionRecord;
    try {
      record = await client.getBatchPrediction(id);
    } catch {
      return null;
    }
    const same = record.MLModelId === input.mlModelId && record.BatchPredictionDataSourceId === input.dataSourceId && record.OutputUri === input.outputUri;
    return same ? fromGet(record) : null;
  }

  const connector: AwsMlBackend = {
    id: backend,
    kind: 'awsml',
    url: publicUrl(settings.endpoint),
    capabilities: { list: true, cancel: true, forgetsCancelled: false, rename: true },

    get: (nativeId, getOptions) => get(nativeId, getOptions?.signal),

    async list(query: ListQuery): Promise<BatchPage> {
      const limit = Math.min(100, Math.max(1, Math.floor(query.limit)));
      const wanted = query.states ? new Set(query.states.map(statusForState).filter((s): s is AwsMlStatus => s !== null)) : null;
      // Filtering here skips records: read full upstream pages then, and resume mid-page by offset.
      const cursor = query.cursor ? decodeUpstreamPageCursor(query.cursor, backend) : { t: null, o: 0, l: wanted ? 100 : limit };
      // Only CANCELLING asked: Amazon ML has no such status, so nothing can match.
      if (wanted && wanted.size === 0) return { items: [], nextCursor: null };

      // Always by creation time, newest first, statuses filtered here: Amazon ML sorts by the filter
      // variable, so a Status filter would answer in no useful order (docs/backends/awsml.md §5).
      const keep = (record: BatchPredictionRecord) => !wanted || wanted.has(parseStatus(record.Status)!);

      const items: Batch[] = [];
      let token = cursor.t;
      let offset = cursor.o;
      for (let pages = 0; ; pages++) {
        const page = await client.describeBatchPredictions({ FilterVariable: 'CreatedAt', SortOrder: 'dsc', Limit: cursor.l, ...(token ? { NextToken: token } : {}) });
        for (let i = offset; i < page.results.length; i++) {
          const record = page.results[i]!;
          if (!keep(record)) continue;
          if (items.length === limit) return { items, nextCursor: encodeUpstreamPageCursor({ t: token, o: i, l: cursor.l }) };
          items.push(fromDescribe(record));
        }
        if (!page.nextToken) return { items, nextCursor: null };
        token = page.nextToken;
        offset = 0;
        // A full page, or enough pages read for one call: the caller continues from the cursor.
        if (items.length === limit || pages + 1 >= maxPages) return { items, nextCursor: encodeUpstreamPageCursor({ t: token, o: 0, l: cursor.l }) };
      }
    },

    async start(input: AwsMlStartInput, startOptions?: StartOptions): Promise<Batch> {
      // Amazon ML ids are caller-chosen: one derived from the idempotency key makes a repeated start
      // one prediction upstream too, and any id made up front makes the SDK's retries safe.
      const id = input.batchPredictionId ?? predictionIdFor(backend, startOptions?.idempotencyKey);
      try {
        await client.createBatchPrediction({
          BatchPredictionId: id,
          ...(input.name ? { BatchPredictionName: input.name } : {}),
          MLModelId: input.mlModelId,
          BatchPredictionDataSourceId: input.dataSourceId,
          OutputUri: input.outputUri,
        });
      } catch (error) {
        const earlier = await earlierStart(id, input, error);
        if (earlier) return earlier;
        throw error;
      }
      return get(id);
    },

    /**
     * A start whose answer was lost is made again under the same key-derived id: the service
     * answers the prediction that start created, or creates it if the first never arrived.
     */
    reconcileStart(input: AwsMlStartInput, lost: LostStart): Promise<Batch> {
      return connector.start(input, { idempotencyKey: lost.idempotencyKey });
    },

    /** Amazon ML has no cancel: deleting stops a prediction, which then stays visible as DELETED. */
    async cancel(nativeId: string): Promise<Batch> {
      await client.deleteBatchPrediction(nativeId);
      return get(nativeId);
    },

    async rename(nativeId: string, name: string): Promise<Batch> {
      await client.updateBatchPrediction(nativeId, name);
      return get(nativeId);
    },

    async artifacts(nativeId: string, index: number): Promise<Artifact[]> {
      if (index !== 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Batch predictions have one execution (index 0), not ${index}`, { backend });
      return mapArtifacts(await client.getBatchPrediction(nativeId));
    },

    async openArtifact(): Promise<never> {
      throw new GatewayError(ErrorCode.UNSUPPORTED, `Backend "${backend}" links its logs directly (presigned URLs); there is nothing to stream`, { backend });
    },

    async probe(): Promise<void> {
      await client.describeBatchPredictions({ Limit: 1 });
    },

    async dispose(): Promise<void> {
      client.dispose();
    },
  };
  return connector;
}

/**
 * The prediction id for a start: derived from the idempotency key and the backend id (the same
 * key on two backends is two predictions), else random. `bg-` and 40 hex digits fit Amazon ML's
 * `[a-zA-Z0-9_.-]{1,64}`.
 */
export function predictionIdFor(backend: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return `bg-${randomUUID()}`;
  return `bg-${createHash('sha256').update(`${backend}\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}
