import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsMlEmulator, type AwsMlEmulatorHandle } from './emulator/index.js';

/**
 * boto3, a client nobody here wrote, against the emulator: if Python's AWS SDK runs the whole
 * data source → model → batch prediction path unchanged, so would other clients of the service.
 */

const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const SCRIPT = `
import json, os, boto3
ml = boto3.client('machinelearning', endpoint_url=os.environ['ML_ENDPOINT'], region_name=os.environ['ML_REGION'],
                  aws_access_key_id=os.environ['ML_KEY'], aws_secret_access_key=os.environ['ML_SECRET'])
ml.create_data_source_from_s3(DataSourceId='py-ds', DataSourceName='rows',
                              DataSpec={'DataLocationS3': 's3://bucket/rows.csv', 'DataSchemaLocationS3': 's3://bucket/rows.schema'})
ml.create_ml_model(MLModelId='py-model', MLModelName='py model', MLModelType='BINARY', TrainingDataSourceId='py-ds')
created = ml.create_batch_prediction(BatchPredictionId='py-bp', BatchPredictionName='from boto3', MLModelId='py-model',
                                     BatchPredictionDataSourceId='py-ds', OutputUri='s3://bucket/out/')
described = ml.describe_batch_predictions(FilterVariable='MLModelId', EQ='py-model', SortOrder='dsc')
try:
    ml.create_batch_prediction(BatchPredictionId='py-missing', MLModelId='py-nowhere', BatchPredictionDataSourceId='py-ds', OutputUri='s3://bucket/out/')
    missing = 'created'
except ml.exceptions.InvalidInputException as error:
    missing = error.response['Error']['Code']
print(json.dumps({
    'created': created['BatchPredictionId'],
    'described': [(r['BatchPredictionId'], r['Status'], r['Name']) for r in described['Results']],
    'model': ml.get_ml_model(MLModelId='py-model')['TrainingDataSourceId'],
    'dataSource': ml.get_data_source(DataSourceId='py-ds')['DataLocationS3'],
    'missing': missing,
}))
`;

describe.skipIf(!hasBoto3)('boto3 against the Amazon ML emulator', () => {
  let emulator: AwsMlEmulatorHandle;
  beforeAll(async () => {
    emulator = await startAwsMlEmulator({ tickMs: 60_000 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('creates a data source, a model and a batch prediction, describes it, and is refused a missing model', async () => {
    const { stdout } = await promisify(execFile)('python3', ['-c', SCRIPT], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ML_ENDPOINT: emulator.url,
        ML_REGION: emulator.region,
        ML_KEY: emulator.accessKeyId,
        ML_SECRET: String(emulator.connection['secretAccessKey']),
        // Nothing from this machine's AWS setup may leak in.
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      created: 'py-bp',
      described: [['py-bp', 'PENDING', 'from boto3']],
      model: 'py-ds',
      dataSource: 's3://bucket/rows.csv',
      missing: 'InvalidInputException',
    });
    expect(emulator.rejections).toBe(0);
  });
});
