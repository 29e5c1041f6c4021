/**
 * The emulator's scripted batch engine: no HTTP, only state. A batch follows its script one tick
 * at a time — progress -1 when created, 0 on the first tick, then each step's ticks, its result
 * (with its info/warning/error messages) appended to `value.stepResults` when it finishes, and 100
 * with `batchRunning: false` at the end. Snapshots are SLV's wire objects (`SLVBatchResult`).
 */

type ScriptSeverity = 'info' | 'warning' | 'error';

export interface ScriptStep {
  /** `stepName`, e.g. `check`, `commissioning`. */
  name: string;
  /** `stepLabel` / `label`, e.g. `Check database configuration`. */
  label: string;
  /** Ticks the step takes. @default 1 */
  ticks?: number;
  /** `batchProgressMessage` while the step runs. */
  progressMessage: string;
  messages: Array<{ severity: ScriptSeverity; text: string }>;
}

export interface BatchScript {
  steps: ScriptStep[];
  /** `batchProgressMessage` once done. */
  finishMessage: string;
  /** When set, the batch ends with `status: "ERROR"` and this envelope. @default null */
  failure?: { errorCode: string; errorCodeLabel: string; message: string } | null;
  /** `value.login`: the user who started it. */
  login: string;
}

export interface EngineOptions {
  /** Wall clock for batch ids. @default Date.now */
  now?: () => number;
  /** Finished batches kept before the oldest are forgotten. @default 5000 */
  retain?: number;
}

interface EmulatedBatch {
  id: string;
  script: BatchScript;
  /** -1 until the first tick, then 0 ... total work ticks. */
  done: number;
  running: boolean;
  cancelRequested: boolean;
  cancelled: boolean;
  stepResults: Array<Record<string, unknown>>;
  progressMessage: string | null;
}

export interface SlvBatchEngine {
  /** Creates a running batch and answers it as the start call does. */
  create(script: BatchScript): Record<string, unknown>;
  /** The batch as `getBatchResult` answers it; `null` when unknown. */
  get(id: string): Record<string, unknown> | null;
  /** Orders a cancel: `cancelRequested` at once, `cancelled` on the next tick. `null` when unknown. */
  cancel(id: string): Record<string, unknown> | null;
  /** Serves a fixed wire object for `id`, verbatim and forever (the seed sample). */
  pin(id: string, wire: Record<string, unknown>): void;
  /** Advances every running batch one step. */
  tick(): void;
  /** Ids of batches still running. */
  running(): string[];
  forget(id: string): void;
}

const STATUS_OF: Record<ScriptSeverity, { status: number; statusText: string }> = {
  info: { status: 0, statusText: 'OK' },
  // Non-zero message/step statuses were never seen in a public sample; these are our inference.
  warning: { status: 1, statusText: 'WARNING' },
  error: { status: 2, statusText: 'ERROR' },
};

export function createSlvBatchEngine(options: EngineOptions = {}): SlvBatchEngine {
  const now = options.now ?? Date.now;
  const retain = options.retain ?? 5000;
  const batches = new Map<string, EmulatedBatch>();
  const pinned = new Map<string, Record<string, unknown>>();
  let lastId = 0;

  const nextId = (): string => {
    // SLV's ids look like System.currentTimeMillis(); keep them 13 digits and unique.
    lastId = Math.max(now(), lastId + 1);
    return String(lastId);
  };

  const totalTicks = (script: BatchScript) => script.steps.reduce((sum, step) => sum + (step.ticks ?? 1), 0);

  function advance(batch: EmulatedBatch): void {
    if (!batch.running) return;
    if (batch.cancelRequested) {
      batch.running = false;
      batch.cancelled = true;
      batch.progressMessage = 'Batch cancelled.';
      return;
    }
    if (batch.done < 0) {
      batch.done = 0;
      batch.progressMessage = batch.script.steps[0]?.progressMessage ?? batch.script.finishMessage;
      if (batch.script.steps.length === 0) finish(batch);
      return;
    }
    batch.done += 1;
    let boundary = 0;
    for (const [index, step] of batch.script.steps.entries()) {
      boundary += step.ticks ?? 1;
      if (batch.done === boundary) {
        batch.stepResults.push(stepResult(step));
        const following = batch.script.steps[index + 1];
        if (following) batch.progressMessage = following.progressMessage;
      }
    }
    if (batch.done >= totalTicks(batch.script)) finish(batch);
  }

  function finish(batch: EmulatedBatch): void {
    batch.running = false;
    batch.progressMessage = batch.script.finishMessage;
    const finished = [...batches.values()].filter((candidate) => !candidate.running);
    for (const old of finished.slice(0, Math.max(0, finished.length - retain))) batches.delete(old.id);
  }

  function snapshot(batch: EmulatedBatch): Record<string, unknown> {
    const total = totalTicks(batch.script);
    const finishedWell = !batch.running && !batch.cancelled;
    const progress = batch.done < 0 ? -1 : finishedWell ? 100 : Math.floor((100 * batch.done) / Math.max(1, total));
    const failure = !batch.running && !batch.cancelled ? (batch.script.failure ?? null) : null;
    const count = (key: string) => batch.stepResults.reduce((sum, step) => sum + (step[key] as number), 0);
    const errors = count('errorMessagesCount');
    const warnings = count('warningMessagesCount');
    return {
      batchId: batch.id,
      batchProgressMessage: batch.progressMessage,
      batchProgressValue: progress,
      batchRunning: batch.running,
      cancelRequested: batch.cancelRequested,
      cancelled: batch.cancelled,
      errorCode: failure ? failure.errorCode : '0',
      errorCodeLabel: failure ? failure.errorCodeLabel : null,
      message: failure ? failure.message : null,
      status: failure ? 'ERROR' : 'OK',
      statusError: failure !== null,
      statusOk: failure === null,
      value: {
        errorMessagesCount: errors,
        infoMessagesCount: count('infoMessagesCount'),
        login: batch.script.login,
        status: errors > 0 ? 2 : warnings > 0 ? 1 : 0,
        stepResults: batch.stepResults.map((step) => structuredClone(step)),
        warningMessagesCount: warnings,
      },
    };
  }

  return {
    create(script) {
      const batch: EmulatedBatch = {
        id: nextId(),
        script,
        done: -1,
        running: true,
        cancelRequested: false,
        cancelled: false,
        stepResults: [],
        progressMessage: null,
      };
      batches.set(batch.id, batch);
      return snapshot(batch);
    },
    get(id) {
      const fixed = pinned.get(id);
      if (fixed) return structuredClone(fixed);
      const batch = batches.get(id);
      return batch ? snapshot(batch) : null;
    },
    cancel(id) {
      const fixed = pinned.get(id);
      if (fixed) return structuredClone(fixed);
      const batch = batches.get(id);
      if (!batch) return null;
      if (batch.running) batch.cancelRequested = true;
      return snapshot(batch);
    },
    pin(id, wire) {
      pinned.set(id, structuredClone(wire));
    },
    tick() {
      for (const batch of [...batches.values()]) advance(batch);
    },
    running: () => [...batches.values()].filter((batch) => batch.running).map((batch) => batch.id),
    forget(id) {
      batches.delete(id);
      pinned.delete(id);
    },
  };
}

/** A finished step as SLV serialises it: `messages` is the union of the three severity lists. */
function stepResult(step: ScriptStep): Record<string, unknown> {
  const messages = step.messages.map((message) => ({ ...STATUS_OF[message.severity], text: message.text }));
  const of = (severity: ScriptSeverity) =>
    step.messages.filter((message) => message.severity === severity).map((message) => ({ ...STATUS_OF[severity], text: message.text }));
  const errors = of('error');
  const warnings = of('warning');
  const infos = of('info');
  return {
    errorMessages: errors,
    errorMessagesCount: errors.length,
    infoMessages: infos,
    infoMessagesCount: infos.length,
    label: step.label,
    messages,
    status: errors.length > 0 ? 2 : warnings.length > 0 ? 1 : 0,
    stepLabel: step.label,
    stepName: step.name,
    warningMessages: warnings,
    warningMessagesCount: warnings.length,
  };
}
