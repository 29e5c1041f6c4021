import { randomUUID } from 'node:crypto';
import type { BackendContext, BatchBackend, BatchPage, ListQuery } from '../../core/backend.js';
import { ErrorCode, GatewayError } from '../../core/errors.js';
import type { Artifact, Batch } from '../../core/model.js';
import { publicUrl } from '../../lib/http-client.js';
import { createAwsMlClient, type AwsMlClient, type DescribeInput } from './client.js';
import { resolveAwsMlSettings, type AwsMlConfig } from './config.js';
import type { AwsMlStartInput } from './wire.js';
import { mapArtifacts, mapBatchPrediction, parseStatus, statusForState, type AwsMlStatus, type BatchPredictionRecord } from './map.js';

/** The connector plus Amazon ML's one extra: renaming a prediction (the gateway's `renameBatch`). */
export interface AwsMlBackend extends BatchBackend<AwsMlStartInput> {
  /** Sets the prediction's name (`UpdateBatchPrediction`) and answers the batch as it stands. */
  rename(nativeId: string, name: string): Promise<Batch>;
}

export interface AwsMlConnectorOptions {
  /** Extra attempts for idempotent calls. @default 2 */
  retries?: number;
  /** First retry delay in ms. @default 100 */
  retryBaseMs?: number;
  /** Most upstream pages one `list` call reads while filtering several states client-side. @default 20 */
  maxPagesPerList?: number;
}

/**
 * Our list cursor: where in Amazon ML's paging we stopped. `t` is the upstream `NextToken` of the
 * page we were reading (null = first page), `o` how many of that page's records we already
 * consumed, `l` the upstream page size (the offset only means something with the same size).
 */
interface Cursor {
  t: string | null;
  o: number;
  l: number;
}

/** The `BatchBackend` for one `awsml` config entry (plus `rename`). */
export function createAwsMlConnector(config: AwsMlConfig, context: BackendContext, options: AwsMlConnectorOptions = {}): AwsMlBackend {
  const backend = config.id;
  const settings = resolveAwsMlSettings(config);
  if (!settings.region || !settings.endpoint || !settings.credentials) {
    // The config schema checks this first; reaching here means the environment changed since.
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" has no region or credentials`, { backend });
  }
  const client: AwsMlClient = createAwsMlClient({
    backendId: backend,
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: settings.credentials,
    timeoutMs: context.timeoutMs,
    onUpstreamCall: context.onUpstreamCall,
    retries: options.retries,
    retryBaseMs: options.retryBaseMs,
  });
  const maxPages = options.maxPagesPerList ?? 20;
  const fromGet = (record: BatchPredictionRecord) => mapBatchPrediction(record, { backendId: backend, source: 'get' });
  const fromDescribe = (record: BatchPredictionRecord) => mapBatchPrediction(record, { backendId: backend, source: 'describe' });

  const get = async (nativeId: string, signal?: AbortSignal) => fromGet(await client.getBatchPrediction(nativeId, signal));

  return {
    id: backend,
    kind: 'awsml',
    url: publicUrl(settings.endpoint),
    capabilities: { list: true, cancel: true, forgetsCancelled: false },

    get: (nativeId, getOptions) => get(nativeId, getOptions?.signal),

    async list(query: ListQuery): Promise<BatchPage> {
      const limit = Math.min(100, Math.max(1, Math.floor(query.limit)));
      const cursor = query.cursor ? decodeCursor(query.cursor, backend) : { t: null, o: 0, l: limit };
      const wanted = query.states ? new Set(query.states.map(statusForState).filter((s): s is AwsMlStatus => s !== null)) : null;
      // Only CANCELLING asked: Amazon ML has no such status, so nothing can match.
      if (wanted && wanted.size === 0) return { items: [], nextCursor: null };

      // One status filters upstream; several are filtered here while paging. Newest first either way.
      const filter: DescribeInput =
        wanted && wanted.size === 1 ? { FilterVariable: 'Status', EQ: [...wanted][0]!, SortOrder: 'dsc' } : { FilterVariable: 'CreatedAt', SortOrder: 'dsc' };
      const keep = (record: BatchPredictionRecord) => !wanted || wanted.has(parseStatus(record.Status)!);

      const items: Batch[] = [];
      let token = cursor.t;
      let offset = cursor.o;
      for (let pages = 0; ; pages++) {
        const page = await client.describeBatchPredictions({ ...filter, Limit: cursor.l, ...(token ? { NextToken: token } : {}) });
        for (let i = offset; i < page.results.length; i++) {
          const record = page.results[i]!;
          if (!keep(record)) continue;
          if (items.length === limit) return { items, nextCursor: encodeCursor({ t: token, o: i, l: cursor.l }) };
          items.push(fromDescribe(record));
        }
        if (!page.nextToken) return { items, nextCursor: null };
        token = page.nextToken;
        offset = 0;
        // A full page, or enough pages read for one call: the caller continues from the cursor.
        if (items.length === limit || pages + 1 >= maxPages) return { items, nextCursor: encodeCursor({ t: token, o: 0, l: cursor.l }) };
      }
    },

    async start(input: AwsMlStartInput): Promise<Batch> {
      // Amazon ML ids are caller-chosen; making one up front also makes retrying the create safe.
      const id = input.batchPredictionId ?? `bg-${randomUUID()}`;
      await client.createBatchPrediction({
        BatchPredictionId: id,
        ...(input.name ? { BatchPredictionName: input.name } : {}),
        MLModelId: input.mlModelId,
        BatchPredictionDataSourceId: input.dataSourceId,
        OutputUri: input.outputUri,
      });
      return get(id);
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
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, backend: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    if ((typeof value.t === 'string' || value.t === null) && Number.isInteger(value.o) && Number.isInteger(value.l) && value.l! >= 1 && value.l! <= 100) {
      return { t: value.t, o: value.o!, l: value.l! };
    }
  } catch {
    // answered below
  }
  throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this backend issued', { backend });
}
