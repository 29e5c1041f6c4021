import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { z } from 'zod';
import { ErrorCode, GatewayError } from '../core/errors.js';
import { decodeBatchId, encodeBatchId, tryDecodeBatchId, type BatchRef } from '../core/ids.js';
import type { BackendModule } from '../backends/module.js';
import { batchSteps, isTerminal, type Batch } from '../core/model.js';
import type { BatchTime, BackendKind as GraphQLBackendKind, Resolvers } from '../generated/graphql.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import type { GraphQLContext } from './context.js';
import type { ArtifactModel, ExecutionModel } from './models.js';
import { selectsAnyBelow } from './selection.js';
import { parseStartInput } from './start-input.js';

const OBSERVED_TIME: Record<NonNullable<Batch['observedTimes']>[number], BatchTime> = { createdAt: 'CREATED', startedAt: 'STARTED', finishedAt: 'FINISHED' };

const loadBatch = (context: GraphQLContext, ref: BatchRef): Promise<Batch> => {
  context.service.backend(ref.backendId);
  return context.loaders.batch.load(ref);
};

/** `Batch` fields read from its executions: a live poll leaves executions out while no watcher selects one. */
const EXECUTION_FIELDS: ReadonlySet<string> = new Set(['executions', 'execution', 'steps']);

/**
 * The batch with its executions: a summary read (a live event) left them out, so the batch is read
 * again, no older than the summary; every field and watcher needing them shares that one read.
 */
const withExecutions = async (batch: Batch, context: GraphQLContext): Promise<Batch> =>
  batch.executionsOmitted ? context.service.getBatch(batch, { notBefore: batch.executionsOmitted.readAt }) : batch;

const executionModel = (batch: Batch, index: number): ExecutionModel | null => {
  const execution = batch.executions[index];
  return execution ? { ...execution, batch } : null;
};

/** Relay cursors over execution positions: opaque, but only an index inside. */
const indexCursorShape = z.object({ i: z.number().int().min(0) });
const encodeIndexCursor = (index: number) => encodeCursor({ i: index });
const decodeIndexCursor = (cursor: string): number => {
  const decoded = decodeCursor(cursor, indexCursorShape);
  if (!decoded) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'The "after" cursor is not an execution cursor', { extensions: { field: 'after' } });
  return decoded.i;
};

const checkFirst = (first: number | null | undefined, fallback: number): number => {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'first: expected an integer from 0 to 100', { extensions: { field: 'first' } });
  }
  return value;
};

/** The resolvers of the schema the registered backend modules extend. */
export function createResolvers(modules: readonly BackendModule[]): Resolvers {
  const moduleOf = (kind: string): BackendModule => {
    const module = modules.find((candidate) => candidate.kind === kind);
    if (!module) throw new Error(`No backend module for kind ${kind}`);
    return module;
  };
  return {
    DateTime: DateTimeResolver,
    JSON: JSONResolver,

    Node: {
      __resolveType: (node) => ('nativeId' in node ? 'Batch' : 'Backend'),
    },

    Query: {
      node: async (_parent, { id }, context) => {
        const decoded = tryDecodeBatchId(id);
        if (decoded) return loadBatch(context, decoded);
        return context.service.backends.get(id) ?? null;
      },
      backends: (_parent, _args, context) => [...context.service.backends.values()],
      batch: (_parent, { id }, context) => loadBatch(context, decodeBatchId(id)),
      batchByNativeId: (_parent, { backend, nativeId }, context) => loadBatch(context, { backendId: backend, nativeId }),
      batches: async (_parent, { backend, states, first, after }, context) => {
        const result = await context.service.listBatches({ backendId: backend, states, first: checkFirst(first, 20), after });
        context.partialErrors.push(...result.errors);
        for (const batch of result.items) context.loaders.batch.prime(batch, batch);
        return {
          edges: result.items.map((batch, index) => ({ cursor: result.cursors[index] as string, node: batch })),
          pageInfo: {
            hasNextPage: result.hasNextPage,
            hasPreviousPage: Boolean(after),
            startCursor: result.cursors[0] ?? null,
            endCursor: result.endCursor,
          },
        };
      },
    },

    Mutation: {
      startBatch: async (_parent, { input }, context) => {
        const backend = context.service.backend(input.backend);
        const startInput = parseStartInput(input, moduleOf(backend.kind), modules, backend.id);
        const batch = await context.service.startBatch(backend.id, startInput, input.idempotencyKey);
        return { batch };
      },
      cancelBatch: async (_parent, { id }, context) => ({ batch: await context.service.cancelBatch(decodeBatchId(id)) }),
      renameBatch: async (_parent, { id, name }, context) => {
        const ref = decodeBatchId(id);
        if (name.trim() === '' || name.length > 1024) {
          throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'name: expected 1 to 1024 characters', { backend: ref.backendId, extensions: { field: 'name' } });
        }
        return { batch: await context.service.renameBatch(ref, name) };
      },
    },

    Subscription: {
      batchProgress: {
        subscribe: async (_parent, { id }, context, info) => {
          const ref = decodeBatchId(id);
          context.service.backend(ref.backendId);
          return context.hub.watchBatch(ref, { executions: selectsAnyBelow(info, ['batch'], EXECUTION_FIELDS) });
        },
        resolve: (event: unknown) => event as never,
      },
      batchUpdates: {
        subscribe: (_parent, { backend, states }, context) => {
          if (backend) context.service.backend(backend);
          return context.hub.watchUpdates({ backendId: backend, states });
        },
        resolve: (event: unknown) => event as never,
      },
    },

    Backend: {
      id: (backend) => backend.id,
      kind: (backend) => moduleOf(backend.kind).graphql.kind as GraphQLBackendKind,
      url: (backend) => backend.url,
      healthy: (backend, _args, context) => context.service.healthOf(backend.id).healthy,
      capabilities: (backend) => ({ list: backend.capabilities.list, cancel: backend.capabilities.cancel, rename: backend.capabilities.rename === true }),
    },

    Batch: {
      id: (batch) => encodeBatchId(batch.backendId, batch.nativeId),
      backend: (batch, _args, context) => context.service.backend(batch.backendId),
      steps: async (batch, _args, context) => batchSteps(await withExecutions(batch, context)),
      observedTimes: (batch) => (batch.observedTimes ?? []).map((time) => OBSERVED_TIME[time]),
      executions: async (summary, { first, after }, context) => {
        const batch = await withExecutions(summary, context);
        const start = after ? decodeIndexCursor(after) + 1 : 0;
        const count = checkFirst(first, 100);
        const slice = batch.executions.slice(start, start + count);
        return {
          totalCount: batch.executions.length,
          edges: slice.map((execution, offset) => ({ cursor: encodeIndexCursor(start + offset), node: { ...execution, batch } })),
          pageInfo: {
            hasNextPage: start + count < batch.executions.length,
            hasPreviousPage: start > 0,
            startCursor: slice.length > 0 ? encodeIndexCursor(start) : null,
            endCursor: slice.length > 0 ? encodeIndexCursor(start + slice.length - 1) : null,
          },
        };
      },
      execution: async (batch, { index }, context) => executionModel(await withExecutions(batch, context), index),
    },

    BatchExecution: {
      artifacts: async (execution, _args, context): Promise<ArtifactModel[]> => {
        const artifacts = execution.artifacts ?? (await context.service.artifacts(execution.batch, execution.index));
        return artifacts.map((artifact) => ({ ...artifact, batch: execution.batch, index: execution.index }));
      },
    },

    Artifact: {
      url: (artifact, _args, context) => {
        if (artifact.externalUrl) return artifact.externalUrl;
        const id = encodeBatchId(artifact.batch.backendId, artifact.batch.nativeId);
        return `${context.origin}/artifacts/${id}/${artifact.index}/${encodeURIComponent(artifact.name)}`;
      },
    },

    // Backend text carried as data, not as errors: scrubbed like error messages.
    LiveError: {
      message: (error, _args, context) => context.scrub(error.message),
    },
    BatchError: {
      message: (error, _args, context) => context.scrub(error.message),
    },

    BatchProgressEvent: {
      terminal: (event) => event.terminal || isTerminal(event.batch.state),
    },
  };
}
