import { describePage, type DescribeSpec } from './describe.js';
import { AwsFault, IAM_USER, hash, invalid, notFound, optionalString, requireId, requireString } from './input.js';

/**
 * The emulator's ML models and data sources: what a batch prediction refers to. Created through
 * CreateDataSourceFromS3 and CreateMLModel, they live PENDING → INPROGRESS → COMPLETED on ticks
 * (seeded ones are COMPLETED at once); Get and Describe answer them as the service does.
 */

type EntityStatus = 'PENDING' | 'INPROGRESS' | 'COMPLETED' | 'FAILED' | 'DELETED';

/** A stored model or data source: its wire record and how many ticks it lived. */
export interface CatalogEntry {
  id: string;
  record: Record<string, unknown> & { Status: EntityStatus; CreatedAt: number; LastUpdatedAt: number };
  /** The create request's members, to tell a repeated create from a different one. */
  params: string;
  age: number;
}

/** Ticks an entity created through the API spends PENDING, then INPROGRESS. */
const PENDING_TICKS = 1;
const RUNNING_TICKS = 2;
const MODEL_TYPES = ['REGRESSION', 'BINARY', 'MULTICLASS'];

const common = (entry: CatalogEntry) => ({
  CreatedAt: entry.record.CreatedAt,
  LastUpdatedAt: entry.record.LastUpdatedAt,
  Status: entry.record.Status,
  Name: typeof entry.record['Name'] === 'string' ? entry.record['Name'] : undefined,
  IAMUser: IAM_USER,
});
const field = (name: string) => (entry: CatalogEntry) => {
  const value = entry.record[name];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
};
const spec = (fields: DescribeSpec<CatalogEntry>['fields']): DescribeSpec<CatalogEntry> => ({ fields, id: (entry) => entry.id, createdAt: (entry) => entry.record.CreatedAt });

const DATA_SOURCE_FIELDS = spec({
  CreatedAt: (e) => common(e).CreatedAt,
  LastUpdatedAt: (e) => common(e).LastUpdatedAt,
  Status: (e) => common(e).Status,
  Name: (e) => common(e).Name,
  DataLocationS3: field('DataLocationS3'),
  IAMUser: () => IAM_USER,
});
const MODEL_FIELDS = spec({
  CreatedAt: (e) => common(e).CreatedAt,
  LastUpdatedAt: (e) => common(e).LastUpdatedAt,
  Status: (e) => common(e).Status,
  Name: (e) => common(e).Name,
  IAMUser: () => IAM_USER,
  TrainingDataSourceId: field('TrainingDataSourceId'),
  RealtimeEndpointStatus: () => 'NONE',
  MLModelType: field('MLModelType'),
  Algorithm: () => 'sgd',
  TrainingDataURI: field('InputDataLocationS3'),
});

export type Catalog = ReturnType<typeof createCatalog>;

export function createCatalog(now: () => number) {
  const dataSources = new Map<string, CatalogEntry>();
  const models = new Map<string, CatalogEntry>();

  function add(map: Map<string, CatalogEntry>, id: string, params: string, record: Record<string, unknown>, completed: boolean): string {
    const existing = map.get(id);
    if (existing) {
      if (existing.params !== params) throw new AwsFault(400, 'IdempotentParameterMismatchException', `An entity with id ${id} already exists with other parameters`, 400);
      return id;
    }
    const at = now();
    const entry: CatalogEntry = { id, params, age: 0, record: { ...record, CreatedByIamUser: IAM_USER, CreatedAt: at, LastUpdatedAt: at, Status: 'PENDING' } };
    map.set(id, entry);
    if (completed) finish(entry, at);
    return id;
  }

  function finish(entry: CatalogEntry, at: number): void {
    Object.assign(entry.record, { Status: 'COMPLETED', StartedAt: entry.record['StartedAt'] ?? at, FinishedAt: at, LastUpdatedAt: at, ComputeTime: 1000 + (hash(entry.id) % 60_000) });
  }

  function advance(entry: CatalogEntry): void {
    const { record } = entry;
    if (record.Status !== 'PENDING' && record.Status !== 'INPROGRESS') return;
    entry.age += 1;
    const at = now();
    if (record.Status === 'PENDING' && entry.age >= PENDING_TICKS) Object.assign(record, { Status: 'INPROGRESS', StartedAt: at, LastUpdatedAt: at });
    else if (record.Status === 'INPROGRESS' && entry.age >= PENDING_TICKS + RUNNING_TICKS) finish(entry, at);
  }

  const mustGet = (map: Map<string, CatalogEntry>, entity: string, id: unknown): CatalogEntry => {
    const checked = requireId(id, `${entity}Id`);
    const found = map.get(checked);
    if (!found) throw notFound(entity, checked);
    return found;
  };

  function createDataSource(input: Record<string, unknown>, completed = false): { DataSourceId: string } {
    const id = requireId(input['DataSourceId'], 'DataSourceId');
    const name = optionalString(input['DataSourceName'], 'DataSourceName');
    const spec = input['DataSpec'];
    if (!spec || typeof spec !== 'object') throw invalid('DataSpec is required');
    const { DataLocationS3, DataSchema, DataSchemaLocationS3, DataRearrangement } = spec as Record<string, unknown>;
    const location = requireString(DataLocationS3, 'DataSpec.DataLocationS3');
    if (!/^s3:\/\/[^/]+/.test(location)) throw invalid('DataSpec.DataLocationS3 must be an s3:// location');
    if (DataSchema === undefined && DataSchemaLocationS3 === undefined) throw invalid('You must provide either the DataSchema or the DataSchemaLocationS3');
    const record = {
      DataSourceId: id,
      DataLocationS3: location,
      ...(typeof DataRearrangement === 'string' ? { DataRearrangement } : {}),
      ...(name ? { Name: name } : {}),
      DataSizeInBytes: 10_000 + (hash(id) % 1_000_000),
      NumberOfFiles: 1,
      ComputeStatistics: input['ComputeStatistics'] === true,
      ...(typeof DataSchema === 'string' ? { DataSourceSchema: DataSchema } : {}),
    };
    return { DataSourceId: add(dataSources, id, JSON.stringify([name, spec, input['ComputeStatistics'] ?? null]), record, completed) };
  }

  function createModel(input: Record<string, unknown>, completed = false): { MLModelId: string } {
    const id = requireId(input['MLModelId'], 'MLModelId');
    const name = optionalString(input['MLModelName'], 'MLModelName');
    const type = requireString(input['MLModelType'], 'MLModelType');
    if (!MODEL_TYPES.includes(type)) throw invalid(`MLModelType must be one of ${MODEL_TYPES.join(', ')}`);
    const trainingId = requireId(input['TrainingDataSourceId'], 'TrainingDataSourceId');
    const training = dataSources.get(trainingId);
    // CreateMLModel documents no ResourceNotFoundException: a missing data source is bad input.
    if (!training || training.record.Status === 'DELETED') throw invalid(`No DataSource with id ${trainingId} exists`);
    const record = {
      MLModelId: id,
      TrainingDataSourceId: trainingId,
      ...(name ? { Name: name } : {}),
      MLModelType: type,
      InputDataLocationS3: training.record['DataLocationS3'],
      TrainingParameters: { 'sgd.maxPasses': '10', 'sgd.shuffleType': 'auto', ...((input['Parameters'] as Record<string, string> | undefined) ?? {}) },
      EndpointInfo: { PeakRequestsPerSecond: 0, EndpointStatus: 'NONE' },
      SizeInBytes: 50_000 + (hash(id) % 500_000),
      ...(type === 'BINARY' ? { ScoreThreshold: 0.5 } : {}),
      ...(typeof input['Recipe'] === 'string' ? { Recipe: input['Recipe'] } : {}),
    };
    const params = JSON.stringify([name, type, trainingId, input['Parameters'] ?? null, input['Recipe'] ?? null, input['RecipeUri'] ?? null]);
    return { MLModelId: add(models, id, params, record, completed) };
  }

  /** Without `Verbose`, Get leaves out the schema and recipe, as the service does. */
  const terse = (record: Record<string, unknown>, verbose: unknown, heavy: string[]) =>
    verbose === true ? { ...record } : Object.fromEntries(Object.entries(record).filter(([key]) => !heavy.includes(key)));

  return {
    dataSources,
    models,
    createDataSource,
    createModel,
    /** A COMPLETED data source and a COMPLETED BINARY model trained on it (fixtures and the demo). */
    seed(modelId: string, dataSourceId: string): void {
      if (!dataSources.has(dataSourceId)) {
        createDataSource({ DataSourceId: dataSourceId, DataSourceName: dataSourceId, DataSpec: { DataLocationS3: `s3://batchgate-emulator-data/${dataSourceId}.csv`, DataSchemaLocationS3: `s3://batchgate-emulator-data/${dataSourceId}.schema` } }, true);
      }
      if (!models.has(modelId)) createModel({ MLModelId: modelId, MLModelName: modelId, MLModelType: 'BINARY', TrainingDataSourceId: dataSourceId }, true);
    },
    tick(): void {
      for (const entry of dataSources.values()) advance(entry);
      for (const entry of models.values()) advance(entry);
    },
    getDataSource: (input: Record<string, unknown>) => terse(mustGet(dataSources, 'DataSource', input['DataSourceId']).record, input['Verbose'], ['DataSourceSchema']),
    getModel: (input: Record<string, unknown>) => terse(mustGet(models, 'MLModel', input['MLModelId']).record, input['Verbose'], ['Recipe', 'Schema']),
    describeDataSources(input: Record<string, unknown>) {
      const { page, nextToken } = describePage(dataSources.values(), input, DATA_SOURCE_FIELDS);
      return { Results: page.map((entry) => terse(entry.record, false, ['DataSourceSchema'])), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    describeModels(input: Record<string, unknown>) {
      const { page, nextToken } = describePage(models.values(), input, MODEL_FIELDS);
      return { Results: page.map((entry) => terse(entry.record, false, ['Recipe', 'Schema'])), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
}
