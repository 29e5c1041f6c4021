import type { Artifact, Batch, BatchExecution } from '../core/model.js';

/** What `BatchExecution` resolvers receive: the execution plus the batch it belongs to. */
export interface ExecutionModel extends BatchExecution {
  batch: Batch;
}

/** What `Artifact` resolvers receive: enough to build the gateway's download link. */
export interface ArtifactModel extends Artifact {
  batch: Batch;
  index: number;
}
