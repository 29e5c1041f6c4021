import type { BatchScript } from './engine.js';
import type { SlvBatchEngine } from './engine.js';
import { commissionControllerScript, commissionDevicesScript, importCsvScript } from './scripts.js';

/**
 * Demo batches for the embedded default: a few long ones seeded at once (one ends with warnings,
 * one fails) so a person opening the playground sees movement for minutes, then a new batch every
 * `everyTicks` ticks, forever. Only the newest `keep` demo batches are kept.
 */

export interface DemoOptions {
  /** `value.login` of the demo batches. */
  login: string;
  /** A new batch every this many ticks. @default 45 */
  everyTicks?: number;
  /** Demo batches kept before the oldest are forgotten. @default 40 */
  keep?: number;
}

export interface SlvDemo {
  /** Called on every engine tick. */
  tick(): void;
}

const devices = (prefix: string, count: number, missing: number[]) =>
  Array.from({ length: count }, (_, at) => (missing.includes(at) ? `missing-${prefix}-${at}` : `${prefix}-${at}`));

function csvFile(rows: number, badRows: number[]): string {
  const lines = ['idOnController;name;lat;lng;model'];
  for (let at = 0; at < rows; at += 1) {
    lines.push(badRows.includes(at) ? `lamp-${at};Lamp ${at}` : `lamp-${at};Lamp ${at};48.85${at % 10};2.35${at % 7};LED-70W`);
  }
  return lines.join('\n');
}

export function createSlvDemo(engine: SlvBatchEngine, options: DemoOptions): SlvDemo {
  const login = options.login;
  const everyTicks = options.everyTicks ?? 45;
  const keep = options.keep ?? 40;
  const ids: string[] = [];
  const start = (script: BatchScript) => {
    ids.push(String(engine.create(script)['batchId']));
    while (ids.length > keep) engine.forget(ids.shift() as string);
  };

  // Seeded at once: with the default 1 s tick these run from about 1 to 3 minutes.
  start(commissionControllerScript('paris-north-01', 7, { login, ticksPerStep: 40 }));
  start(commissionDevicesScript('paris-south-02', devices('ps02', 12, [4, 9]), { login, ticksPerStep: 25 }));
  start(commissionControllerScript('offline-lyon-03', 5, { login, ticksPerStep: 30 }));
  start(importCsvScript(csvFile(120, [17, 58, 91]), { login, ticksPerStep: 20 }));
  start(commissionControllerScript('nice-port-04', 5, { login, ticksPerStep: 2 }));

  // Then one after another, cycling through every kind of ending.
  const next: Array<() => BatchScript> = [
    () => commissionControllerScript(`bordeaux-${ids.length}`, 5, { login, ticksPerStep: 15 }),
    () => commissionDevicesScript('marseille-07', devices('ms07', 6, [2]), { login, ticksPerStep: 12 }),
    () => importCsvScript(csvFile(40, []), { login, ticksPerStep: 10 }),
    () => commissionControllerScript('offline-lille-09', 3, { login, ticksPerStep: 12 }),
  ];
  let ticks = 0;
  let turn = 0;
  return {
    tick() {
      ticks += 1;
      if (ticks % everyTicks !== 0) return;
      const make = next[turn % next.length] as () => BatchScript;
      turn += 1;
      start(make());
    },
  };
}
