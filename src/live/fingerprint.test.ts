import { describe, expect, it } from 'vitest';
import { batchResultSchema } from '../backends/azureml/wire.js';
import { mapBatch } from '../backends/azureml/map.js';
import { deriveSource, recordSource } from '../core/source-digest.js';
import type { Batch } from '../core/model.js';
import { fingerprint } from './fingerprint.js';

const ref = { service: 'Tx', version: '1.0', executionId: 'e1' };
const times = { createdAt: null, startedAt: null, finishedAt: null };
const body = (completed: number, consoleOutput = 'ok') =>
  JSON.stringify({
    state: 'InProgress',
    completedItemCount: completed,
    totalItemCount: 3,
    batchExecutionResults: Array.from({ length: completed }, () => ({ success: true, consoleOutput, outputParameters: {} })),
  });

/** A batch as the connector maps it: executions tied to the body they came from. */
function mapped(text: string): Batch {
  const result = recordSource(batchResultSchema.parse(JSON.parse(text)), text);
  const batch = mapBatch('mls', ref, result, times);
  deriveSource(batch.executions, result);
  return batch;
}

/** The same batch with no recorded source: every field serialised. */
const plain = (text: string): Batch => mapBatch('mls', ref, batchResultSchema.parse(JSON.parse(text)), times);

describe('fingerprint', () => {
  it('is equal for two reads of the same body and differs when any result changes', () => {
    expect(fingerprint(mapped(body(2)))).toBe(fingerprint(mapped(body(2))));
    expect(fingerprint(mapped(body(2)))).not.toBe(fingerprint(mapped(body(3))));
    // Same counts, one result's text differs: only the body digest can tell.
    expect(fingerprint(mapped(body(2, 'ok')))).not.toBe(fingerprint(mapped(body(2, 'changed'))));
    expect(fingerprint(plain(body(2, 'ok')))).not.toBe(fingerprint(plain(body(2, 'changed'))));
  });

  it('still sees changes made by the gateway on top of the body (a rename, observed times)', () => {
    const batch = mapped(body(2));
    expect(fingerprint({ ...batch, name: 'renamed' })).not.toBe(fingerprint(batch));
    expect(fingerprint({ ...batch, startedAt: new Date(0) })).not.toBe(fingerprint(batch));
    // A copy that keeps the executions array keeps their digest.
    expect(fingerprint({ ...batch })).toBe(fingerprint(batch));
  });
});
