import { isFinished, type BatchStore } from './batches.js';
import type { EmulatedService } from './services.js';

/**
 * Demo traffic for the embedded default: a few batches at start that take minutes at a one-second
 * tick (one clean, one with failed records, one that fails outright, one writing megabyte reports),
 * a new batch every so often, and old finished demo batches pruned so memory stays flat.
 */

export interface DemoOptions {
  batches: BatchStore;
  services: readonly EmulatedService[];
  /** Tick listeners of the emulator; the demo adds one. */
  onTick: Array<() => void>;
  /** Ticks between two new demo batches. @default 45 */
  everyTicks?: number;
  /** Finished demo batches kept per service. @default 6 */
  keepFinished?: number;
}

type Recipe = { service: string; count: number; parallelCount: number; record: (i: number) => Record<string, unknown> };

const RECIPES: Recipe[] = [
  // Clean run, a few minutes long.
  { service: 'TxService', count: 120, parallelCount: 2, record: (i) => ({ hp: 90 + ((i * 17) % 160), wt: 1.5 + ((i * 7) % 40) / 10 }) },
  // Finishes Complete with some records failed (every seventh lacks `wt`): partial failure.
  {
    service: 'TxService',
    count: 70,
    parallelCount: 2,
    record: (i) => (i % 7 === 3 ? { hp: 110 } : { hp: 100 + i, wt: 2 + (i % 20) / 10 }),
  },
  // Every record fails: the batch ends Failed.
  { service: 'LegacyScorer', count: 40, parallelCount: 1, record: (i) => ({ features: [i, i + 1, i + 2] }) },
  // Megabyte artifacts to download.
  { service: 'RenderReport', count: 30, parallelCount: 1, record: (i) => ({ pages: 1 + (i % 12) }) },
  { service: 'Double', count: 200, parallelCount: 3, record: (i) => ({ x: i }) },
];

/** GUID-shaped and counting, so the demo's executions have the same ids in every fresh run. */
const demoExecutionId = (n: number): string => `d3e0c0de-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function startDemo(options: DemoOptions): { stop(): void } {
  const everyTicks = options.everyTicks ?? 45;
  const keepFinished = options.keepFinished ?? 6;
  let next = 0;
  let ticks = 0;
  let launched = 0;

  const launch = (recipe: Recipe) => {
    const service = options.services.find((s) => s.name === recipe.service);
    if (!service) return;
    launched += 1;
    options.batches.start(service, Array.from({ length: recipe.count }, (_, i) => recipe.record(i)), recipe.parallelCount, true, demoExecutionId(launched));
  };
  const prune = () => {
    for (const service of options.services) {
      const finished = options.batches
        .ids(service)
        .map((id) => options.batches.get(service, id)!)
        .filter((execution) => execution.demo && isFinished(execution));
      for (const execution of finished.slice(0, Math.max(0, finished.length - keepFinished))) options.batches.delete(service, execution.id);
    }
  };

  for (const recipe of RECIPES) launch(recipe);
  const listener = () => {
    ticks += 1;
    if (ticks % everyTicks !== 0) return;
    launch(RECIPES[next % RECIPES.length]!);
    next += 1;
    prune();
  };
  options.onTick.push(listener);
  return {
    stop() {
      const at = options.onTick.indexOf(listener);
      if (at >= 0) options.onTick.splice(at, 1);
    },
  };
}
