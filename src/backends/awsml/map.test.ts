import { describe, expect, it } from 'vitest';
import { batchPredictionSchema, mapBatchPrediction, statusForState, toDate } from './map.js';

// Every field of the GetBatchPrediction response in seed 003, with plausible values.
const seedRecord = {
  BatchPredictionId: 'bp-seed',
  MLModelId: 'ml-1',
  BatchPredictionDataSourceId: 'ds-1',
  InputDataLocationS3: 's3://in/data.csv',
  CreatedByIamUser: 'arn:aws:iam::123456789012:user/alice',
  CreatedAt: 1420070400.25,
  LastUpdatedAt: 1420074000,
  Name: 'seed prediction',
  Status: 'COMPLETED',
  OutputUri: 's3://out/',
  LogUri: 'https://logs.example/bp-seed?X-Amz-Signature=abc',
  Message: 'done',
  ComputeTime: 1234,
  FinishedAt: 1420073000.5,
  StartedAt: 1420070500,
  TotalRecordCount: 200,
  InvalidRecordCount: 0,
};

const map = (record: Record<string, unknown>, source: 'get' | 'describe' = 'get') =>
  mapBatchPrediction(batchPredictionSchema.parse(record), { backendId: 'aws', source });

describe('mapping Amazon ML batch predictions', () => {
  it('keeps every field of the seed record in the execution response body', () => {
    const batch = map({ ...seedRecord, SomeNewField: 'kept too' });
    expect(batch.executions).toHaveLength(1);
    expect(batch.executions[0]!.response).toEqual({ statusCode: 200, headers: null, body: { ...seedRecord, SomeNewField: 'kept too' } });
    expect(batch).toMatchObject({ backendId: 'aws', nativeId: 'bp-seed', name: 'seed prediction', state: 'SUCCEEDED', nativeStatus: 'COMPLETED', error: null });
  });

  it('turns fractional epoch seconds into dates', () => {
    const batch = map(seedRecord);
    expect(batch.createdAt?.toISOString()).toBe('2015-01-01T00:00:00.250Z');
    expect(batch.startedAt?.toISOString()).toBe('2015-01-01T00:01:40.000Z');
    expect(batch.finishedAt?.toISOString()).toBe('2015-01-01T00:43:20.500Z');
    expect(toDate('2015-01-01T00:00:00Z')?.getTime()).toBe(1420070400000);
    expect(toDate(null)).toBeNull();
  });

  it.each([
    ['PENDING', 'QUEUED'],
    ['INPROGRESS', 'RUNNING'],
    ['COMPLETED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
    ['DELETED', 'CANCELLED'],
    ['inprogress', 'RUNNING'],
  ])('maps status %s to %s and keeps the native word', (status, state) => {
    const batch = map({ BatchPredictionId: 'x', Status: status });
    expect({ state: batch.state, nativeStatus: batch.nativeStatus, execution: batch.executions[0]!.state }).toEqual({ state, nativeStatus: status, execution: state });
  });

  it('rejects a status Amazon ML does not document', () => {
    expect(batchPredictionSchema.safeParse({ BatchPredictionId: 'x', Status: 'PAUSED' }).success).toBe(false);
  });

  it('knows the record counts only once completed and the percent only at 100', () => {
    expect(map({ BatchPredictionId: 'x', Status: 'INPROGRESS' }).progress).toEqual({
      percent: null,
      completedItems: null,
      totalItems: null,
      failedItems: null,
      message: null,
    });
    expect(map({ ...seedRecord, InvalidRecordCount: 7 }).progress).toEqual({ percent: 100, completedItems: 200, totalItems: 200, failedItems: 7, message: 'done' });
  });

  it('reports a failed prediction with its message, a 500 response and an error step', () => {
    const batch = map({ ...seedRecord, Status: 'FAILED', Message: 'schema mismatch' });
    expect(batch.error).toEqual({ code: null, message: 'schema mismatch' });
    expect(batch.executions[0]!.response?.statusCode).toBe(500);
    expect(batch.executions[0]!.steps).toMatchObject([{ status: 'ERROR', errorCount: 1, messages: [{ severity: 'ERROR', text: 'schema mismatch' }] }]);
  });

  it('shows invalid records of a completed prediction as a warning step', () => {
    const batch = map({ ...seedRecord, InvalidRecordCount: 3, Message: undefined });
    expect(batch.executions[0]!.steps).toMatchObject([{ status: 'WARNING', warningCount: 1, messages: [{ severity: 'WARNING', text: '3 of 200 records were invalid' }] }]);
  });

  it('lists the log as an external artifact from Get and leaves Describe results to be asked', () => {
    expect(map(seedRecord).executions[0]!.artifacts).toEqual([{ name: 'log', externalUrl: seedRecord.LogUri }]);
    expect(map({ ...seedRecord, LogUri: undefined }).executions[0]!.artifacts).toEqual([]);
    expect(map(seedRecord, 'describe').executions[0]!.artifacts).toBeUndefined();
  });

  it('has no native status for CANCELLING', () => {
    expect(statusForState('CANCELLING')).toBeNull();
    expect(statusForState('CANCELLED')).toBe('DELETED');
  });
});
