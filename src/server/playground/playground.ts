import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * GraphiQL served entirely from the gateway: the UMD builds of React, GraphiQL and graphql-ws come
 * from node_modules, so the playground works offline and no page loads anything from a CDN.
 */

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A file inside an installed package, found next to its package.json (exports maps hide UMD builds). */
function packageFile(name: string, file: string): string {
  const paths = require.resolve.paths(name) ?? [];
  for (const base of paths) {
    const candidate = join(base, name, file);
    if (existsSync(candidate)) return candidate;
  }
  return join(here, 'missing', name, file);
}

interface Asset {
  file: string;
  type: string;
}

const ASSETS: Record<string, Asset> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'graphql-ws.js': { file: packageFile('graphql-ws', 'umd/graphql-ws.min.js'), type: 'text/javascript; charset=utf-8' },
  'init.js': { file: join(here, 'init.js'), type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** A playground asset by file name, or null. Read once, then served from memory. */
export function playgroundAsset(name: string): { body: Buffer; type: string } | null {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return null;
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(asset.file);
    cache.set(name, body);
  }
  return { body, type: asset.type };
}

export const DEFAULT_QUERY = `# Welcome to batchgate: one live view of batch jobs on every backend.
#
# Run this query, then try the subscription below it (select it and press ▶):
# it shows a batch move to its end, live.

query Batches {
  backends { id kind url healthy }
  batches(first: 10) {
    edges {
      node {
        id
        backend { id }
        nativeId
        name
        state
        nativeStatus
        progress { percent completedItems totalItems failedItems message }
        startedAt
        finishedAt
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

subscription Watch($id: ID!) {
  batchProgress(id: $id) {
    terminal
    error { code message }
    batch {
      state
      progress { percent message }
      steps { name status messages { severity text } }
    }
  }
}
`;

export interface PlaygroundOptions {
  /** The GraphQL endpoint path. @default '/graphql' */
  endpoint?: string;
  /** Shows a Headers tab prefilled with an Authorization header to complete. */
  authRequired: boolean;
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function playgroundHtml(options: PlaygroundOptions): string {
  const headers = options.authRequired ? JSON.stringify({ Authorization: 'Bearer <your token>' }, null, 2) : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>batchgate playground</title>
  <link rel="stylesheet" href="/playground/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql" data-endpoint="${escapeAttribute(options.endpoint ?? '/graphql')}"
       data-default-query="${escapeAttribute(DEFAULT_QUERY)}"
       data-default-headers="${escapeAttribute(headers)}">Loading the playground…</div>
  <script src="/playground/react.js"></script>
  <script src="/playground/react-dom.js"></script>
  <script src="/playground/graphql-ws.js"></script>
  <script src="/playground/graphiql.js"></script>
  <script src="/playground/init.js"></script>
</body>
</html>`;
}

/** No inline scripts and nothing from other origins; GraphiQL needs inline styles. */
export const PLAYGROUND_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";
