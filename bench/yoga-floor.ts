/**
 * GraphQL Yoga's floor, a peer for the request-latency figures: `createYoga` on `node:http` with the
 * same schema and resolver as `bare-graphql.ts` (see `lib/floor.ts`) and Yoga's defaults (document
 * cache, validation, its own error masking), nothing of ours.
 *
 *   node --import tsx bench/yoga-floor.ts '{"upstream":"http://…/batch/…","authorization":"Bearer …","mode":"cold"}'
 *
 * Prints `yoga floor at http://127.0.0.1:PORT/graphql` once listening.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { FLOOR_SDL, floorBatchResolver, serveFloor } from './lib/floor.js';

const floor = floorBatchResolver();
const yoga = createYoga({
  schema: createSchema({ typeDefs: FLOOR_SDL, resolvers: { Query: { batch: (_root: unknown, { id }: { id: string }) => floor.batch(id) } } }),
  logging: false,
  graphiql: false,
  landingPage: false,
});
serveFloor('yoga floor', (req, res) => void yoga(req, res), floor.close);
