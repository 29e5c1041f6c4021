/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where a batch stands, the same words for every backend. */
export type BatchState =
  | 'CANCELLED'
  | 'CANCELLING'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type MessageSeverity =
  | 'ERROR'
  | 'INFO'
  | 'WARNING';

export type StepStatus =
  | 'ERROR'
  | 'OK'
  | 'WARNING';

export type CliBatchFragment = { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, startedAt: string | null, finishedAt: string | null, backend: { id: string }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null } };

export type CliListQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type CliListQuery = { batches: { edges: Array<{ node: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, startedAt: string | null, finishedAt: string | null, backend: { id: string }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CliWatchSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type CliWatchSubscription = { batchProgress: { terminal: boolean, error: { code: string, message: string, backend: string | null } | null, batch: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, startedAt: string | null, finishedAt: string | null, backend: { id: string }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null, steps: Array<{ name: string, label: string | null, status: StepStatus, messages: Array<{ severity: MessageSeverity, text: string }> }> } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CliBatchFragmentDoc = new TypedDocumentString(`
    fragment CliBatch on Batch {
  id
  nativeId
  name
  state
  nativeStatus
  backend {
    id
  }
  progress {
    percent
    completedItems
    totalItems
    failedItems
    message
  }
  startedAt
  finishedAt
}
    `, {"fragmentName":"CliBatch"}) as unknown as TypedDocumentString<CliBatchFragment, unknown>;
export const CliListDocument = new TypedDocumentString(`
    query CliList($after: String) {
  batches(first: 20, after: $after) {
    edges {
      node {
        id
        nativeId
        name
        state
        nativeStatus
        backend {
          id
        }
        progress {
          percent
          completedItems
          totalItems
          failedItems
          message
        }
        startedAt
        finishedAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<CliListQuery, CliListQueryVariables>;
export const CliWatchDocument = new TypedDocumentString(`
    subscription CliWatch($id: ID!) {
  batchProgress(id: $id) {
    terminal
    error {
      code
      message
      backend
    }
    batch {
      id
      nativeId
      name
      state
      nativeStatus
      backend {
        id
      }
      progress {
        percent
        completedItems
        totalItems
        failedItems
        message
      }
      startedAt
      finishedAt
      error {
        code
        message
      }
      steps {
        name
        label
        status
        messages {
          severity
          text
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CliWatchSubscription, CliWatchSubscriptionVariables>;