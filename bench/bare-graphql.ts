/**
 * The floor of any GraphQL server on this machine, for the request-latency figures: `node:http`
 * plus graphql-js `execute` and nothing else (no framework, no plugins, no validation rules beyond
 * graphql's own, documents parsed and validated once). `batch(id)` answers one upstream GET per
 * query with `mode: cold`, and a fixed object with `mode: hot`.
 *
 *   node --import tsx bench/bare-graphql.ts '{"upstream":"http://…/batch/…","authorization":"Bearer …","mode":"cold"}'
 *
 * Prints `bare graphql at http://127.0.0.1:PORT/graphql` once listening.
 */
import { Agent, createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, parse, validate, type DocumentNode } from 'graphql';

const { upstream, authorization, mode } = JSON.parse(process.argv[2] ?? '{}') as { upstream: string; authorization: string; mode: 'hot' | 'cold' };

const schema = buildSchema(`
  type Progress { completedItems: Int totalItems: Int percent: Float }
  type Batch { id: ID! state: String! progress: Progress! }
  type Query { batch(id: ID!): Batch }
`);

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const getJson = (url: string): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    request(url, { headers: { authorization }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });

const toBatch = (id: string, body: Record<string, unknown>) => {
  const completed = Number(body['completedItemCount']);
  const total = Number(body['totalItemCount']);
  return { id, state: String(body['state']), progress: { completedItems: completed, totalItems: total, percent: total > 0 ? (completed / total) * 100 : null } };
};
const fixed = { state: 'Complete', completedItemCount: 4, totalItemCount: 4 };
const rootValue = {
  batch: async ({ id }: { id: string }) => toBatch(id, mode === 'cold' ? await getJson(upstream) : fixed),
};

const documents = new Map<string, DocumentNode>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => void answer(chunks, res));
});

async function answer(chunks: Buffer[], res: ServerResponse): Promise<void> {
  {
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    let document = documents.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length > 0) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
        return;
      }
      documents.set(query, document);
    }
    const result = await execute({ schema, document, rootValue, variableValues: variables });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  }
}
server.listen(0, '127.0.0.1', () => {
  console.log(`bare graphql at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
process.on('SIGTERM', () => {
  agent.destroy();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
