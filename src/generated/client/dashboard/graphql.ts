/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An Amazon ML batch prediction. */
export type AwsMlBatchInput = {
  batchPredictionId?: string | null | undefined;
  dataSourceId: string;
  mlModelId: string;
  name?: string | null | undefined;
  outputUri: string;
};

/** A batch execution of a published ML Server web service, one execution per record. */
export type AzureMlBatchInput = {
  parallelCount?: number | null | undefined;
  records: Array<unknown>;
  service: string;
  version: string;
};

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

/** One of a batch's times: createdAt, startedAt or finishedAt. */
export type BatchTime =
  | 'CREATED'
  | 'FINISHED'
  | 'STARTED';

export type MessageSeverity =
  | 'ERROR'
  | 'INFO'
  | 'WARNING';

/**
 * A SageMaker batch transform job (CreateTransformJob) on an existing model. With an idempotencyKey
 * and no jobName, the job is named after the key, so a repeated start never runs a second job.
 */
export type SageMakerBatchInput = {
  /** MIME type of the input, passed to the container. */
  contentType?: string | null | undefined;
  /** Environment variables of the container, as a JSON object of strings. */
  environment?: unknown;
  /** s3://bucket/prefix of the input objects (or of a manifest, see s3DataType). */
  inputS3Uri: string;
  instanceCount?: number | null | undefined;
  /** e.g. ml.m5.large. */
  instanceType: string;
  /** The job's name (letters, digits and hyphens, at most 63); made up when absent. */
  jobName?: string | null | undefined;
  maxConcurrentTransforms?: number | null | undefined;
  /** An existing SageMaker model (CreateModel). */
  modelName: string;
  /** s3://bucket/prefix the results are written under. */
  outputS3Uri: string;
  /** S3Prefix (default), ManifestFile or AugmentedManifestFile. */
  s3DataType?: string | null | undefined;
  /** How input files are split into records: None, Line, RecordIO or TFRecord. */
  splitType?: string | null | undefined;
};

/** An SLV asynchronous batch: exactly one of the operations. */
export type SlvBatchInput = {
  commissionController?: SlvCommissionControllerInput | null | undefined;
  commissionDevices?: SlvCommissionDevicesInput | null | undefined;
  importDevicesCsv?: SlvImportDevicesCsvInput | null | undefined;
};

/** commissionControllerAsync */
export type SlvCommissionControllerInput = {
  controllerStrId: string;
  /** Bitmask: 1 controller configuration, 2 calendars and schedules, 4 controller devices. */
  flags: number;
};

/** commissionControllerDevicesListAsync */
export type SlvCommissionDevicesInput = {
  controllerStrId: string;
  idOnController: Array<string>;
};

/** importDevicesFromCsvFileAsync */
export type SlvImportDevicesCsvInput = {
  csv: string;
};

/**
 * Exactly one kind-specific field, matching the backend's kind. Each backend folder adds its field
 * (`extend input StartBatchInput` in `src/backends/<kind>/schema.graphql`).
 */
export type StartBatchInput = {
  awsMl?: AwsMlBatchInput | null | undefined;
  azureMl?: AzureMlBatchInput | null | undefined;
  backend: string | number;
  /** The same key again returns the same batch, never a second one. */
  idempotencyKey?: string | null | undefined;
  sageMaker?: SageMakerBatchInput | null | undefined;
  slv?: SlvBatchInput | null | undefined;
};

export type StepStatus =
  | 'ERROR'
  | 'OK'
  | 'WARNING';

export type BatchSummaryFragment = { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null };

export type BatchExecutionsFragment = { executions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { index: number, state: BatchState, response: { statusCode: number } | null, steps: Array<{ name: string, label: string | null, status: StepStatus, messages: Array<{ severity: MessageSeverity, statusText: string | null, text: string }> }>, artifacts: Array<{ name: string, url: string | null }> } }> } };

export type DashboardBackendsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardBackendsQuery = { backends: Array<{ id: string, kind: BackendKind, url: string, healthy: boolean, capabilities: { list: boolean, cancel: boolean } }> };

export type DashboardBatchesQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DashboardBatchesQuery = { batches: { edges: Array<{ node: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DashboardUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardUpdatesSubscription = { batchUpdates: { terminal: boolean, batch: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null } } };

export type DashboardDetailSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type DashboardDetailSubscription = { batchProgress: { terminal: boolean, error: { code: string, message: string } | null, batch: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null, executions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { index: number, state: BatchState, response: { statusCode: number } | null, steps: Array<{ name: string, label: string | null, status: StepStatus, messages: Array<{ severity: MessageSeverity, statusText: string | null, text: string }> }>, artifacts: Array<{ name: string, url: string | null }> } }> } } } };

export type DashboardExecutionsQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type DashboardExecutionsQuery = { batch: { id: string, executions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { index: number, state: BatchState, response: { statusCode: number } | null, steps: Array<{ name: string, label: string | null, status: StepStatus, messages: Array<{ severity: MessageSeverity, statusText: string | null, text: string }> }>, artifacts: Array<{ name: string, url: string | null }> } }> } } | null };

export type DashboardStartMutationVariables = Exact<{
  input: StartBatchInput;
}>;


export type DashboardStartMutation = { startBatch: { batch: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null } } };

export type DashboardCancelMutationVariables = Exact<{
  id: string | number;
}>;


export type DashboardCancelMutation = { cancelBatch: { batch: { id: string, nativeId: string, name: string | null, state: BatchState, nativeStatus: string, createdAt: string | null, startedAt: string | null, finishedAt: string | null, observedTimes: Array<BatchTime>, backend: { id: string, kind: BackendKind, capabilities: { cancel: boolean } }, progress: { percent: number | null, completedItems: number | null, totalItems: number | null, failedItems: number | null, message: string | null }, error: { code: string | null, message: string } | null } } };

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
export const BatchSummaryFragmentDoc = new TypedDocumentString(`
    fragment BatchSummary on Batch {
  id
  nativeId
  name
  state
  nativeStatus
  backend {
    id
    kind
    capabilities {
      cancel
    }
  }
  progress {
    percent
    completedItems
    totalItems
    failedItems
    message
  }
  createdAt
  startedAt
  finishedAt
  observedTimes
  error {
    code
    message
  }
}
    `, {"fragmentName":"BatchSummary"}) as unknown as TypedDocumentString<BatchSummaryFragment, unknown>;
export const BatchExecutionsFragmentDoc = new TypedDocumentString(`
    fragment BatchExecutions on Batch {
  executions(first: 20, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        index
        state
        response {
          statusCode
        }
        steps {
          name
          label
          status
          messages {
            severity
            statusText
            text
          }
        }
        artifacts {
          name
          url
        }
      }
    }
  }
}
    `, {"fragmentName":"BatchExecutions"}) as unknown as TypedDocumentString<BatchExecutionsFragment, unknown>;
export const DashboardBackendsDocument = new TypedDocumentString(`
    query DashboardBackends {
  backends {
    id
    kind
    url
    healthy
    capabilities {
      list
      cancel
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardBackendsQuery, DashboardBackendsQueryVariables>;
export const DashboardBatchesDocument = new TypedDocumentString(`
    query DashboardBatches($after: String) {
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
          kind
          capabilities {
            cancel
          }
        }
        progress {
          percent
          completedItems
          totalItems
          failedItems
          message
        }
        createdAt
        startedAt
        finishedAt
        observedTimes
        error {
          code
          message
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardBatchesQuery, DashboardBatchesQueryVariables>;
export const DashboardUpdatesDocument = new TypedDocumentString(`
    subscription DashboardUpdates {
  batchUpdates {
    terminal
    batch {
      id
      nativeId
      name
      state
      nativeStatus
      backend {
        id
        kind
        capabilities {
          cancel
        }
      }
      progress {
        percent
        completedItems
        totalItems
        failedItems
        message
      }
      createdAt
      startedAt
      finishedAt
      observedTimes
      error {
        code
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardUpdatesSubscription, DashboardUpdatesSubscriptionVariables>;
export const DashboardDetailDocument = new TypedDocumentString(`
    subscription DashboardDetail($id: ID!, $after: String) {
  batchProgress(id: $id) {
    terminal
    error {
      code
      message
    }
    batch {
      id
      nativeId
      name
      state
      nativeStatus
      backend {
        id
        kind
        capabilities {
          cancel
        }
      }
      progress {
        percent
        completedItems
        totalItems
        failedItems
        message
      }
      createdAt
      startedAt
      finishedAt
      observedTimes
      error {
        code
        message
      }
      executions(first: 20, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            index
            state
            response {
              statusCode
            }
            steps {
              name
              label
              status
              messages {
                severity
                statusText
                text
              }
            }
            artifacts {
              name
              url
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardDetailSubscription, DashboardDetailSubscriptionVariables>;
export const DashboardExecutionsDocument = new TypedDocumentString(`
    query DashboardExecutions($id: ID!, $after: String) {
  batch(id: $id) {
    id
    executions(first: 20, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          index
          state
          response {
            statusCode
          }
          steps {
            name
            label
            status
            messages {
              severity
              statusText
              text
            }
          }
          artifacts {
            name
            url
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardExecutionsQuery, DashboardExecutionsQueryVariables>;
export const DashboardStartDocument = new TypedDocumentString(`
    mutation DashboardStart($input: StartBatchInput!) {
  startBatch(input: $input) {
    batch {
      id
      nativeId
      name
      state
      nativeStatus
      backend {
        id
        kind
        capabilities {
          cancel
        }
      }
      progress {
        percent
        completedItems
        totalItems
        failedItems
        message
      }
      createdAt
      startedAt
      finishedAt
      observedTimes
      error {
        code
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardStartMutation, DashboardStartMutationVariables>;
export const DashboardCancelDocument = new TypedDocumentString(`
    mutation DashboardCancel($id: ID!) {
  cancelBatch(id: $id) {
    batch {
      id
      nativeId
      name
      state
      nativeStatus
      backend {
        id
        kind
        capabilities {
          cancel
        }
      }
      progress {
        percent
        completedItems
        totalItems
        failedItems
        message
      }
      createdAt
      startedAt
      finishedAt
      observedTimes
      error {
        code
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardCancelMutation, DashboardCancelMutationVariables>;