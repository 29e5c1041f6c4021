import type { JobScript, WireJob } from './job.js';
import type { JobStore } from './store.js';

/**
 * Demo transform jobs for the embedded default: at about one tick a second they keep changing for
 * several minutes (SageMaker shows no percentage, so movement is status changes and new arrivals),
 * and include a completed one, one that fails, one that gets stopped and one waiting for instances.
 */

/** Most demo jobs spawned, so a demo left running for days stays small. */
const MAX_SPAWNED = 300;
/** A new demo job every this many ticks. */
const SPAWN_EVERY_TICKS = 40;

type NewJob = Omit<WireJob, 'TransformJobArn' | 'TransformJobStatus' | 'CreationTime'>;

const job = (name: string, model: string, instanceType = 'ml.m5.xlarge', instanceCount = 1): NewJob => ({
  TransformJobName: name,
  ModelName: model,
  MaxConcurrentTransforms: 4,
  BatchStrategy: 'MultiRecord',
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://batchgate-demo/${name}/input/` } }, ContentType: 'text/csv', SplitType: 'Line' },
  TransformOutput: { S3OutputPath: `s3://batchgate-demo/${name}/output/`, AssembleWith: 'Line' },
  TransformResources: { InstanceType: instanceType, InstanceCount: instanceCount },
});

const script = (pendingTicks: number, runningTicks: number, outcome: JobScript['outcome'] = 'Completed', failureReason: string | null = null): JobScript => ({
  pendingTicks,
  runningTicks,
  outcome,
  failureReason,
});

/** Adds the fixed demo jobs. */
export function seedDemo(store: JobStore): void {
  const nowSeconds = Date.now() / 1000;
  // Finished an hour ago, so the list does not start without results.
  const done = store.insert(job('demo-nightly-churn', 'churn-xgboost-v7', 'ml.m5.2xlarge', 2), script(1, 1), nowSeconds - 3600);
  store.tick();
  store.tick();
  done.record.TransformStartTime = nowSeconds - 3300;
  done.record.TransformEndTime = done.lastModified = nowSeconds - 1500;

  store.insert(job('demo-fraud-sweep', 'fraud-detector-v3', 'ml.c5.xlarge', 4), script(5, 240));
  store.insert(job('demo-forecast-q1', 'forecast-deepar-fail'), script(4, 50, 'Failed', 'AlgorithmError: the input contains a time series with fewer than 2 observations (item_id "sku-1042")'));
  // Stopped by someone once it had started: shows CANCELLING, then CANCELLED.
  store.insert(job('demo-backfill-2019', 'churn-xgboost-v7', 'ml.m5.large', 8), script(3, 30));
  store.insert(job('demo-gpu-waiting', 'fraud-detector-v3', 'ml.p3.2xlarge'), script(120, 300));
}

/** Adds a new demo job every few ticks and stops the backfill once (call `onTick` from the timer). */
export function startDemoSpawner(store: JobStore): { onTick(): void } {
  let ticks = 0;
  let spawned = 0;
  return {
    onTick() {
      ticks += 1;
      if (ticks === 20) {
        const backfill = store.jobs.get('demo-backfill-2019');
        if (backfill?.record.TransformJobStatus === 'InProgress') backfill.record.TransformJobStatus = 'Stopping';
      }
      if (ticks % SPAWN_EVERY_TICKS !== 0 || spawned >= MAX_SPAWNED) return;
      spawned += 1;
      const name = `demo-hourly-${String(spawned).padStart(4, '0')}`;
      // Every fourth fails, so each outcome keeps appearing.
      if (spawned % 4 === 0) {
        store.insert(job(name, 'forecast-deepar-fail'), script(4, 30, 'Failed', 'ClientError: See job logs for more information'));
      } else {
        store.insert(job(name, spawned % 2 ? 'churn-xgboost-v7' : 'fraud-detector-v3'), script(4, 60 + (spawned % 3) * 30));
      }
    },
  };
}
