/**
 * GraphQL Yoga's floor, a peer for the request-latency figures: `createYoga` on `node:http` with the
 * same schema and resolver as `bare-graphql.ts` (see `lib/floor.ts`) and Yoga's defaults (document
 * cache, validation, its own error masking), nothing of ours.
 *
 *   node --import tsx bench/yoga-floor.ts '{"upstream":"http://…/batch/…","authorization":"Bearer …","mode":"cold"}'
 *
 * Prints `yoga floor at http://127.0.0.1:PORT/graphql` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { FLOOR_SDL, floorBatchResolver } from './lib/floor.js';

const floor = floorBatchResolver();
const yoga = createYoga({
  schema: createSchema({ typeDefs: FLOOR_SDL, resolvers: { Query: { batch: (_root: unknown, { id }: { id: string }) => floor.batch(id) } } }),
  logging: false,
  graphiql: false,
  landingPage: false,
});
const server = createServer((req, res) => void yoga(req, res));
server.listen(0, '127.0.0.1', () => {
  console.log(`yoga floor at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
process.on('SIGTERM', () => {
  floor.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
