import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { backendModules } from '../backends/index.js';
import type { BackendModule } from '../backends/module.js';
import { createResolvers } from './resolvers.js';

/** The SDL files under `schema/`; each backend folder adds its own `schema.graphql` (codegen reads both). */
const schemaDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

/** The gateway's SDL, then each backend's extension of `BackendKind` and `StartBatchInput`. */
function readTypeDefs(modules: readonly BackendModule[] = backendModules): string[] {
  const base = readdirSync(schemaDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(schemaDirectory, file), 'utf8'));
  return [...base, ...modules.map((module) => module.graphql.typeDefs)];
}

export function createSchema(modules: readonly BackendModule[] = backendModules): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: readTypeDefs(modules), resolvers: createResolvers(modules) as never });
}
