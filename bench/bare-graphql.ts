/**
 * The floor of any GraphQL server on this machine, for the request-latency figures: `node:http`
 * plus graphql-js `execute` and nothing else (no framework, no plugins, no validation rules beyond
 * graphql's own, documents parsed and validated once). See `lib/floor.ts` for `mode`.
 *
 *   node --import tsx bench/bare-graphql.ts '{"upstream":"http://…/batch/…","authorization":"Bearer …","mode":"cold"}'
 *
 * Prints `bare graphql at http://127.0.0.1:PORT/graphql` once listening.
 */
import type { ServerResponse } from 'node:http';
import { buildSchema, execute, parse, validate, type DocumentNode } from 'graphql';
import { FLOOR_SDL, floorBatchResolver, serveFloor } from './lib/floor.js';

const schema = buildSchema(FLOOR_SDL);
const floor = floorBatchResolver();
const rootValue = { batch: ({ id }: { id: string }) => floor.batch(id) };

const documents = new Map<string, DocumentNode>();
serveFloor(
  'bare graphql',
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(chunks, res));
  },
  floor.close,
);

async function answer(chunks: Buffer[], res: ServerResponse): Promise<void> {
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
