/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/**
 * The kinds of backend batchgate federates. Each backend folder adds its value
 * (`extend enum BackendKind` in `src/backends/<kind>/schema.graphql`).
 */
export type BackendKind =
  /** Amazon Machine Learning: batch predictions. */
  | 'AWS_ML'
  /** Microsoft Machine Learning Server: batch executions of published web services. */
  | 'AZURE_ML'
  /** Amazon SageMaker: batch transform jobs. */
  | 'SAGEMAKER'
  /** SLV (Streetlight.Vision CMS): asynchronous commissioning and import batches. */
  | 'SLV';

/** Where a batch stands, the same words for every backend. */
export type BatchState =
  | 'CANCELLED'
  | 'CANCELLING'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type TestBackendsQueryVariables = Exact<{ [key: string]: never; }>;


export type TestBackendsQuery = { backends: Array<{ id: string, kind: BackendKind, healthy: boolean }> };

export type TestBatchQueryVariables = Exact<{
  id: string | number;
}>;


export type TestBatchQuery = { batch: { id: string, nativeId: string, name: string | null, state: BatchState, backend: { id: string }, progress: { percent: number | null } } | null };

export type TestBatchProgressSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type TestBatchProgressSubscription = { batchProgress: { terminal: boolean, error: { code: string, message: string } | null, batch: { id: string, state: BatchState } } };

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

export const TestBackendsDocument = new TypedDocumentString(`
    query TestBackends {
  backends {
    id
    kind
    healthy
  }
}
    `) as unknown as TypedDocumentString<TestBackendsQuery, TestBackendsQueryVariables>;
export const TestBatchDocument = new TypedDocumentString(`
    query TestBatch($id: ID!) {
  batch(id: $id) {
    id
    nativeId
    name
    state
    backend {
      id
    }
    progress {
      percent
    }
  }
}
    `) as unknown as TypedDocumentString<TestBatchQuery, TestBatchQueryVariables>;
export const TestBatchProgressDocument = new TypedDocumentString(`
    subscription TestBatchProgress($id: ID!) {
  batchProgress(id: $id) {
    terminal
    error {
      code
      message
    }
    batch {
      id
      state
    }
  }
}
    `) as unknown as TypedDocumentString<TestBatchProgressSubscription, TestBatchProgressSubscriptionVariables>;