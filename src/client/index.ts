/**
 * The one GraphQL client of the CLI, the dashboard and the tests: typed documents (generated under
 * src/generated/client/) over HTTP POST, and graphql-ws subscriptions with an injected WebSocket.
 */
export { GatewayError } from './errors.js';
export { query, request, type QueryResult, type TypedDocument } from './http.js';
export { createSubscriptionClient, type SubscriptionClient } from './subscriptions.js';
