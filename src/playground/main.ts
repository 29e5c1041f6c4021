import { explorerPlugin } from '@graphiql/plugin-explorer';
import type { GraphiQLPlugin } from '@graphiql/react';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { getOperationAST, parse, type DocumentNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import { BATCHES_TAB, watchVariables, WATCH_TAB } from './examples.js';
import { installMonacoWorkers } from './workers.js';

// GraphiQL with HTTP for queries and mutations and graphql-ws for subscriptions, all on the gateway's
// own origin; the Monaco editor's workers come from the same origin too.
installMonacoWorkers('/playground/');

const root = document.getElementById('graphiql') as HTMLElement;
const httpUrl = new URL(root.dataset['endpoint'] ?? '/graphql', window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, 'ws');
const defaultHeaders = root.dataset['defaultHeaders'] || undefined;

/** GraphiQL keeps the Headers editor in a Monaco model (it exposes Monaco as `__MONACO`). */
type MonacoModels = { editor: { getModels(): Array<{ uri: { path: string }; getValue(): string }> } };

/**
 * The Headers editor's current text, so a token typed there also authorises lookups and
 * subscriptions; before the editor exists, what GraphiQL stored of it.
 */
function currentHeaders(): Record<string, string> {
  const monaco = (globalThis as { __MONACO?: MonacoModels }).__MONACO;
  const model = monaco?.editor.getModels().find((candidate) => candidate.uri.path.endsWith('request-headers.json'));
  try {
    const parsed: unknown = JSON.parse(model?.getValue() || window.localStorage.getItem('graphiql:headers') || '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const authorization = (): string | undefined => {
  const headers = currentHeaders();
  return headers['Authorization'] ?? headers['authorization'];
};

/**
 * A running batch to fill the example subscription's variables with: of the first running ones, the
 * least advanced that reports progress (it stays live longest and moves visibly), else any running
 * one, else the newest.
 */
async function exampleBatchId(): Promise<string | null> {
  const token = authorization();
  try {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: token } : {}) },
      body: JSON.stringify({
        query:
          'query ExampleBatch { running: batches(states: [RUNNING], first: 50) { edges { node { id progress { percent } } } } any: batches(first: 1) { edges { node { id } } } }',
      }),
    });
    if (!response.ok) return null;
    type Page = { edges: Array<{ node: { id: string; progress?: { percent: number | null } } }> } | null;
    const body = (await response.json()) as { data?: { running: Page; any: Page } | null };
    const running = (body.data?.running?.edges ?? []).map((edge) => edge.node);
    const moving = running.filter((node) => typeof node.progress?.percent === 'number');
    moving.sort((a, b) => (a.progress?.percent ?? 0) - (b.progress?.percent ?? 0));
    return moving[0]?.id ?? running[0]?.id ?? body.data?.any?.edges[0]?.node.id ?? null;
  } catch {
    return null;
  }
}

const wsClient = createClient({
  url: wsUrl,
  lazy: true,
  retryAttempts: 5,
  // Read the Headers tab on every (re)connect.
  connectionParams: () => {
    const token = authorization();
    return token ? { authorization: token } : {};
  },
});
/**
 * GraphiQL sends the editor's text as it is when Run is pressed, but the operation name and parsed
 * document from what it last parsed, 100 ms or more after the last edit. Right after a tab switch
 * or a quick edit they still describe the previous text: the Batches query went out named "Watch",
 * over the WebSocket as if it were the Watch subscription. Both are taken from the text sent.
 */
function withOperationOfText(fetcher: Fetcher): Fetcher {
  return (params, options) => {
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch {
      return fetcher(params, options);
    }
    const operation = (params.operationName ? getOperationAST(document, params.operationName) : null) ?? getOperationAST(document);
    // Several operations and none of them named as asked: sent as it is, the gateway says why it refuses it.
    const operationName = operation ? (operation.name?.value ?? null) : params.operationName;
    return fetcher({ ...params, operationName }, { ...options, documentAST: document });
  };
}

const fetcher = withOperationOfText(createGraphiQLFetcher({ url: httpUrl, wsClient }));
const plugins: GraphiQLPlugin[] = [HISTORY_PLUGIN, explorerPlugin()];

/** A first visit: GraphiQL has no tabs stored yet (it keeps them in localStorage). */
const firstVisit = window.localStorage.getItem('graphiql:tabState') === null && window.localStorage.getItem('graphiql:variables') === null;

void exampleBatchId().then((id) => {
  const variables = watchVariables(id);
  createRoot(root).render(
    createElement(GraphiQL, {
      fetcher,
      plugins,
      defaultTabs: [
        { query: WATCH_TAB, variables, headers: defaultHeaders },
        { query: BATCHES_TAB, headers: defaultHeaders },
      ],
      defaultHeaders,
      // GraphiQL fills the first tab's editor from this, not from defaultTabs.
      ...(firstVisit ? { initialVariables: variables } : {}),
      defaultEditorToolsVisibility: defaultHeaders ? 'headers' : 'variables',
      shouldPersistHeaders: true,
      isHeadersEditorEnabled: true,
    }),
  );
});
