import { LRUCache } from 'lru-cache';
import type { ArtifactStream, BackendCapabilities, BatchBackend, BatchPage } from '../../core/backend.js';
import type { BackendContext } from '../../core/backend.js';
import { ErrorCode, GatewayError, isGatewayError } from '../../core/errors.js';
import { isTerminal, type Artifact, type Batch } from '../../core/model.js';
import { UnreachableCaseError } from '../../core/unreachable.js';
import { publicUrl } from '../../lib/http-client.js';
import { createSlvClient, isUnknownMethodError, translateSlvError, type SlvCall } from './client.js';
import type { SlvConfig } from './config.js';
import { createForgottenPolicy } from './forgotten.js';
import { mapSlvBatch, slvState } from './map.js';
import { SLV_START_METHODS, slvBatchResultSchema, type SlvBatchResult, type SlvStartInput } from './wire.js';

/** SLV can neither list batches nor is its cancel documented; see `capabilities`. */
const CAPABILITIES: BackendCapabilities = { list: false, cancel: true, forgetsCancelled: false };

/** How many batch names / first-seen end times the connector remembers. */
const MEMORY_LIMIT = 10_000;

/**
 * The SLV connector. SLV has no list call, so the gateway lists what it started; cancel uses the
 * inferred `api/batch/cancelBatch` and answers UNSUPPORTED on a server without it.
 */
export function createSlvConnector(config: SlvConfig, context: BackendContext): BatchBackend<SlvStartInput> {
  const backendId = config.id;
  const client = createSlvClient({
    ...context,
    backendId,
    url: config.url,
    username: config.username,
    password: config.password,
    auth: config.auth,
  });
  const forgotten = createForgottenPolicy({
    backendId,
    afterAnswers: config.forgottenAfterAnswers,
    afterMs: config.forgottenAfterMs,
    probe: () => client.probe(),
  });
  // What SLV does not report but this process knows: which method started a batch, and when a
  // batch was first seen finished (SLV has no end time; `finishedAt` must not move between polls).
  const names = new LRUCache<string, string>({ max: MEMORY_LIMIT });
  const finishedAt = new LRUCache<string, Date>({ max: MEMORY_LIMIT });

  const toBatch = (native: SlvBatchResult): Batch => {
    const nativeId = String(native.batchId);
    let finished: Date | null = null;
    if (isTerminal(slvState(native))) {
      finished = finishedAt.get(nativeId) ?? new Date();
      finishedAt.set(nativeId, finished);
    }
    return mapSlvBatch(native, { backendId, name: names.get(nativeId) ?? null, finishedAt: finished });
  };

  const checkId = (nativeId: string): void => {
    // SLV batch ids are decimal numbers; anything else can never have been issued.
    if (!/^\d{1,19}$/.test(nativeId)) {
      throw new GatewayError(ErrorCode.BATCH_NOT_FOUND, `SLV backend "${backendId}" has no batch "${nativeId}"`, { backend: backendId });
    }
  };

  const get = async (nativeId: string, signal?: AbortSignal): Promise<Batch> => {
    checkId(nativeId);
    let native: SlvBatchResult;
    try {
      native = await client.batch({ method: 'GET', path: 'batch/getBatchResult', params: [['batchId', nativeId]], signal });
    } catch (error) {
      const translated = translateSlvError(error, backendId);
      throw signal?.aborted ? translated : await forgotten.failed(nativeId, translated);
    }
    forgotten.answered(nativeId);
    return toBatch(native);
  };

  return {
    id: backendId,
    kind: 'slv',
    url: publicUrl(config.url),
    capabilities: CAPABILITIES,

    get: (nativeId, options) => get(nativeId, options?.signal),

    list(): Promise<BatchPage> {
      return Promise.reject(
        new GatewayError(ErrorCode.UNSUPPORTED, `SLV backend "${backendId}" cannot list batches`, { backend: backendId }),
      );
    },

    async start(input: SlvStartInput): Promise<Batch> {
      // The start answer is already the running batch; no extra poll is needed.
      const native = await client.batch(startCall(input));
      names.set(String(native.batchId), SLV_START_METHODS[input.operation]);
      forgotten.answered(String(native.batchId));
      return toBatch(native);
    },

    async cancel(nativeId: string): Promise<Batch> {
      checkId(nativeId);
      let body: Record<string, unknown>;
      try {
        body = await client.result({ method: 'POST', path: 'batch/cancelBatch', params: [['batchId', nativeId]] });
      } catch (error) {
        if (isGatewayError(error) && isUnknownMethodError(error)) {
          throw new GatewayError(ErrorCode.UNSUPPORTED, `SLV backend "${backendId}" cannot cancel batches`, {
            backend: backendId,
            upstream: error.extensions['upstream'] as Record<string, unknown>,
            cause: error,
          });
        }
        throw error;
      }
      // A server may answer the batch (as the emulator does) or a bare OK; then read it back.
      const native = slvBatchResultSchema.safeParse(body);
      return native.success ? toBatch(native.data) : get(nativeId);
    },

    async artifacts(nativeId: string): Promise<Artifact[]> {
      checkId(nativeId);
      return [];
    },

    openArtifact(): Promise<ArtifactStream> {
      return Promise.reject(new GatewayError(ErrorCode.UNSUPPORTED, `SLV batches have no artifacts`, { backend: backendId }));
    },

    probe: () => client.probe(),

    async dispose() {
      names.clear();
      finishedAt.clear();
      forgotten.clear();
      await client.dispose();
    },
  };
}

/** The SLV call each start operation makes (docs/backends/slv.md §2). */
function startCall(input: SlvStartInput): SlvCall {
  switch (input.operation) {
    case 'commissionController':
      return {
        method: 'POST',
        path: `controllermanagement/${SLV_START_METHODS.commissionController}`,
        params: [
          ['controllerStrId', input.controllerStrId],
          ['flags', String(input.flags)],
        ],
      };
    case 'commissionDevices':
      return {
        method: 'POST',
        path: `controllermanagement/${SLV_START_METHODS.commissionDevices}`,
        params: [['controllerStrId', input.controllerStrId], ...input.idOnController.map((id) => ['idOnController', id] as const)],
      };
    case 'importDevicesCsv':
      // The file's bytes are the body, as SLV's own clients upload it.
      return {
        method: 'POST',
        path: `loggingmanagement/${SLV_START_METHODS.importDevicesCsv}`,
        raw: { body: input.csv, contentType: 'text/csv; charset=UTF-8' },
      };
    default: {
      throw new UnreachableCaseError(input, 'SLV operation');
    }
  }
}
