// Starts GraphiQL with HTTP for queries and mutations and graphql-ws for subscriptions, all on the
// gateway's own origin. Served as a file so the page's CSP can forbid inline scripts.
(function () {
  const root = document.getElementById('graphiql');
  const httpUrl = new URL(root.dataset.endpoint, window.location.href).toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const readHeaders = () => {
    try {
      return JSON.parse(window.localStorage.getItem('graphiql:headers') || '{}');
    } catch {
      return {};
    }
  };
  const wsClient = window.graphqlWs.createClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: 5,
    // Read the Headers tab on every (re)connect, so a token typed there also authorises subscriptions.
    connectionParams: () => {
      const headers = readHeaders();
      const authorization = headers.Authorization || headers.authorization;
      return authorization ? { authorization } : {};
    },
  });
  const fetcher = window.GraphiQL.createFetcher({ url: httpUrl, wsClient });
  const element = window.React.createElement(window.GraphiQL, {
    fetcher,
    defaultQuery: root.dataset.defaultQuery,
    defaultHeaders: root.dataset.defaultHeaders || undefined,
    defaultEditorToolsVisibility: root.dataset.defaultHeaders ? 'headers' : undefined,
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
  });
  window.ReactDOM.createRoot(root).render(element);
})();
