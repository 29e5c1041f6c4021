import { Readable } from 'node:stream';
import type { BackendCapabilities, BatchBackend, BatchPage, ListQuery } from '../../src/core/backend.js';
import { ErrorCode, GatewayError } from '../../src/core/errors.js';
import { emptyProgress, type Batch, type BatchState, type StartInput } from '../../src/core/model.js';

/**
 * A backend that lives in memory, for schema and resolver tests only (the product never fakes a
 * backend: connectors always speak HTTP). Every call is recorded so tests can assert call shapes.
 */
export interface MemoryBackend extends BatchBackend {
  readonly calls: Array<[string, ...unknown[]]>;
  readonly batches: Map<string, Batch>;
  /** The next calls fail with this error until cleared. */
  failWith: GatewayError | null;
  put(nativeId: string, state: BatchState, overrides?: Partial<Batch>): Batch;
}

export function createMemoryBackend(
  id: string,
  options: { kind?: BatchBackend['kind']; capabilities?: Partial<BackendCapabilities> } = {},
): MemoryBackend {
  const batches = new Map<string, Batch>();
  const calls: Array<[string, ...unknown[]]> = [];
  let counter = 0;
  const backend: MemoryBackend = {
    id,
    kind: options.kind ?? 'slv',
    url: `memory://${id}`,
    capabilities: { list: true, cancel: true, forgetsCancelled: false, ...options.capabilities },
    calls,
    batches,
    failWith: null,
    put(nativeId, state, overrides = {}) {
      const batch: Batch = {
        backendId: id,
        nativeId,
        name: `batch ${nativeId}`,
        state,
        nativeStatus: state.toLowerCase(),
        progress: { ...emptyProgress(), percent: state === 'SUCCEEDED' ? 100 : 10 },
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter++)),
        startedAt: null,
        finishedAt: null,
        executions: [
          {
            index: 0,
            state,
            response: { statusCode: 200, headers: null, body: { ok: true } },
            steps: [{ name: 'check', label: 'Check', status: 'OK', messages: [{ severity: 'INFO', status: 0, statusText: 'OK', text: 'fine' }], infoCount: 1, warningCount: 0, errorCount: 0 }],
          },
        ],
        error: null,
        ...overrides,
      };
      batches.set(nativeId, batch);
      return batch;
    },
    async get(nativeId) {
      calls.push(['get', nativeId]);
      if (backend.failWith) throw backend.failWith;
      const batch = batches.get(nativeId);
      if (!batch) throw new GatewayError(ErrorCode.BATCH_NOT_FOUND, `No batch ${nativeId}`, { backend: id });
      return structuredClone(batch);
    },
    async list(query: ListQuery): Promise<BatchPage> {
      calls.push(['list', query.limit, query.cursor ?? null]);
      if (backend.failWith) throw backend.failWith;
      if (!backend.capabilities.list) throw new GatewayError(ErrorCode.UNSUPPORTED, 'cannot list', { backend: id });
      const all = [...batches.values()].filter((b) => !query.states || query.states.includes(b.state)).reverse();
      const offset = query.cursor ? Number(query.cursor) : 0;
      const items = all.slice(offset, offset + query.limit);
      return { items, nextCursor: offset + query.limit < all.length ? String(offset + query.limit) : null };
    },
    async start(input: StartInput) {
      calls.push(['start', input]);
      if (backend.failWith) throw backend.failWith;
      return backend.put(`n${batches.size + 1}`, 'QUEUED');
    },
    async cancel(nativeId) {
      calls.push(['cancel', nativeId]);
      const batch = await backend.get(nativeId);
      return backend.put(nativeId, 'CANCELLED', { createdAt: batch.createdAt });
    },
    async artifacts(nativeId, index) {
      calls.push(['artifacts', nativeId, index]);
      return [{ name: 'out.csv', externalUrl: null }];
    },
    async openArtifact(nativeId, index, name) {
      calls.push(['openArtifact', nativeId, index, name]);
      return { body: Readable.from([Buffer.from('a,b\n1,2\n')]), contentType: 'text/csv', contentLength: 8 };
    },
    async probe() {
      if (backend.failWith) throw backend.failWith;
    },
    async dispose() {},
  };
  return backend;
}
