import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from './utils/memory-backend.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

/** Relay connections: any `Edge.cursor` is a valid `after`; `pageInfo` carries the first and last edge's cursors. */

const LIST = 'query($first: Int, $after: String) { batches(first: $first, after: $after) { edges { cursor node { nativeId } } pageInfo { hasNextPage startCursor endCursor } } }';
let gateway: TestGateway;

beforeAll(async () => {
  const alpha = createMemoryBackend('alpha');
  const beta = createMemoryBackend('beta', { kind: 'awsml' });
  for (let i = 0; i < 5; i++) alpha.put(`a${i}`, 'RUNNING');
  for (let i = 0; i < 4; i++) beta.put(`b${i}`, 'SUCCEEDED');
  gateway = await startTestGateway({}, { backends: [alpha, beta] });
});

afterAll(async () => {
  await gateway?.close();
});

async function list(first: number, after: string | null = null) {
  const { body } = await postGraphQL(gateway.url, LIST, { first, after });
  expect(body.errors).toBeUndefined();
  return body.data.batches as { edges: Array<{ cursor: string; node: { nativeId: string } }>; pageInfo: { hasNextPage: boolean; startCursor: string | null; endCursor: string | null } };
}

describe('batches', () => {
  it('continues right after any edge whose cursor is passed as after, across backends', async () => {
    const all = await list(100);
    const ids = all.edges.map((edge) => edge.node.nativeId);
    expect(ids).toEqual(['a4', 'a3', 'a2', 'a1', 'a0', 'b3', 'b2', 'b1', 'b0']);
    for (const [index, edge] of all.edges.entries()) {
      const rest = await list(3, edge.cursor);
      expect(rest.edges.map((next) => next.node.nativeId), `after ${ids[index]}`).toEqual(ids.slice(index + 1, index + 4));
    }
  });

  it('fills startCursor and endCursor with the first and last edge cursors, and pages through by endCursor', async () => {
    const page = await list(2);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges[1]?.cursor);
    const seen: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 10; round++) {
      const next = await list(2, after);
      seen.push(...next.edges.map((edge) => edge.node.nativeId));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(seen).toEqual(['a4', 'a3', 'a2', 'a1', 'a0', 'b3', 'b2', 'b1', 'b0']);
  });
});
