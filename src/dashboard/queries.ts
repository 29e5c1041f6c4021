/**
 * The GraphQL documents the dashboard sends. Pages stay at 20 items: the gateway's cost limit
 * multiplies by `first`, and the detail subscription (20 executions with their steps and messages)
 * is just under the default limit of 5000 — add fields there with care.
 */

const PAGE_SIZE = 20;

const BATCH_SUMMARY = `
  id
  nativeId
  name
  state
  nativeStatus
  backend { id kind capabilities { cancel } }
  progress { percent completedItems totalItems failedItems message }
  createdAt
  startedAt
  finishedAt
  observedTimes
  error { code message }
`;

const EXECUTIONS = `
  executions(first: ${PAGE_SIZE}, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        index
        state
        response { statusCode }
        steps { name label status messages { severity statusText text } }
        artifacts { name url }
      }
    }
  }
`;

export const BACKENDS_QUERY = `query DashboardBackends { backends { id kind url healthy capabilities { list cancel } } }`;

export const BATCHES_QUERY = `query DashboardBatches($after: String) {
  batches(first: ${PAGE_SIZE}, after: $after) {
    edges { node { ${BATCH_SUMMARY} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const UPDATES_SUBSCRIPTION = `subscription DashboardUpdates {
  batchUpdates { terminal batch { ${BATCH_SUMMARY} } }
}`;

export const DETAIL_SUBSCRIPTION = `subscription DashboardDetail($id: ID!, $after: String) {
  batchProgress(id: $id) {
    terminal
    error { code message }
    batch { ${BATCH_SUMMARY} ${EXECUTIONS} }
  }
}`;

export const EXECUTIONS_QUERY = `query DashboardExecutions($id: ID!, $after: String) {
  batch(id: $id) { id ${EXECUTIONS} }
}`;

export const START_MUTATION = `mutation DashboardStart($input: StartBatchInput!) {
  startBatch(input: $input) { batch { ${BATCH_SUMMARY} } }
}`;

export const CANCEL_MUTATION = `mutation DashboardCancel($id: ID!) {
  cancelBatch(id: $id) { batch { ${BATCH_SUMMARY} } }
}`;
