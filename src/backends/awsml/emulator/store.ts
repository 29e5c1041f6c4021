import type { Catalog } from './catalog.js';
import { describePage, type DescribeSpec } from './describe.js';
import { AwsFault, IAM_USER, hash, invalid, notFound, optionalString, requireId, requireString } from './input.js';

/**
 * The emulator's batch predictions: their scripted lives (PENDING → INPROGRESS → COMPLETED/FAILED,
 * one step per tick, PENDING also until the model and data source are COMPLETED) and the semantics
 * of the five batch-prediction operations. No HTTP here: `index.ts` decodes requests and encodes
 * answers; `catalog.ts` holds the models and data sources predictions refer to.
 */

type EmulatedStatus = 'PENDING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'DELETED';

/** How one prediction lives. Ticks are counted from creation. */
export interface PredictionScript {
  /** Ticks spent PENDING at least. */
  pendingTicks: number;
  /** Ticks spent INPROGRESS. @default 3 */
  runningTicks: number;
  outcome: 'COMPLETED' | 'FAILED';
  totalRecords: number;
  invalidRecords: number;
  /** `Message` once done (why it failed, or a note). */
  message: string | null;
}

export interface CreateParams {
  BatchPredictionId: string;
  BatchPredictionName: string | null;
  MLModelId: string;
  BatchPredictionDataSourceId: string;
  OutputUri: string;
}

/** A stored prediction: the wire record (without `LogUri`, which Get adds) and its bookkeeping. */
export interface StoredPrediction {
  record: WireRecord;
  params: CreateParams;
  script: PredictionScript;
  /** Ticks lived so far. */
  age: number;
}

export interface WireRecord {
  BatchPredictionId: string;
  MLModelId: string;
  BatchPredictionDataSourceId: string;
  InputDataLocationS3: string;
  CreatedByIamUser: string;
  CreatedAt: number;
  LastUpdatedAt: number;
  Name?: string;
  Status: EmulatedStatus;
  OutputUri: string;
  Message?: string;
  ComputeTime?: number;
  FinishedAt?: number;
  StartedAt?: number;
  TotalRecordCount?: number;
  InvalidRecordCount?: number;
}

const FILTERS: DescribeSpec<StoredPrediction>['fields'] = {
  CreatedAt: (p) => p.record.CreatedAt,
  LastUpdatedAt: (p) => p.record.LastUpdatedAt,
  Status: (p) => p.record.Status,
  Name: (p) => p.record.Name,
  IAMUser: (p) => p.record.CreatedByIamUser,
  MLModelId: (p) => p.record.MLModelId,
  DataSourceId: (p) => p.record.BatchPredictionDataSourceId,
  DataURI: (p) => p.record.InputDataLocationS3,
};
const DESCRIBE: DescribeSpec<StoredPrediction> = { fields: FILTERS, id: (p) => p.record.BatchPredictionId, createdAt: (p) => p.record.CreatedAt };

/**
 * The default life of a prediction, chosen from its model id so tests and demos can script outcomes
 * through the real API: a model id containing `fail` fails, one containing `partial` completes with
 * invalid records.
 */
function defaultScript(params: CreateParams, pendingTicks = 1): PredictionScript {
  const total = 1000 + (hash(params.BatchPredictionId) % 9000);
  const model = params.MLModelId.toLowerCase();
  if (model.includes('fail')) {
    return { pendingTicks, runningTicks: 3, outcome: 'FAILED', totalRecords: total, invalidRecords: total, message: 'The datasource schema does not match the MLModel schema.' };
  }
  if (model.includes('partial')) {
    return { pendingTicks, runningTicks: 3, outcome: 'COMPLETED', totalRecords: total, invalidRecords: Math.ceil(total / 20), message: null };
  }
  return { pendingTicks, runningTicks: 3, outcome: 'COMPLETED', totalRecords: total, invalidRecords: 0, message: null };
}

export interface PredictionStoreOptions {
  /** Clock in epoch ms, replaceable in tests. @default Date.now */
  now?: () => number;
  /** Picks a new prediction's life. @default defaultScript */
  scriptFor?: (params: CreateParams) => PredictionScript;
  /** Ticks a prediction created through the API stays PENDING at least (with `defaultScript`). @default 10 */
  pendingTicks?: number;
  /**
   * What a create with an existing id and the same parameters answers: the id again (`idempotent`,
   * what the error list implies), or `InvalidInputException` (`reject`), to test clients against both.
   * @default 'idempotent'
   */
  duplicateCreate?: 'idempotent' | 'reject';
}

export type PredictionStore = ReturnType<typeof createPredictionStore>;

/** An empty store; `tick()` advances it, the five operation methods throw `AwsFault`s as the service answers. */
export function createPredictionStore(catalog: Catalog, options: PredictionStoreOptions = {}) {
  const now = () => (options.now ?? Date.now)() / 1000;
  const pendingTicks = options.pendingTicks ?? 10;
  const scriptFor = options.scriptFor ?? ((params: CreateParams) => defaultScript(params, pendingTicks));
  const predictions = new Map<string, StoredPrediction>();

  const mustGet = (id: unknown): StoredPrediction => {
    const checked = requireId(id, 'BatchPredictionId');
    const found = predictions.get(checked);
    if (!found) throw notFound('BatchPrediction', checked);
    return found;
  };

  function insert(params: CreateParams, script: PredictionScript, createdAt = now()): StoredPrediction {
    const record: WireRecord = {
      BatchPredictionId: params.BatchPredictionId,
      MLModelId: params.MLModelId,
      BatchPredictionDataSourceId: params.BatchPredictionDataSourceId,
      InputDataLocationS3: `s3://batchgate-emulator-data/${params.BatchPredictionDataSourceId}.csv`,
      CreatedByIamUser: IAM_USER,
      CreatedAt: createdAt,
      LastUpdatedAt: createdAt,
      ...(params.BatchPredictionName ? { Name: params.BatchPredictionName } : {}),
      Status: 'PENDING',
      OutputUri: params.OutputUri,
    };
    const stored: StoredPrediction = { record, params, script, age: 0 };
    predictions.set(params.BatchPredictionId, stored);
    return stored;
  }

  /** One step of every live prediction's script. */
  function advance(stored: StoredPrediction): void {
    const { record, script } = stored;
    if (record.Status !== 'PENDING' && record.Status !== 'INPROGRESS') return;
    const at = now();
    if (record.Status === 'PENDING') {
      // Inserted directly (fixtures) a prediction may name no catalog entry: nothing to wait for.
      const inputs = [catalog.models.get(record.MLModelId), catalog.dataSources.get(record.BatchPredictionDataSourceId)];
      const failed = inputs.find((entry) => entry?.record.Status === 'FAILED' || entry?.record.Status === 'DELETED');
      if (failed) {
        Object.assign(record, { Status: 'FAILED', FinishedAt: at, LastUpdatedAt: at, Message: `The ${failed.id} this prediction uses is ${failed.record.Status}.` });
        return;
      }
      if (inputs.some((entry) => entry && entry.record.Status !== 'COMPLETED')) return;
    }
    stored.age += 1;
    if (record.Status === 'PENDING' && stored.age >= script.pendingTicks) {
      record.Status = 'INPROGRESS';
      record.StartedAt = at;
      record.LastUpdatedAt = at;
    } else if (record.Status === 'INPROGRESS' && stored.age >= script.pendingTicks + script.runningTicks) {
      record.Status = script.outcome;
      record.FinishedAt = at;
      record.LastUpdatedAt = at;
      record.TotalRecordCount = script.totalRecords;
      record.InvalidRecordCount = script.invalidRecords;
      if (script.outcome === 'COMPLETED') record.ComputeTime = Math.round(script.totalRecords * 1.7);
      if (script.message) record.Message = script.message;
    }
  }

  return {
    predictions,
    insert,
    /** Advances every live prediction one step. */
    tick(): void {
      for (const stored of predictions.values()) advance(stored);
    },

    create(input: Record<string, unknown>): { BatchPredictionId: string } {
      const params: CreateParams = {
        BatchPredictionId: requireId(input['BatchPredictionId'], 'BatchPredictionId'),
        BatchPredictionName: optionalString(input['BatchPredictionName'], 'BatchPredictionName'),
        MLModelId: requireId(input['MLModelId'], 'MLModelId'),
        BatchPredictionDataSourceId: requireId(input['BatchPredictionDataSourceId'], 'BatchPredictionDataSourceId'),
        OutputUri: requireString(input['OutputUri'], 'OutputUri'),
      };
      if (!/^s3:\/\/[^/]+/.test(params.OutputUri)) throw invalid('OutputUri must be an s3:// location');
      const existing = predictions.get(params.BatchPredictionId);
      if (existing && options.duplicateCreate === 'reject') throw invalid(`A BatchPrediction with id ${params.BatchPredictionId} already exists`);
      if (existing) {
        const same = (Object.keys(params) as Array<keyof CreateParams>).every((key) => existing.params[key] === params[key]);
        if (!same) {
          throw new AwsFault(400, 'IdempotentParameterMismatchException', `A BatchPrediction with id ${params.BatchPredictionId} already exists with other parameters`, 400);
        }
        return { BatchPredictionId: params.BatchPredictionId };
      }
      // CreateBatchPrediction documents no ResourceNotFoundException: what it refers to must exist.
      const model = catalog.models.get(params.MLModelId);
      if (!model || model.record.Status === 'DELETED') throw invalid(`No MLModel with id ${params.MLModelId} exists`);
      const source = catalog.dataSources.get(params.BatchPredictionDataSourceId);
      if (!source || source.record.Status === 'DELETED') throw invalid(`No DataSource with id ${params.BatchPredictionDataSourceId} exists`);
      insert(params, scriptFor(params));
      return { BatchPredictionId: params.BatchPredictionId };
    },

    get(input: Record<string, unknown>): WireRecord {
      return { ...mustGet(input['BatchPredictionId']).record };
    },

    update(input: Record<string, unknown>): { BatchPredictionId: string } {
      const stored = mustGet(input['BatchPredictionId']);
      const name = requireString(input['BatchPredictionName'], 'BatchPredictionName');
      stored.record.Name = name;
      stored.record.LastUpdatedAt = now();
      return { BatchPredictionId: stored.record.BatchPredictionId };
    },

    /** Deleting is irreversible and stops a running prediction; deleting again answers the same. */
    delete(input: Record<string, unknown>): { BatchPredictionId: string } {
      const stored = mustGet(input['BatchPredictionId']);
      if (stored.record.Status !== 'DELETED') {
        stored.record.Status = 'DELETED';
        stored.record.LastUpdatedAt = now();
      }
      return { BatchPredictionId: stored.record.BatchPredictionId };
    },

    describe(input: Record<string, unknown>): { Results: WireRecord[]; NextToken?: string } {
      const { page, nextToken } = describePage(predictions.values(), input, DESCRIBE);
      return { Results: page.map((stored) => ({ ...stored.record })), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
}
