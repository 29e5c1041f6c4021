import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlStartInput, KINDS, START_BATCH, startEmulatorSet, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';
import { isStartRequest } from './utils/start-requests.js';

/** `startBatch` with an idempotencyKey starts one batch upstream, however often and however concurrently it is sent. */

let emulators: EmulatorSet;
let storePath: string;

beforeAll(async () => {
  emulators = await startEmulatorSet({ tickMs: 60_000 });
  storePath = mkdtempSync(join(tmpdir(), 'batchgate-idem-'));
});

afterAll(async () => {
  await emulators?.close();
  if (storePath) rmSync(storePath, { recursive: true, force: true });
});

const start = (url: string, kind: (typeof KINDS)[number], idempotencyKey: string, extra: Record<string, unknown> = {}) =>
  postGraphQL(url, START_BATCH, { input: { backend: kind, idempotencyKey, ...graphqlStartInput(emulators.modules[kind]), ...extra } });
const starts = (kind: (typeof KINDS)[number]) => emulators.byKind[kind].http.count(isStartRequest[kind]);

describe.each(KINDS)('startBatch on %s with an idempotencyKey', (kind) => {
  it('starts one batch when the same key is sent twice in a row, then ten times at once, and again after a restart', async () => {
    const before = starts(kind);
    const key = `key-${kind}-${Date.now()}`;
    const gw = await startTestGateway({ backends: emulators.entries, store: { path: storePath } }, { fastFaults: true });
    let id: string;
    try {
      const first = await start(gw.url, kind, key);
      id = first.body.data?.startBatch.batch.id;
      expect(first.body.errors).toBeUndefined();
      const second = await start(gw.url, kind, key);
      expect(second.body.data?.startBatch.batch.id).toBe(id);
      expect(starts(kind) - before).toBe(1);

      const concurrentKey = `${key}-concurrent`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => start(gw.url, kind, concurrentKey)));
      const ids = new Set(answers.map((answer) => answer.body.data?.startBatch.batch.id));
      expect(answers.flatMap((answer) => answer.body.errors ?? [])).toEqual([]);
      expect(ids.size).toBe(1);
      expect(ids.has(id)).toBe(false);
      expect(starts(kind) - before).toBe(2);
    } finally {
      await gw.close();
    }
    // The key is durable: a new gateway on the same store answers the same batch.
    const restarted = await startTestGateway({ backends: emulators.entries, store: { path: storePath } }, { fastFaults: true });
    try {
      const again = await start(restarted.url, kind, key);
      expect(again.body.data?.startBatch.batch.id).toBe(id);
      expect(starts(kind) - before).toBe(2);
    } finally {
      await restarted.close();
    }
  });

  it('refuses the same key with a different input as BAD_USER_INPUT, starting nothing', async () => {
    const gw = await startTestGateway({ backends: emulators.entries, store: { path: storePath } }, { fastFaults: true });
    try {
      const key = `mismatch-${kind}-${Date.now()}`;
      expect((await start(gw.url, kind, key)).body.errors).toBeUndefined();
      const before = starts(kind);
      const other = graphqlStartInput(emulators.modules[kind]);
      // The same input with its first text field changed.
      const changed = JSON.parse(JSON.stringify(other).replace(/:"([^"]+)"/, ':"$1-other"')) as Record<string, unknown>;
      expect(changed).not.toEqual(other);
      const refused = await start(gw.url, kind, key, changed);
      expect(refused.body.errors?.map((error) => [error.extensions?.['code'], error.extensions?.['backend']])).toEqual([['BAD_USER_INPUT', kind]]);
      expect(starts(kind)).toBe(before);
    } finally {
      await gw.close();
    }
  });
});
