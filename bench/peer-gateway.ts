/**
 * A peer gateway for side-by-side figures: Hive Gateway (GraphQL Mesh's runtime) wrapping the same
 * ML Server emulator's REST batch endpoint, composed at start with Mesh's JSON-schema source. It
 * exposes `batch(service, version, id)` answering the upstream JSON as GraphQL, with no cache, so
 * each query is one upstream GET, like batchgate with its cache off.
 *
 *   node --import tsx bench/peer-gateway.ts '{"url":"http://127.0.0.1:PORT","authorization":"Bearer …"}'
 *
 * Prints `peer gateway at http://127.0.0.1:PORT/graphql` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const { url, authorization } = JSON.parse(process.argv[2] ?? '{}') as { url: string; authorization: string };

/** One finished batch's status, the shape the json-schema source derives its types from. */
const sample = {
  state: 'Complete',
  completedItemCount: 4,
  totalItemCount: 4,
  parallelCount: 2,
  batchExecutionResults: [
    { success: true, errorMessage: '', consoleOutput: '', changedFiles: ['a'], outputParameters: { y: 2 }, outputFiles: { a: 'x' } },
  ],
};

async function main(): Promise<void> {
  const silent = { log: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
  const supergraph = await getComposedSchemaFromConfig(
    {
      subgraphs: [
        {
          sourceHandler: loadJSONSchemaSubgraph('MLServer', {
            endpoint: url,
            operationHeaders: { authorization },
            operations: [
              {
                type: 'Query',
                field: 'batch',
                path: '/api/{args.service}/{args.version}/batch/{args.id}?showPartialResults=true',
                method: 'GET',
                argTypeMap: { service: { type: 'string' }, version: { type: 'string' }, id: { type: 'string' } },
                requiredArgs: ['service', 'version', 'id'],
                responseSample: sample,
                responseTypeName: 'BatchStatus',
              },
            ],
          }),
        },
      ],
    },
    silent,
  );
  const gateway = createGatewayRuntime({ supergraph, logging: false, graphqlEndpoint: '/graphql' });
  const server = createServer((req, res) => void gateway(req, res));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`peer gateway at http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`);
  });
  const stop = () => {
    server.close();
    void Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`peer gateway failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
