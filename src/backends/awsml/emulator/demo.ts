import type { Catalog } from './catalog.js';
import type { CreateParams, PredictionScript, PredictionStore } from './store.js';

/**
 * Demo predictions for the embedded default: at about one tick a second they keep changing for
 * several minutes (Amazon ML shows no percentage, so movement is status changes and new arrivals),
 * and include one that completes with invalid records and one that fails. Every model and data
 * source they name is seeded COMPLETED, so the demo's Get/Describe calls find them.
 */

/** Most demo predictions kept spawning, so a demo left running for days stays small. */
const MAX_SPAWNED = 300;
/** A new demo prediction every this many ticks. */
const SPAWN_EVERY_TICKS = 45;

const params = (id: string, name: string, model: string): CreateParams => ({
  BatchPredictionId: id,
  BatchPredictionName: name,
  MLModelId: model,
  BatchPredictionDataSourceId: `ds-${id}`,
  OutputUri: `s3://batchgate-demo-output/${id}/`,
});

const script = (pendingTicks: number, runningTicks: number, outcome: PredictionScript['outcome'], totalRecords: number, invalidRecords = 0, message: string | null = null): PredictionScript => ({
  pendingTicks,
  runningTicks,
  outcome,
  totalRecords,
  invalidRecords,
  message,
});

/** Inserts a prediction after seeding its model and data source. */
const withCatalog =
  (store: PredictionStore, catalog: Catalog) =>
  (p: CreateParams, s: PredictionScript, createdAt?: number) => {
    catalog.seed(p.MLModelId, p.BatchPredictionDataSourceId);
    return store.insert(p, s, createdAt);
  };

/** Adds the fixed demo predictions, their models and their data sources. */
export function seedDemo(store: PredictionStore, catalog: Catalog): void {
  const insert = withCatalog(store, catalog);
  const nowSeconds = Date.now() / 1000;
  // Already finished an hour ago, so the list does not start empty of results.
  const done = insert(params('demo-nightly-scoring', 'Nightly customer scoring', 'ml-customer-ltv'), script(1, 1, 'COMPLETED', 48_210), nowSeconds - 3600);
  store.tick();
  store.tick();
  done.record.StartedAt = nowSeconds - 3590;
  done.record.FinishedAt = done.record.LastUpdatedAt = nowSeconds - 2400;

  insert(params('demo-churn-q3', 'Churn propensity Q3', 'ml-churn-v7'), script(4, 240, 'COMPLETED', 125_000));
  insert(params('demo-fraud-sweep', 'Card fraud sweep (partial)', 'ml-fraud-partial'), script(6, 120, 'COMPLETED', 88_400, 1_312));
  insert(
    params('demo-bad-schema', 'Inventory forecast (bad schema)', 'ml-forecast-fail'),
    script(3, 60, 'FAILED', 0, 0, 'The datasource schema does not match the MLModel schema: column "sku" is missing.'),
  );
  insert(params('demo-backlog', 'Quarterly backfill', 'ml-churn-v7'), script(90, 300, 'COMPLETED', 640_000, 12));
}

/** Adds a new demo prediction every few ticks (call `onTick` from the emulator's timer). */
export function startDemoSpawner(store: PredictionStore, catalog: Catalog): { onTick(): void } {
  const insert = withCatalog(store, catalog);
  let ticks = 0;
  let spawned = 0;
  return {
    onTick() {
      ticks += 1;
      if (ticks % SPAWN_EVERY_TICKS !== 0 || spawned >= MAX_SPAWNED) return;
      spawned += 1;
      const id = `demo-auto-${String(spawned).padStart(4, '0')}`;
      // Every fifth fails and every third has invalid records, so each outcome keeps appearing.
      if (spawned % 5 === 0) {
        insert(params(id, `Hourly scoring #${spawned}`, 'ml-hourly-fail'), script(5, 50, 'FAILED', 0, 0, 'Amazon ML could not read the input data: access denied to the S3 location.'));
      } else if (spawned % 3 === 0) {
        insert(params(id, `Hourly scoring #${spawned}`, 'ml-hourly-partial'), script(5, 90, 'COMPLETED', 20_000 + spawned * 37, 40 + spawned));
      } else {
        insert(params(id, `Hourly scoring #${spawned}`, 'ml-hourly'), script(5, 90 + (spawned % 4) * 30, 'COMPLETED', 20_000 + spawned * 53));
      }
    },
  };
}
