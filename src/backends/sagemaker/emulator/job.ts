/** What the emulator keeps of one transform job (shared by the store and its listing). */

/** How one job lives. Ticks are counted from creation. */
export interface JobScript {
  /** Ticks before the instances run (InProgress without TransformStartTime). @default 1 */
  pendingTicks: number;
  /** Ticks transforming. @default 3 */
  runningTicks: number;
  outcome: 'Completed' | 'Failed';
  failureReason: string | null;
}

/** A DescribeTransformJob answer as stored (epoch seconds). */
export interface WireJob {
  TransformJobName: string;
  TransformJobArn: string;
  TransformJobStatus: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  FailureReason?: string;
  ModelName: string;
  MaxConcurrentTransforms?: number;
  BatchStrategy?: string;
  Environment?: Record<string, string>;
  TransformInput: Record<string, unknown>;
  TransformOutput: Record<string, unknown>;
  TransformResources: Record<string, unknown>;
  CreationTime: number;
  TransformStartTime?: number;
  TransformEndTime?: number;
}

export interface StoredJob {
  record: WireJob;
  script: JobScript;
  lastModified: number;
  age: number;
  /** Insertion order: the last tie-breaker of every sort, so paging is stable. */
  seq: number;
}
