/** What a first visit to the playground shows: a live subscription ready to run, then a query. */

export const WATCH_TAB = `# Welcome to batchgate: one live view
# of batch jobs on every backend.
#
# Press ▶ (or Ctrl+Enter) to watch a batch
# move to its end, live. The variables below
# hold the id of a running batch; the
# Batches tab lists others to put there.

subscription Watch($id: ID!) {
  batchProgress(id: $id) {
    terminal
    error { code message }
    batch {
      name
      state
      progress { percent message }
      steps { name status messages { severity text } }
    }
  }
}
`;

export const BATCHES_TAB = `# Every backend, and the first batches
# of all of them.

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
`;

/** The subscription's variables: the batch found at page load, or a note where to find one. */
export function watchVariables(id: string | null): string {
  return JSON.stringify({ id: id ?? 'an id from the Batches tab' }, null, 2);
}
