/**
 * The emulator's Amazon ML state: batch predictions, their scripted lives (PENDING → INPROGRESS →
 * COMPLETED/FAILED, one step per tick), and the semantics of the five batch-prediction operations.
 * No HTTP here: `index.ts` decodes requests and encodes answers.
 */

export type EmulatedStatus = 'PENDING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'DELETED';

/** How one prediction lives. Ticks are counted from creation. */
export interface PredictionScript {
  /** Ticks spent PENDING. @default 1 */
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
  /** Insertion order: the last tie-breaker of every sort, so paging is stable. */
  seq: number;
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

/** An Amazon ML error answer. */
export class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** The numeric `code` member some exceptions carry. */
    readonly code: number | null = null,
  ) {
    super(message);
    this.name = 'AwsFault';
  }
}

const ID_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
const IAM_USER = 'arn:aws:iam::000000000000:user/batchgate-emulator';

const FILTER_FIELDS: Record<string, keyof WireRecord> = {
  CreatedAt: 'CreatedAt',
  LastUpdatedAt: 'LastUpdatedAt',
  Status: 'Status',
  Name: 'Name',
  IAMUser: 'CreatedByIamUser',
  MLModelId: 'MLModelId',
  DataSourceId: 'BatchPredictionDataSourceId',
  DataURI: 'InputDataLocationS3',
};
const OPERATORS = ['EQ', 'GT', 'LT', 'GE', 'LE', 'NE', 'Prefix'] as const;

type SortKey = [value: string | number | null, createdAt: number, seq: number];

/**
 * The default life of a prediction, chosen from its model id so tests and demos can script outcomes
 * through the real API: a model id containing `fail` fails, one containing `partial` completes with
 * invalid records.
 */
export function defaultScript(params: CreateParams): PredictionScript {
  const total = 1000 + (hash(params.BatchPredictionId) % 9000);
  const model = params.MLModelId.toLowerCase();
  if (model.includes('fail')) {
    return { pendingTicks: 1, runningTicks: 3, outcome: 'FAILED', totalRecords: total, invalidRecords: total, message: 'The datasource schema does not match the MLModel schema.' };
  }
  if (model.includes('partial')) {
    return { pendingTicks: 1, runningTicks: 3, outcome: 'COMPLETED', totalRecords: total, invalidRecords: Math.ceil(total / 20), message: null };
  }
  return { pendingTicks: 1, runningTicks: 3, outcome: 'COMPLETED', totalRecords: total, invalidRecords: 0, message: null };
}

export interface PredictionStoreOptions {
  /** Clock in epoch ms, replaceable in tests. @default Date.now */
  now?: () => number;
  /** Picks a new prediction's life. @default defaultScript */
  scriptFor?: (params: CreateParams) => PredictionScript;
}

export type PredictionStore = ReturnType<typeof createPredictionStore>;

/** An empty store; `tick()` advances it, the five operation methods throw `AwsFault`s as the service answers. */
export function createPredictionStore(options: PredictionStoreOptions = {}) {
  const now = () => (options.now ?? Date.now)() / 1000;
  const scriptFor = options.scriptFor ?? defaultScript;
  const predictions = new Map<string, StoredPrediction>();
  let seq = 0;

  const mustGet = (id: unknown): StoredPrediction => {
    const checked = requireId(id, 'BatchPredictionId');
    const found = predictions.get(checked);
    if (!found) throw new AwsFault(400, 'ResourceNotFoundException', `No BatchPrediction with id ${checked} exists`, 404);
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
    const stored: StoredPrediction = { record, params, script, age: 0, seq: seq++ };
    predictions.set(params.BatchPredictionId, stored);
    return stored;
  }

  /** One step of every live prediction's script. */
  function advance(stored: StoredPrediction): void {
    const { record, script } = stored;
    if (record.Status !== 'PENDING' && record.Status !== 'INPROGRESS') return;
    stored.age += 1;
    const at = now();
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
      if (existing) {
        const same = (Object.keys(params) as Array<keyof CreateParams>).every((key) => existing.params[key] === params[key]);
        if (!same) {
          throw new AwsFault(400, 'IdempotentParameterMismatchException', `A BatchPrediction with id ${params.BatchPredictionId} already exists with other parameters`, 400);
        }
        return { BatchPredictionId: params.BatchPredictionId };
      }
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
      const limit = input['Limit'] === undefined ? 100 : input['Limit'];
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('Limit must be an integer from 1 to 100');
      const sortOrder = input['SortOrder'] ?? 'asc';
      if (sortOrder !== 'asc' && sortOrder !== 'dsc') throw invalid('SortOrder must be asc or dsc');
      const variable = input['FilterVariable'];
      if (variable !== undefined && (typeof variable !== 'string' || !(variable in FILTER_FIELDS))) throw invalid(`Unknown FilterVariable ${String(variable)}`);
      const field = typeof variable === 'string' ? FILTER_FIELDS[variable] : undefined;
      const conditions = OPERATORS.filter((op) => input[op] !== undefined).map((op) => [op, requireString(input[op], op)] as const);
      if (conditions.length > 0 && !field) throw invalid('A filter operator needs a FilterVariable');

      const keyOf = (stored: StoredPrediction): SortKey => [field ? (stored.record[field] ?? null) : stored.record.CreatedAt, stored.record.CreatedAt, stored.seq];
      const direction = sortOrder === 'asc' ? 1 : -1;
      const after = input['NextToken'] === undefined ? null : decodeToken(input['NextToken']);
      const matching = [...predictions.values()]
        .filter((stored) => conditions.every(([op, value]) => matches(field ? stored.record[field] : undefined, op, value)))
        .map((stored) => ({ stored, key: keyOf(stored) }))
        .filter(({ key }) => !after || compareKeys(key, after) * direction > 0)
        .sort((a, b) => compareKeys(a.key, b.key) * direction);
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      return {
        Results: page.map(({ stored }) => ({ ...stored.record })),
        ...(matching.length > limit && last ? { NextToken: encodeToken(last.key) } : {}),
      };
    },
  };
}

function matches(actual: unknown, op: (typeof OPERATORS)[number], wanted: string): boolean {
  if (actual === undefined || actual === null) return op === 'NE';
  // Dates filter by epoch seconds or by an ISO date; other fields compare as strings.
  const comparable = typeof actual === 'number' ? actual : String(actual);
  const target = typeof actual === 'number' ? (/^\d+(\.\d+)?$/.test(wanted) ? Number(wanted) : Date.parse(wanted) / 1000) : wanted;
  switch (op) {
    case 'EQ':
      return comparable === target;
    case 'NE':
      return comparable !== target;
    case 'GT':
      return comparable > target;
    case 'GE':
      return comparable >= target;
    case 'LT':
      return comparable < target;
    case 'LE':
      return comparable <= target;
    case 'Prefix':
      return String(actual).startsWith(wanted);
    default: {
      const exhaustive: never = op;
      throw new Error(`Unknown operator ${String(exhaustive)}`);
    }
  }
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function encodeToken(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(token: unknown): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 3 && typeof key[1] === 'number' && typeof key[2] === 'number') return key as SortKey;
  } catch {
    // fall through to the service's answer for a token it did not issue
  }
  throw invalid('Invalid NextToken');
}

function invalid(message: string): AwsFault {
  return new AwsFault(400, 'InvalidInputException', message, 400);
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} is required and must be a string`);
  return value;
}

function optionalString(value: unknown, name: string): string | null {
  return value === undefined || value === null ? null : requireString(value, name);
}

function requireId(value: unknown, name: string): string {
  const id = requireString(value, name);
  if (!ID_PATTERN.test(id)) throw invalid(`${name} must match [a-zA-Z0-9_.-]+ and be at most 64 characters`);
  return id;
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h;
}
