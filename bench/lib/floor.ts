import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttp } from './http.js';

/**
 * What the floor servers (`bare-graphql.ts`, `yoga-floor.ts`) answer: `batch(id)` from one upstream
 * GET per query (`cold`) or from a fixed object (`hot`), with no framework of ours in between.
 */
export interface FloorOptions {
  upstream: string;
  authorization: string;
  mode: 'hot' | 'cold';
}

export const FLOOR_SDL = `
  type Progress { completedItems: Int totalItems: Int percent: Float }
  type Batch { id: ID! state: String! progress: Progress! }
  type Query { batch(id: ID!): Batch }
`;

interface FloorBatch {
  id: string;
  state: string;
  progress: { completedItems: number; totalItems: number; percent: number | null };
}

const FIXED = { state: 'Complete', completedItemCount: 4, totalItemCount: 4 };

/** Reads the floor's argument (JSON in argv[2]) and answers its `batch(id)` resolver. */
export function floorBatchResolver(): { options: FloorOptions; batch: (id: string) => Promise<FloorBatch>; close: () => void } {
  const options = JSON.parse(process.argv[2] ?? '{}') as FloorOptions;
  const upstream = createHttp(64);
  const getJson = async (url: string): Promise<Record<string, unknown>> =>
    JSON.parse((await upstream.send(url, { headers: { authorization: options.authorization } })).body) as Record<string, unknown>;
  const toBatch = (id: string, body: Record<string, unknown>): FloorBatch => {
    const completed = Number(body['completedItemCount']);
    const total = Number(body['totalItemCount']);
    return { id, state: String(body['state']), progress: { completedItems: completed, totalItems: total, percent: total > 0 ? (completed / total) * 100 : null } };
  };
  return {
    options,
    batch: async (id) => toBatch(id, options.mode === 'cold' ? await getJson(options.upstream) : FIXED),
    close: () => upstream.close(),
  };
}

/** Serves a floor on a free loopback port, prints `<name> at <url>`, and stops on SIGTERM. */
export function serveFloor(name: string, listener: RequestListener, close: () => void): void {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1', () => {
    console.log(`${name} at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  });
  process.on('SIGTERM', () => {
    close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
