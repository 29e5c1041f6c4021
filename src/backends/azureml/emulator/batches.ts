import { randomUUID } from 'node:crypto';
import type { EmulatedService, ItemOutcome } from './services.js';
import { UnreachableCaseError } from '../../../core/unreachable.js';

/**
 * Batch executions inside the emulator, advanced one step per tick:
 * Pending → Ready → InProgress → Complete (or Failed when every record failed).
 *
 * While InProgress, at most `parallelCount` records are in progress at once. Each takes the
 * service's number of ticks, and a finished record is committed to the results only once every
 * record before it is committed: `batchExecutionResults` stays in input order and exactly
 * `completedItemCount` long, which is what the SDK's `execution(index)` and the samples' loops over
 * `range(completed_item_count)` rely on. A record waiting to be committed still holds its slot.
 */

type ExecutionState = 'Pending' | 'Ready' | 'InProgress' | 'Complete' | 'Failed';

interface Item {
  status: 'waiting' | 'working' | 'done';
  remaining: number;
  outcome: ItemOutcome | null;
}

export interface Execution {
  readonly id: string;
  readonly service: EmulatedService;
  readonly records: Record<string, unknown>[];
  readonly parallelCount: number;
  state: ExecutionState;
  /** Length of the committed prefix of `items`. */
  committed: number;
  readonly items: Item[];
  /** Most records in progress at once so far (tests check `parallelCount` is honoured). */
  peakInProgress: number;
  /** Demo batches are pruned once finished and old; others live until deleted. */
  readonly demo: boolean;
}

export interface BatchStore {
  /** `id` defaults to a random GUID; the demo passes its own so its ids are the same in every run. */
  start(service: EmulatedService, records: Record<string, unknown>[], parallelCount: number, demo?: boolean, id?: string): Execution;
  get(service: EmulatedService, id: string): Execution | undefined;
  /** Ids of one service's executions, oldest first. */
  ids(service: EmulatedService): string[];
  delete(service: EmulatedService, id: string): boolean;
  /** Every execution, grouped by service, oldest first within each. */
  all(): Execution[];
  /** Advances every unfinished execution one step. */
  tick(): void;
}

const keyOf = (service: EmulatedService): string => `${service.name}/${service.version}`;
export const isFinished = (execution: Execution): boolean => execution.state === 'Complete' || execution.state === 'Failed';

export function createBatchStore(): BatchStore {
  const byService = new Map<string, Map<string, Execution>>();

  const advance = (execution: Execution): void => {
    switch (execution.state) {
      case 'Pending':
        execution.state = 'Ready';
        return;
      case 'Ready':
        execution.state = 'InProgress';
        fillSlots(execution);
        return;
      case 'InProgress':
        work(execution);
        return;
      case 'Complete':
      case 'Failed':
        return;
      default:
        throw new UnreachableCaseError(execution.state, 'state');
    }
  };

  const work = (execution: Execution): void => {
    // Everything before the committed prefix is done: only the tail can be working.
    for (let index = execution.committed; index < execution.items.length; index += 1) {
      const item = execution.items[index]!;
      if (item.status !== 'working') continue;
      item.remaining -= 1;
      if (item.remaining <= 0) {
        item.status = 'done';
        item.outcome = execution.service.run(execution.records[index]!, index);
      }
    }
    while (execution.committed < execution.items.length && execution.items[execution.committed]!.status === 'done') execution.committed += 1;
    if (execution.committed === execution.items.length) {
      const allFailed = execution.items.every((item) => item.outcome && !item.outcome.success);
      execution.state = allFailed ? 'Failed' : 'Complete';
      return;
    }
    fillSlots(execution);
  };

  const fillSlots = (execution: Execution): void => {
    // Working records and finished-but-uncommitted ones both hold a slot; all of them lie past the
    // committed prefix, so one pass over the tail counts and fills (ticks stay linear in the tail).
    let busy = 0;
    for (let index = execution.committed; index < execution.items.length; index += 1) {
      if (execution.items[index]!.status !== 'waiting') busy += 1;
    }
    for (let index = execution.committed; index < execution.items.length && busy < execution.parallelCount; index += 1) {
      const item = execution.items[index]!;
      if (item.status !== 'waiting') continue;
      item.status = 'working';
      item.remaining = Math.max(1, execution.service.ticks(index));
      busy += 1;
    }
    execution.peakInProgress = Math.max(execution.peakInProgress, busy);
  };

  return {
    start(service, records, parallelCount, demo = false, id = randomUUID()) {
      const execution: Execution = {
        id,
        service,
        records,
        parallelCount,
        state: 'Pending',
        committed: 0,
        items: records.map(() => ({ status: 'waiting', remaining: 0, outcome: null })),
        peakInProgress: 0,
        demo,
      };
      const executions = byService.get(keyOf(service)) ?? new Map<string, Execution>();
      executions.set(execution.id, execution);
      byService.set(keyOf(service), executions);
      return execution;
    },
    get: (service, id) => byService.get(keyOf(service))?.get(id),
    ids: (service) => [...(byService.get(keyOf(service))?.keys() ?? [])],
    delete: (service, id) => byService.get(keyOf(service))?.delete(id) ?? false,
    all: () => [...byService.values()].flatMap((executions) => [...executions.values()]),
    tick() {
      for (const executions of byService.values()) for (const execution of executions.values()) advance(execution);
    },
  };
}
