import { describe, expect, it } from 'vitest';
import { mapBatch, mapState, parseNativeId } from './map.js';
import type { BatchResult } from './wire.js';

const ref = { service: 'TxService', version: '1.0', executionId: '10bebedb-9ee7-420d-ace3-71e3f194a6f5' };
const noTimes = { createdAt: null, startedAt: null, finishedAt: null };
const item = (success: boolean, extra: Record<string, unknown> = {}) => ({
  success,
  errorMessage: success ? '' : 'ValueError: bad input',
  consoleOutput: '',
  changedFiles: success ? ['answer.csv'] : [],
  outputParameters: success ? { answer: 0.5 } : {},
  outputFiles: {},
  ...extra,
});

describe('mapState', () => {
  it('maps every documented state word whatever its case', () => {
    expect(['Pending', 'pending', 'Ready', 'ready'].map(mapState)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUEUED']);
    expect(['InProgress', 'inProgress', 'INPROGRESS'].map(mapState)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(['Complete', 'complete'].map(mapState)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(['Failed', 'failed'].map(mapState)).toEqual(['FAILED', 'FAILED']);
  });

  it('maps failure and cancel variants, with spaces, underscores or dashes', () => {
    expect(['Error', 'Faulted', 'Aborted', 'failure'].map(mapState)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(['Canceled', 'Cancelled', 'CANCELLED'].map(mapState)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(['Cancelling', 'Canceling', 'cancel_requested'].map(mapState)).toEqual(['CANCELLING', 'CANCELLING', 'CANCELLING']);
    expect(['In Progress', 'in_progress', 'not-started', 'Completed', 'Succeeded'].map(mapState)).toEqual(['RUNNING', 'RUNNING', 'QUEUED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('keeps polling a state word it does not know', () => {
    expect(mapState('Paused')).toBe('RUNNING');
  });
});

describe('parseNativeId', () => {
  it('splits service, version and execution id', () => {
    expect(parseNativeId('TxService/1.0/abc')).toEqual({ service: 'TxService', version: '1.0', executionId: 'abc' });
  });

  it('rejects ids without exactly three non-empty segments', () => {
    expect([parseNativeId('abc'), parseNativeId('a/b'), parseNativeId('a//c'), parseNativeId('a/b/c/d')]).toEqual([null, null, null, null]);
  });
});

describe('mapBatch', () => {
  it('computes progress from the item counts and counts failed items', () => {
    const result: BatchResult = {
      state: 'InProgress',
      completedItemCount: 2,
      totalItemCount: 8,
      batchExecutionResults: [item(true), item(false)],
    };
    const batch = mapBatch('ml', ref, result, noTimes);
    expect(batch.progress).toEqual({ percent: 25, completedItems: 2, totalItems: 8, failedItems: 1, message: '1 of 8 items failed' });
    expect(batch.state).toBe('RUNNING');
    expect(batch.nativeStatus).toBe('InProgress');
    expect(batch.nativeId).toBe('TxService/1.0/10bebedb-9ee7-420d-ace3-71e3f194a6f5');
    expect(batch.name).toBe('TxService 1.0');
    expect(batch.error).toBeNull();
  });

  it('makes one execution per result with the item wrapped in an HTTP-like envelope', () => {
    const result: BatchResult = { state: 'Complete', completedItemCount: 2, totalItemCount: 2, batchExecutionResults: [item(true), item(false)] };
    const [first, second] = mapBatch('ml', ref, result, noTimes).executions;
    expect(first).toEqual({
      index: 0,
      state: 'SUCCEEDED',
      response: {
        statusCode: 200,
        headers: null,
        body: { outputParameters: { answer: 0.5 }, consoleOutput: '', errorMessage: '', changedFiles: ['answer.csv'], outputFiles: {} },
      },
      steps: [],
    });
    expect(first!.artifacts).toBeUndefined();
    expect({ index: second!.index, state: second!.state, statusCode: second!.response!.statusCode }).toEqual({ index: 1, state: 'FAILED', statusCode: 500 });
  });

  it('fills absent item fields with empty values and maps padded null entries as running', () => {
    const result: BatchResult = {
      state: 'InProgress',
      completedItemCount: 1,
      totalItemCount: 3,
      batchExecutionResults: [{ success: true }, null],
    };
    const executions = mapBatch('ml', ref, result, noTimes).executions;
    expect(executions[0]!.response!.body).toEqual({ outputParameters: {}, consoleOutput: '', errorMessage: '', changedFiles: [], outputFiles: {} });
    expect(executions[1]).toEqual({ index: 1, state: 'RUNNING', response: null, steps: [] });
  });

  it('reports the first item error when the batch failed', () => {
    const result: BatchResult = { state: 'Failed', completedItemCount: 1, totalItemCount: 1, batchExecutionResults: [item(false)] };
    expect(mapBatch('ml', ref, result, noTimes).error).toEqual({ code: 'Failed', message: 'ValueError: bad input' });
  });

  it('leaves percent unknown for an empty batch and executions empty without results', () => {
    const batch = mapBatch('ml', ref, { state: 'Pending', completedItemCount: 0, totalItemCount: 0 }, noTimes);
    expect(batch.progress.percent).toBeNull();
    expect(batch.executions).toEqual([]);
    expect(batch.state).toBe('QUEUED');
  });

  it('passes the observed times through', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const batch = mapBatch('ml', ref, { state: 'Complete', completedItemCount: 0, totalItemCount: 0 }, { createdAt: at, startedAt: at, finishedAt: at });
    expect([batch.createdAt, batch.startedAt, batch.finishedAt]).toEqual([at, at, at]);
  });
});
