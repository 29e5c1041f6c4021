import type { RecordedRequest } from '../emulator-kit/index.js';
import type { AwsMlStartInput } from './wire.js';

/** A start input for the emulator's always-present sample model and data source. */
export const testStartInput = (overrides: Partial<AwsMlStartInput> = {}): AwsMlStartInput => ({
  kind: 'awsml',
  mlModelId: 'ml-sample-model',
  dataSourceId: 'ds-sample',
  outputUri: 's3://bucket/out/',
  name: null,
  batchPredictionId: null,
  ...overrides,
});

/** Matches the emulator's recorded requests for one Amazon ML operation. */
export const isOperation = (operation: string) => (request: RecordedRequest) => request.headers['x-amz-target'] === `AmazonML_20141212.${operation}`;
